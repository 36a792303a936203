package dev.sekisho.config;

import inet.ipaddr.IPAddress;

import java.util.List;
import java.util.Set;

/**
 * Entries to match a transaction against.
 *
 * @param networks addresses and CIDR networks of the client
 * @param domains  sender domains; an entry starting with "." matches subdomains only, otherwise the domain and its subdomains
 * @param accounts SASL user names, compared ignoring case
 * @param senders  envelope sender addresses, compared ignoring case
 */
public record ListConfig(List<IPAddress> networks, Set<String> domains, Set<String> accounts, Set<String> senders) {
    public static final ListConfig EMPTY = new ListConfig(List.of(), Set.of(), Set.of(), Set.of());

    public ListConfig {
        networks = List.copyOf(networks);
        domains = Set.copyOf(domains);
        accounts = Set.copyOf(accounts);
        senders = Set.copyOf(senders);
    }

    public boolean isEmpty() {
        return networks.isEmpty() && domains.isEmpty() && accounts.isEmpty() && senders.isEmpty();
    }
}
