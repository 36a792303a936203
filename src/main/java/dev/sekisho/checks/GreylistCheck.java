package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import dev.sekisho.state.GreylistOutcome;
import dev.sekisho.state.GreylistRequest;
import dev.sekisho.state.StateStore;

import java.util.Locale;
import java.util.Map;

/**
 * Greylisting with postgrey's proven semantics: the first attempt of an unknown (client network,
 * sender, recipient) triplet is deferred; a retry after the delay and within the retry window
 * passes and the triplet is known from then on; clients that passed often enough are let through.
 * Real MTAs retry, most spam engines do not.
 *
 * <p>Large senders retry from many addresses of a pool, so they are exempted by their verified
 * host name (Postfix's client_name, which is "unknown" unless forward and reverse DNS agree),
 * never by HELO, which the client chooses freely.
 */
public final class GreylistCheck implements Check {
    private final CheckConfig.Greylist config;
    private final ClientNetworks networks;
    private final StateStore store;
    private final RecentSeconds seconds = new RecentSeconds();
    /** The deferral of the last wait, reused while the wait stays the same (nearly always the delay). */
    private volatile Deferral lastDeferral = new Deferral(-1, null);

    private record Deferral(long waitSeconds, Action action) {
    }

    public GreylistCheck(CheckConfig.Greylist config, ClientNetworks networks, StateStore store) {
        this.config = config;
        this.networks = networks;
        this.store = store;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        if (tx.stage() != Stage.RCPT) return CheckResult.pass(Explanation.of(name(), "greylisting applies at RCPT only"));
        if (config.skipAuthenticated() && tx.authenticated()) return CheckResult.pass(Explanation.of(name(), "authenticated client"));
        String allowedName = allowedClientName(tx.clientName());
        if (allowedName != null) {
            return CheckResult.pass(new Explanation(name(), "allow-client-names", "client-name=" + tx.clientName(),
                    "known large sender (" + allowedName + ")", Map.of()));
        }
        String network = networks.networkOf(tx);
        StringBuilder tripletKey = new StringBuilder(network.length() + tx.sender().length() + tx.recipient().length() + 4)
                .append(network).append('|');
        appendNormalisedSender(tx.sender(), tripletKey);
        String triplet = tripletKey.append('|').append(tx.recipient().toLowerCase(Locale.ROOT)).toString();
        // The triplet names the client's network (a sender retrying from the next address of its pool is the same
        // sender); auto-allow names the client's own address, as postgrey's does.
        GreylistOutcome outcome = store.greylist(new GreylistRequest(triplet, tx.clientIp(), context.now(), config.delay(),
                config.retryWindow(), config.maxAge(), config.autoAllowAfter(), context.dryRun()));
        Map<String, String> values = Explanation.values(
                "first-seen", seconds.floor(outcome.firstSeen()),
                "pass-at", seconds.ceiling(outcome.passAt()),
                "client-passes", Long.toString(outcome.clientPasses()));
        String key = "triplet=" + triplet;
        if (outcome.status().accepted()) {
            return CheckResult.pass(new Explanation(name(), outcome.status().label(), key, "greylist passed", values));
        }
        long wait = WholeSeconds.until(context.now(), outcome.passAt());
        return CheckResult.decide(deferral(wait), new Explanation(name(), outcome.status().label(), key,
                "deferred for " + wait + "s", values));
    }

    private Action deferral(long wait) {
        if (!config.action().argument().isEmpty()) return config.action();
        Deferral last = lastDeferral;
        if (last.waitSeconds() != wait) {
            last = new Deferral(wait, config.action().withText("Greylisted, please try again in " + wait + " seconds"));
            lastDeferral = last;
        }
        return last.action();
    }

    /** The matching allow-client-names entry, or null. "example.com" matches it and its subdomains; ".example.com" only subdomains. */
    private String allowedClientName(String clientName) {
        if (config.allowClientNames().isEmpty() || clientName.isEmpty() || clientName.equals("unknown")) return null;
        String host = clientName.toLowerCase(Locale.ROOT);
        for (String entry : config.allowClientNames()) {
            if (entry.startsWith(".")) {
                if (host.endsWith(entry)) return entry;
            } else if (host.equals(entry) || host.endsWith("." + entry)) {
                return entry;
            }
        }
        return null;
    }

    /**
     * Senders that change with every message would defeat greylisting: strip a BATV tag
     * (prvs=TAG=user@domain) and fold digit runs in the local part (VERP, ticket numbers).
     */
    static String normaliseSender(String sender) {
        return appendNormalisedSender(sender, new StringBuilder(sender.length() + 2)).toString();
    }

    private static StringBuilder appendNormalisedSender(String sender, StringBuilder out) {
        if (sender.isEmpty()) return out.append("<>");
        String s = sender.toLowerCase(Locale.ROOT);
        int at = s.lastIndexOf('@');
        if (at < 0) return out.append(s);
        int localStart = 0;
        if (s.startsWith("prvs=") || s.startsWith("msprvs1=") || s.startsWith("btv1=")) {
            int second = s.indexOf('=', s.indexOf('=') + 1);
            if (second > 0 && second < at) localStart = second + 1;
        }
        boolean inDigits = false;
        for (int i = localStart; i < at; i++) {
            char c = s.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            if (!digit) out.append(c);
            else if (!inDigits) out.append('#');
            inDigits = digit;
        }
        return out.append(s, at, s.length());
    }
}
