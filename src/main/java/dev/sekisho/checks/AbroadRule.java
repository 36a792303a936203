package dev.sekisho.checks;

import dev.sekisho.account.AccountBook;
import dev.sekisho.account.AccountSettings;
import dev.sekisho.config.AccountsConfig;
import dev.sekisho.engine.Explanation;
import dev.sekisho.geo.GeoAnswer;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * "Refuse use from abroad", per account: an account whose switch is on, and whose travel lift (if any) has ended, is
 * refused from an address outside the home countries. Asked by the login path (before the password is checked) and
 * by the submission check. Without a country database it has no objection and says so; an address of unknown
 * country gets what {@code accounts.unknown-country} says, and the explanation says which.
 */
public final class AbroadRule {
    /** What a refused client is told (Dovecot shows it to the user; Postfix puts it in the reply). */
    public static final String REFUSAL = "Use of this account from abroad is refused by its settings";

    /**
     * @param refused     whether the account may not be used from this address now
     * @param country     the address's country, or why it is unknown
     * @param explanation which setting, country and lift led here
     */
    public record Judgement(boolean refused, ClientCountry.Answer country, Explanation explanation) {
    }

    private final String name;
    private final AccountsConfig config;
    private final AccountBook book;
    private final ClientCountry countries;
    private final String homeText;

    /** @param name the name in explanations ("account-abroad") */
    public AbroadRule(String name, AccountsConfig config, AccountBook book, ClientCountry countries) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.book = Objects.requireNonNull(book, "book");
        this.countries = Objects.requireNonNull(countries, "countries");
        this.homeText = String.join(" ", new TreeSet<>(config.homeCountries()));
    }

    /**
     * @param account the login or SASL username; "" passes (nothing to look up)
     * @throws RuntimeException when the state store cannot be read: the caller applies its failure choice
     */
    public Judgement judge(String account, InetAddress address, Instant now) {
        String key = "account=" + account;
        if (account.isBlank()) return pass(new ClientCountry.Answer(GeoAnswer.Status.NOT_IN_DATABASE, ""), "", key, "no account");
        // Looked up whatever the setting: the caller counts the sighting in this country (SeveralCountries).
        ClientCountry.Answer country = countries.of(address);
        AccountSettings settings = book.settings(account);
        if (!settings.refuseAbroad()) return pass(country, "", key, "the account does not refuse use from abroad");
        String rule = "refuse-abroad home " + homeText;
        String setText = settings.setBy().isEmpty() ? "" : " (set by " + settings.setBy() + (settings.setAt() == null ? "" : " at " + settings.setAt()) + ")";
        if (settings.travelingAt(now)) {
            return pass(country, rule, key, "refuses use from abroad, but lifted for travel until " + settings.travelUntil() + setText);
        }
        String where = key + " client=" + dev.sekisho.engine.AddressText.of(address);
        if (!country.known()) {
            if (country.status() == GeoAnswer.Status.NO_DATABASE) return pass(country, rule, where, ClientCountry.RULES_OFF);
            if (config.unknownCountry() == AccountsConfig.UnknownCountry.ALLOW) {
                return pass(country, rule, where, country.describe() + ": allowed (accounts.unknown-country: allow)");
            }
            return new Judgement(true, country, new Explanation(name, rule, where,
                    country.describe() + ": refused (accounts.unknown-country: refuse)" + setText, Map.of()));
        }
        where = "country=" + country.code() + " " + where;
        if (config.homeCountries().contains(country.code())) return pass(country, rule, where, "country " + country.code() + " is a home country");
        return new Judgement(true, country, new Explanation(name, rule, where,
                "country " + country.code() + " is abroad and the account refuses use from abroad" + setText, Map.of()));
    }

    private Judgement pass(ClientCountry.Answer country, String rule, String key, String detail) {
        return new Judgement(false, country, new Explanation(name, rule, key, detail, Map.of()));
    }
}
