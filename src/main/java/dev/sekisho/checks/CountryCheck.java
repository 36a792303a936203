package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Transaction;
import dev.sekisho.geo.GeoAnswer;
import inet.ipaddr.IPAddress;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Allows or denies a service's clients by network and by the country of their address: a denied network is refused
 * and an allowed one passed whatever its country; then a denied country, or one outside the allowed countries, gets
 * the action. A client of unknown country gets what {@code unknown} says; without a country database the check has
 * no objection and says why.
 */
public final class CountryCheck implements Check {
    private final CheckConfig.Country config;
    private final ClientCountry countries;
    private final ListMatcher exempt;
    private final String allowedText;
    private final String deniedText;

    public CountryCheck(CheckConfig.Country config, ClientCountry countries) {
        this.config = config;
        this.countries = countries;
        this.exempt = new ListMatcher(config.exempt());
        this.allowedText = String.join(" ", new TreeSet<>(config.allowCountries()));
        this.deniedText = String.join(" ", new TreeSet<>(config.denyCountries()));
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        String client = "client=" + tx.clientIp();
        if (!exempt.isEmpty()) {
            Optional<String> why = exempt.match(tx);
            if (why.isPresent()) return CheckResult.pass(new Explanation(name(), "exempt", client, "exempt: " + why.get(), Map.of()));
        }
        if (!config.denyNetworks().isEmpty() || !config.allowNetworks().isEmpty()) {
            IPAddress address = ClientNetworks.ipAddress(tx.clientAddress());
            String denied = firstContaining(config.denyNetworks(), address);
            if (denied != null) return refuse(new Explanation(name(), "deny-networks " + denied, client, "network " + denied + " is denied", Map.of()), null);
            String allowed = firstContaining(config.allowNetworks(), address);
            if (allowed != null) return CheckResult.pass(new Explanation(name(), "allow-networks " + allowed, client, "network " + allowed + " is allowed", Map.of()));
        }
        if (config.allowCountries().isEmpty() && config.denyCountries().isEmpty()) {
            return CheckResult.pass(new Explanation(name(), "", client, "no network rule matched", Map.of()));
        }
        ClientCountry.Answer country = countries.of(tx);
        if (!country.known()) {
            if (country.status() == GeoAnswer.Status.NO_DATABASE) {
                return CheckResult.pass(new Explanation(name(), "", client, ClientCountry.RULES_OFF, Map.of()));
            }
            Explanation why = new Explanation(name(), "unknown: " + config.unknown().name().toLowerCase(Locale.ROOT), client,
                    country.describe(), Map.of());
            return config.unknown() == CheckConfig.UnknownCountry.PASS ? CheckResult.pass(why) : refuse(why, null);
        }
        String key = "country=" + country.code() + " " + client;
        if (config.denyCountries().contains(country.code())) {
            return refuse(new Explanation(name(), "deny-countries " + deniedText, key, "country " + country.code() + " is denied", Map.of()),
                    country.code());
        }
        if (!config.allowCountries().isEmpty()) {
            if (!config.allowCountries().contains(country.code())) {
                return refuse(new Explanation(name(), "allow-countries " + allowedText, key,
                        "country " + country.code() + " is not an allowed country", Map.of()), country.code());
            }
            return CheckResult.pass(new Explanation(name(), "allow-countries " + allowedText, key, "country " + country.code() + " is allowed", Map.of()));
        }
        return CheckResult.pass(new Explanation(name(), "deny-countries " + deniedText, key, "country " + country.code() + " is not denied", Map.of()));
    }

    private static String firstContaining(List<IPAddress> networks, IPAddress address) {
        for (IPAddress network : networks) {
            if (network.contains(address)) return network.toCanonicalString();
        }
        return null;
    }

    /** The action, with a reply text naming the country when the configuration gave none; a log-only check notes it. */
    private CheckResult refuse(Explanation why, String country) {
        Action action = config.action();
        if (action == null) return CheckResult.note(why);
        if (action.argument().isEmpty() && action.kind().takesText()) {
            action = action.withText(country == null ? "Access denied (" + name() + ")" : "Access from country " + country + " is not allowed");
        }
        return CheckResult.decide(action, why);
    }
}
