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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Limits how much one key (client, network, account, sender, domain) may send, over one or more
 * windows at once (GCRA, so no burst at a window boundary).
 *
 * <p>Where the charge happens follows what is known when: recipients are charged per RCPT;
 * messages and bytes at END-OF-MESSAGE (size is known, the message is accepted), while RCPT only
 * checks that one more still fits so that a sender over its limit is stopped before DATA.
 * The check only looks; the engine counts when the mail is accepted, so refused mail costs nothing.
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
    private final String keyName;
    private final String unitName;
    private final String[] windowNames;
    /** Null when the limit applies to every client whatever its country. */
    private final CountryScope countryScope;

    public RateLimitCheck(CheckConfig.RateLimit config, ClientNetworks networks, StateStore store) {
        this(config, networks, store, null);
    }

    /** @param countries where a country condition ({@code countries:}) looks up the client; may be null without one */
    public RateLimitCheck(CheckConfig.RateLimit config, ClientNetworks networks, StateStore store, ClientCountry countries) {
        if (config.countries() != null && countries == null) {
            throw new IllegalArgumentException("rate limit " + config.name() + " has a country condition but no country source");
        }
        this.countryScope = config.countries() == null ? null : new CountryScope(config.countries(), countries);
        this.config = config;
        this.networks = networks;
        this.exempt = new ListMatcher(config.exempt());
        this.store = store;
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
        Optional<Cost> cost = costAt(tx);
        if (cost.isEmpty()) return CheckResult.pass(Explanation.of(name(), "not counted at " + tx.stage()));
        Optional<String> key = keyOf(tx);
        if (key.isEmpty()) return CheckResult.pass(Explanation.of(name(), "no " + keyName + " to count"));
        final String subject;
        if (countryScope == null) {
            subject = keyName + "=" + key.get();
        } else { // a limit for some countries only ("from abroad"): a client elsewhere is not counted
            ClientCountry.Answer country = countryScope.countries().of(tx);
            String outside = countryScope.outside(country);
            if (outside != null) return CheckResult.pass(new Explanation(name(), countryScope.rule(), keyName + "=" + key.get(), outside, Map.of()));
            subject = keyName + "=" + key.get() + " country=" + (country.known() ? country.code() : "unknown");
        }
        if (!exempt.isEmpty()) {
            Optional<String> why = exempt.match(tx);
            if (why.isPresent()) return CheckResult.pass(new Explanation(name(), "exempt", subject, "exempt: " + why.get(), Map.of()));
        }
        // Look without counting; the engine counts (Charge.commit) only once the mail is accepted.
        RateRequest peek = new RateRequest(name() + "|" + key.get(), config.windows(), cost.get().units(), context.now(), true);
        RateOutcome outcome = store.rate(peek);
        if (!outcome.allowed()) return refusal(outcome, key.get(), subject, cost.get().units(), context);
        // Counter values of a passing check are only read by explain; skip building them on the hot path.
        Explanation passed = new Explanation(name(), "", subject, "within limits", context.dryRun() ? counters(outcome) : Map.of());
        if (context.dryRun() || !cost.get().charge()) return CheckResult.pass(passed);
        RateRequest charge = new RateRequest(peek.key(), peek.windows(), peek.cost(), peek.now(), false);
        return CheckResult.pass(passed, new Charge() {
            @Override
            public Optional<CheckResult> commit() {
                RateOutcome counted = store.rate(charge);
                if (counted.allowed() || config.soft()) return Optional.empty(); // a soft limit never refuses; the last slot went elsewhere
                return Optional.of(refusal(counted, key.get(), subject, charge.cost(), context));
            }

            @Override
            public void refund() {
                store.refund(charge);
            }
        });
    }

    private CheckResult refusal(RateOutcome outcome, String key, String subject, long units, EvaluationContext context) {
        Map<String, String> values = counters(outcome);
        RateOutcome.WindowState refused = outcome.firstRefusal().orElseThrow();
        String rule = "limit " + refused.window();
        Instant retryAt = refused.retryAt();
        boolean neverFits = retryAt.equals(Instant.MAX);
        long seconds = neverFits ? 0 : WholeSeconds.until(context.now(), retryAt);
        values.put("retry-at", neverFits ? "never" : retryAt.toString());
        String why = neverFits ? "this " + unitName + " count (" + units + ") is larger than the whole limit"
                : "try again in " + seconds + "s";
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

    /** How much this request counts, and whether it is charged now or only checked. */
    private record Cost(long units, boolean charge) {
    }

    private Optional<Cost> costAt(Transaction tx) {
        return switch (config.count()) {
            case RECIPIENTS -> tx.stage() == Stage.RCPT ? Optional.of(new Cost(1, true)) : Optional.empty();
            case MESSAGES -> switch (tx.stage()) {
                case RCPT -> Optional.of(new Cost(1, false));
                case END_OF_MESSAGE -> Optional.of(new Cost(1, true));
                default -> Optional.empty();
            };
            case BYTES -> switch (tx.stage()) {
                case RCPT -> Optional.of(new Cost(Math.max(1, tx.size()), false));
                case END_OF_MESSAGE -> tx.size() > 0 ? Optional.of(new Cost(tx.size(), true)) : Optional.empty();
                default -> Optional.empty();
            };
        };
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
