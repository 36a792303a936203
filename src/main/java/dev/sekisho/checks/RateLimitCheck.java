package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Charge;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import dev.sekisho.state.DurationText;
import dev.sekisho.state.RateOutcome;
import dev.sekisho.state.RateRequest;
import dev.sekisho.state.StateStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Limits how much one key (client, network, account, sender, domain) may send, over one or more
 * windows at once (GCRA, so no burst at a window boundary).
 *
 * <p>Mail is charged at END-OF-MESSAGE, when Postfix says what it has accepted: the message, its size, and its
 * {@code recipient_count}. A transaction abandoned before its data, and a recipient Postfix refused after Sekisho's
 * answer, cost nothing. At END-OF-MESSAGE one atomic call decides and charges; when a later check refuses the mail
 * after all, the charge is given back ({@link Charge#cancel()}). What refuses the mail after END-OF-MESSAGE (a
 * milter, a content filter) is not Sekisho's to know.
 *
 * <p>RCPT only looks, so that a sender over its limit is stopped before DATA: one more message, the SIZE= estimate,
 * or, for recipients, the recipients this transaction already has ({@link OpenTransactions}) plus this one, so
 * that a limit of 100 refuses the 101st RCPT of a single message. A recipient is added to that running count only
 * when the engine's verdict accepts it.
 *
 * <p>Postfix names the recipient only at RCPT (at END-OF-MESSAGE only for mail to one recipient), so a
 * {@code recipient-domain} limit charges at END-OF-MESSAGE the one recipient Postfix names, or else the domains its
 * running count holds.
 *
 * <p>A limit that lets mail through at RCPT but never sees END-OF-MESSAGE counts nothing; {@link OpenTransactions}
 * warns of it.
 *
 * <p>A soft limit ({@code action: doubtful}) counts the same way, but over the limit it marks the mail doubtful
 * ({@link CheckResult#doubt}, read by {@link DoubtfulMailCheck}) instead of refusing it. Only the over-the-limit
 * path asks which kind of limit this is, so an ordinary limit's passing requests do no more work than before.
 */
public final class RateLimitCheck implements Check {
    private final CheckConfig.RateLimit config;
    private final ClientNetworks networks;
    private final ListMatcher exempt;
    private final StateStore store;
    private final OpenTransactions transactions;
    /** The service whose checks this limit is among, and the limit as {@link OpenTransactions} knows it ("mx/per-client-ip"). */
    private final String service;
    private final String limitId;
    private final String keyName;
    private final String unitName;
    private final String[] windowNames;
    /** Null when the limit applies to every client whatever its country. */
    private final CountryScope countryScope;
    /** An END-OF-MESSAGE request has reached this limit: Postfix's end-of-data restrictions ask Sekisho. */
    private volatile boolean endOfMessageSeen;

    /**
     * @param service      the service whose checks this limit is among: a transaction asked about under two services
     *                     keeps a running count for each
     * @param transactions where RCPT keeps each open transaction's recipients; shared by every limit and every
     *                     configuration of one server
     * @param countries    where a country condition ({@code countries:}) looks up the client; may be null without one
     */
    public RateLimitCheck(CheckConfig.RateLimit config, String service, ClientNetworks networks, StateStore store,
                          OpenTransactions transactions, ClientCountry countries) {
        if (config.countries() != null && countries == null) {
            throw new IllegalArgumentException("rate limit " + config.name() + " has a country condition but no country source");
        }
        this.countryScope = config.countries() == null ? null : new CountryScope(config.countries(), countries);
        this.config = config;
        this.networks = networks;
        this.exempt = new ListMatcher(config.exempt());
        this.store = store;
        this.transactions = transactions;
        this.service = service;
        this.limitId = service + "/" + config.name();
        this.keyName = config.key().name().toLowerCase(Locale.ROOT).replace('_', '-');
        this.unitName = config.count().name().toLowerCase(Locale.ROOT);
        this.windowNames = config.windows().stream().map(w -> DurationText.format(w.period())).toArray(String[]::new);
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        Stage stage = tx.stage();
        if (stage != Stage.RCPT && stage != Stage.END_OF_MESSAGE) return CheckResult.pass(Explanation.of(name(), "not counted at " + stage));
        if (stage == Stage.END_OF_MESSAGE && !endOfMessageSeen && !context.dryRun()) {
            endOfMessageSeen = true;
            transactions.endOfMessageCame(service, name());
        }
        if (stage == Stage.END_OF_MESSAGE && config.key() == CheckConfig.RateKey.RECIPIENT_DOMAIN) return recipientDomainsAtEnd(tx, context);
        Optional<String> key = keyOf(tx);
        if (key.isEmpty()) return CheckResult.pass(Explanation.of(name(), "no " + keyName + " to count"));
        Counted counted = counted(tx, key.get());
        if (counted.skipped() != null) return counted.skipped();
        return stage == Stage.RCPT ? atRcpt(tx, key.get(), counted.subject(), context) : atEnd(tx, key.get(), counted.subject(), context);
    }

    /** The store's counter of this limit for one key ("per-client-ip|203.0.113.7"). */
    private String counter(String key) {
        return name() + "|" + key;
    }

    /** Who is counted as the explanation names it, or, when nobody is, the passing answer that says why. */
    private record Counted(String subject, CheckResult skipped) {
    }

    private Counted counted(Transaction tx, String key) {
        String subject;
        if (countryScope == null) {
            subject = keyName + "=" + key;
        } else { // a limit for some countries only ("from abroad"): a client elsewhere is not counted
            ClientCountry.Answer country = countryScope.countries().of(tx);
            String outside = countryScope.outside(country);
            if (outside != null) return new Counted(null, CheckResult.pass(new Explanation(name(), countryScope.rule(), keyName + "=" + key, outside, Map.of())));
            subject = keyName + "=" + key + " country=" + (country.known() ? country.code() : "unknown");
        }
        if (!exempt.isEmpty()) {
            Optional<String> why = exempt.match(tx);
            if (why.isPresent()) return new Counted(null, CheckResult.pass(new Explanation(name(), "exempt", subject, "exempt: " + why.get(), Map.of())));
        }
        return new Counted(subject, null);
    }

    /** Look whether one more fits, counting nothing in the store; a recipient let through joins its transaction's running count. */
    private CheckResult atRcpt(Transaction tx, String key, String subject, EvaluationContext context) {
        boolean recipients = config.count() == CheckConfig.RateUnit.RECIPIENTS;
        long earlier = recipients ? transactions.count(tx.messageId(), limitId, key) : 0;
        long units = switch (config.count()) {
            case RECIPIENTS -> earlier + 1;
            case MESSAGES -> 1;
            case BYTES -> Math.max(1, tx.size());
        };
        RateOutcome outcome = store.rate(new RateRequest(counter(key), config.windows(), units, context.now(), true));
        if (!outcome.allowed()) return refusal(outcome, key, subject, units, earlier, context);
        // Counter values of a passing check are only read by explain; skip building them on the hot path.
        if (context.dryRun()) {
            Map<String, String> values = counters(outcome);
            if (earlier > 0) values.put("this-message", Long.toString(earlier));
            return CheckResult.pass(new Explanation(name(), "", subject, "within limits", values));
        }
        Explanation passed = new Explanation(name(), "", subject, "within limits", Map.of());
        if (recipients) return CheckResult.pass(passed, new RecipientLetThrough(tx.messageId(), key, context.now()));
        return endOfMessageSeen ? CheckResult.pass(passed) : CheckResult.pass(passed, new LetThrough(context.now()));
    }

    /** Charge what Postfix accepted, in the one call that decides. */
    private CheckResult atEnd(Transaction tx, String key, String subject, EvaluationContext context) {
        long units = switch (config.count()) {
            case RECIPIENTS -> {
                Map<String, Long> letThrough = context.dryRun() ? transactions.counts(tx.messageId(), limitId)
                        : transactions.end(tx.messageId(), limitId);
                // Postfix's count is what it accepted; the running count stands in for a client that sends none.
                yield tx.recipientCount() > 0 ? tx.recipientCount() : letThrough.getOrDefault(key, 0L);
            }
            case MESSAGES -> 1;
            case BYTES -> tx.size();
        };
        if (units == 0) return CheckResult.pass(new Explanation(name(), "", subject, "nothing to count", Map.of()));
        RateRequest request = new RateRequest(counter(key), config.windows(), units, context.now(), context.dryRun());
        RateOutcome outcome = store.rate(request);
        if (!outcome.allowed()) return refusal(outcome, key, subject, units, 0, context);
        Explanation counted = new Explanation(name(), "", subject, "within limits", context.dryRun() ? counters(outcome) : Map.of());
        return context.dryRun() ? CheckResult.pass(counted) : CheckResult.pass(counted, new Charged(List.of(request)));
    }

    /**
     * A recipient-domain limit at END-OF-MESSAGE. Postfix names the recipient only when there is one, and then that
     * domain is charged one recipient. Otherwise each domain the transaction's running count holds is charged the
     * recipients RCPT let through to it (Postfix does not say which of them it refused after Sekisho's answer, if any),
     * all or none: a domain over its limit refuses the message, and what the others took is given back.
     */
    private CheckResult recipientDomainsAtEnd(Transaction tx, EvaluationContext context) {
        Map<String, Long> domains = context.dryRun() ? transactions.counts(tx.messageId(), limitId) : transactions.end(tx.messageId(), limitId);
        if (!tx.recipient().isEmpty()) domains = Map.of(tx.recipientDomain(), 1L);
        if (domains.isEmpty()) return CheckResult.pass(Explanation.of(name(), "no " + keyName + " to count"));
        Counted counted = counted(tx, String.join(",", new TreeSet<>(domains.keySet())));
        if (counted.skipped() != null) return counted.skipped();
        List<RateRequest> charged = new ArrayList<>(domains.size());
        boolean allCharged = false;
        try {
            for (Map.Entry<String, Long> domain : new TreeMap<>(domains).entrySet()) {
                RateRequest request = new RateRequest(counter(domain.getKey()), config.windows(), domain.getValue(), context.now(),
                        context.dryRun());
                RateOutcome outcome = store.rate(request);
                if (!outcome.allowed()) {
                    return refusal(outcome, domain.getKey(), counted(tx, domain.getKey()).subject(), domain.getValue(), 0, context);
                }
                charged.add(request);
            }
            allCharged = true;
        } finally {
            // A domain over its limit, or the store failing part way: what the others took for this message goes back.
            if (!allCharged && !context.dryRun()) charged.forEach(store::refund);
        }
        Explanation within = new Explanation(name(), "", counted.subject(), "within limits", Map.of());
        return context.dryRun() ? CheckResult.pass(within) : CheckResult.pass(within, new Charged(charged));
    }

    /** Mail RCPT let through under a limit that has not yet seen END-OF-MESSAGE: counted toward the warning that it never does. */
    private final class LetThrough implements Charge {
        private final Instant at;

        LetThrough(Instant at) {
            this.at = at;
        }

        @Override
        public Optional<CheckResult> commit() {
            if (!endOfMessageSeen) transactions.letThroughAtRcpt(service, name(), at);
            return Optional.empty();
        }

        @Override
        public void cancel() {
        }
    }

    /** A recipient RCPT let through: it joins the transaction's running count once the verdict accepts it. */
    private final class RecipientLetThrough implements Charge {
        private final String transaction;
        private final String key;
        private final Instant at;
        private boolean added;

        RecipientLetThrough(String transaction, String key, Instant at) {
            this.transaction = transaction;
            this.key = key;
            this.at = at;
        }

        @Override
        public Optional<CheckResult> commit() {
            transactions.add(transaction, limitId, key, 1, at);
            added = true;
            if (!endOfMessageSeen) transactions.letThroughAtRcpt(service, name(), at);
            return Optional.empty();
        }

        @Override
        public void cancel() {
            if (added) transactions.add(transaction, limitId, key, -1, at);
            added = false;
        }
    }

    /** What END-OF-MESSAGE charged as it decided: nothing left to commit; given back when the mail is refused after all. */
    private final class Charged implements Charge {
        private List<RateRequest> requests;

        Charged(List<RateRequest> requests) {
            this.requests = requests;
        }

        @Override
        public Optional<CheckResult> commit() {
            return Optional.empty();
        }

        @Override
        public void cancel() {
            requests.forEach(store::refund);
            requests = List.of();
        }
    }

    /** @param earlier recipients this transaction already has under the limit (RCPT), included in {@code units} */
    private CheckResult refusal(RateOutcome outcome, String key, String subject, long units, long earlier, EvaluationContext context) {
        Map<String, String> values = counters(outcome);
        if (earlier > 0) values.put("this-message", Long.toString(earlier));
        RateOutcome.WindowState refused = outcome.firstRefusal().orElseThrow();
        String rule = "limit " + refused.window();
        Instant retryAt = refused.retryAt();
        boolean neverFits = retryAt.equals(Instant.MAX);
        long seconds = neverFits ? 0 : WholeSeconds.until(context.now(), retryAt);
        values.put("retry-at", neverFits ? "never" : retryAt.toString());
        String why;
        if (!neverFits) why = "try again in " + seconds + "s";
        else if (earlier > 0) why = "this message already has " + earlier + " recipients; send the rest in another message";
        else why = "this " + unitName + " count (" + units + ") is larger than the whole limit";
        if (config.soft()) {
            return CheckResult.doubt(new Explanation(name(), "soft " + rule, subject,
                    "over the soft limit (" + refused.window() + " " + unitName + "): mail is doubtful", values));
        }
        Action action = config.action().argument().isEmpty()
                ? config.action().withText("Rate limit " + name() + " (" + refused.window() + " " + unitName + ") exceeded for "
                + key + ", " + why)
                : config.action();
        return CheckResult.decide(action, new Explanation(name(), rule, subject, neverFits ? why : "over the limit, resets in " + seconds + "s", values));
    }

    private Optional<String> keyOf(Transaction tx) {
        return switch (config.key()) {
            case CLIENT_IP -> Optional.of(tx.clientIp());
            case CLIENT_NETWORK -> Optional.of(networks.networkOf(tx));
            case SASL_USERNAME -> tx.authenticated() ? Optional.of(tx.saslUsername().toLowerCase(Locale.ROOT)) : Optional.empty();
            case SENDER -> Optional.of(tx.sender().isEmpty() ? "<>" : tx.sender().toLowerCase(Locale.ROOT));
            case SENDER_DOMAIN -> Optional.of(tx.sender().isEmpty() ? "<>" : tx.senderDomain());
            case RECIPIENT_DOMAIN -> tx.recipient().isEmpty() ? Optional.empty() : Optional.of(tx.recipientDomain());
        };
    }

    /** used/limit per window, e.g. {1h=100/100, 1d=340/1000}. */
    private Map<String, String> counters(RateOutcome outcome) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < outcome.windows().size(); i++) {
            RateOutcome.WindowState w = outcome.windows().get(i);
            values.put(windowNames[i], w.used() + "/" + w.window().limit());
        }
        return values;
    }

}
