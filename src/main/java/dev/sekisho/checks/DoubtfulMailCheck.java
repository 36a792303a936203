package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import dev.sekisho.geo.GeoAnswer;
import dev.sekisho.state.StateStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Sends doubtful mail out through another transport ({@code FILTER transport:}), whose outbound
 * address is not the one clean mail leaves from: when stolen credentials get an address listed,
 * only the doubtful mail goes with it. Mail is doubtful when any configured signal holds: the account
 * is restricted or was until recently, the client is outside the home countries, or an earlier check
 * marked it (a soft limit is over, a log-only sender mismatch).
 *
 * <p>It answers at RCPT, the one stage where every signal is known in one request (the sender
 * mismatch and the recipient and message limits are all judged there). Postfix applies a FILTER to
 * the whole message, keeping the last one given; every answer here names the same transport, so
 * giving it at each doubtful recipient routes the message once. Postfix sends no running recipient
 * count at RCPT (recipient_count is 0 there), so "only at the first recipient" cannot be told
 * apart. The answer is a route, not a decision: later checks still run and their refusals win.
 * It counts nothing: each signal is counted, if at all, by the check that raised it.
 */
public final class DoubtfulMailCheck implements Check {
    private final CheckConfig.RouteDoubtful config;
    private final Action filter;
    private final RecentRestrictions restrictions;
    private final ClientCountry countries;
    private final String homeText;

    /** @param countries where the home-countries signal looks up the client; may be null when that signal is off */
    public DoubtfulMailCheck(CheckConfig.RouteDoubtful config, StateStore store, ClientCountry countries) {
        if (!config.homeCountries().isEmpty() && countries == null) {
            throw new IllegalArgumentException("route-doubtful " + config.name() + " has home-countries but no country source");
        }
        this.config = config;
        this.filter = Action.of(Action.Kind.FILTER, config.transport());
        this.restrictions = config.restrictedWithin().isZero() ? null : new RecentRestrictions(store);
        this.countries = countries;
        this.homeText = String.join(" ", new TreeSet<>(config.homeCountries()));
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        if (tx.stage() != Stage.RCPT) return CheckResult.pass(Explanation.of(name(), "routes at RCPT"));
        List<String> signals = new ArrayList<>(2);
        String account = tx.authenticated() ? tx.saslUsername().toLowerCase(Locale.ROOT) : "";
        if (restrictions != null && !account.isEmpty()) {
            restrictions.recent(account, context.now(), config.restrictedWithin()).ifPresent(signals::add);
        }
        String countryNote = "";
        if (countries != null && !config.homeCountries().isEmpty()) {
            ClientCountry.Answer country = countries.of(tx);
            if (country.known()) {
                if (!config.homeCountries().contains(country.code())) signals.add("from abroad: " + country.describe() + " is not a home country (" + homeText + ")");
            } else if (country.status() == GeoAnswer.Status.NO_DATABASE) {
                countryNote = "; " + ClientCountry.RULES_OFF;
            } else if (config.unknownCountry()) {
                signals.add(country.describe());
            }
        }
        if (config.earlierDoubts()) {
            for (Explanation doubt : context.doubts()) signals.add(doubt.check() + ": " + doubt.detail());
        }
        String key = account.isEmpty() ? "client=" + tx.clientIp() : "sasl-username=" + account;
        if (signals.isEmpty()) return CheckResult.pass(new Explanation(name(), "", key, "no doubt" + countryNote, Map.of()));
        return CheckResult.route(filter, new Explanation(name(), "FILTER " + config.transport(), key,
                "doubtful, sent through " + config.transport() + " (" + String.join("; ", signals) + ")" + countryNote,
                Map.of("signals", Integer.toString(signals.size()))));
    }
}
