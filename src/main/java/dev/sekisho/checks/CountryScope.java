package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.geo.GeoAnswer;

import java.util.TreeSet;

/**
 * Whether a rule applies to a client by its country ({@code countries: {not-in: [JP]}} is "from abroad").
 *
 * @param condition the configured countries
 * @param countries where the client's country comes from
 */
record CountryScope(CheckConfig.CountryCondition condition, ClientCountry countries) {

    /** "countries not-in JP", for explanations. */
    String rule() {
        return "countries " + (condition.notIn() ? "not-in " : "in ") + String.join(" ", new TreeSet<>(condition.countries()));
    }

    /** Null when the rule applies to a client of this country; otherwise why it does not, for the explanation. */
    String outside(ClientCountry.Answer country) {
        if (country.status() == GeoAnswer.Status.NO_DATABASE) return ClientCountry.RULES_OFF + "; not counted";
        if (!country.known()) return condition.unknownApplies() ? null : country.describe() + ": not counted";
        boolean listed = condition.countries().contains(country.code());
        if (listed != condition.notIn()) return null;
        return country.describe() + (listed ? " is listed" : " is not listed") + ": not counted";
    }
}
