package dev.sekisho.checks;

import dev.sekisho.config.ListConfig;
import dev.sekisho.engine.Transaction;
import inet.ipaddr.IPAddress;

import java.util.Locale;
import java.util.Optional;

/** Matches a transaction against a list of networks, sender domains, accounts and senders. */
public final class ListMatcher {
    private final ListConfig list;

    public ListMatcher(ListConfig list) {
        this.list = list;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    /** What matched, e.g. "network 192.0.2.0/24", or empty. */
    public Optional<String> match(Transaction tx) {
        if (!list.networks().isEmpty()) {
            IPAddress client = ClientNetworks.ipAddress(tx.clientAddress());
            for (IPAddress network : list.networks()) {
                if (network.contains(client)) return Optional.of("network " + network.toCanonicalString());
            }
        }
        if (!list.accounts().isEmpty() && tx.authenticated()) {
            String account = tx.saslUsername().toLowerCase(Locale.ROOT);
            if (list.accounts().contains(account)) return Optional.of("account " + account);
        }
        if (!list.senders().isEmpty() && !tx.sender().isEmpty()) {
            String sender = tx.sender().toLowerCase(Locale.ROOT);
            if (list.senders().contains(sender)) return Optional.of("sender " + sender);
        }
        if (!list.domains().isEmpty()) {
            String domain = tx.senderDomain();
            String matched = matchDomain(domain);
            if (matched != null) return Optional.of("sender domain " + domain + " (entry " + matched + ")");
        }
        return Optional.empty();
    }

    /** "example.com" matches itself and its subdomains; ".example.com" only its subdomains. */
    private String matchDomain(String domain) {
        if (domain.isEmpty()) return null;
        if (list.domains().contains(domain)) return domain;
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            String parent = domain.substring(dot + 1);
            if (list.domains().contains(parent)) return parent;
            if (list.domains().contains("." + parent)) return "." + parent;
        }
        return null;
    }
}
