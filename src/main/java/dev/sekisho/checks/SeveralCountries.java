package dev.sekisho.checks;

import dev.sekisho.account.AccountBook;
import dev.sekisho.config.AccountsConfig;
import dev.sekisho.engine.AddressText;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.state.StateStore;
import dev.sekisho.state.TallyOutcome;
import dev.sekisho.state.TallyRequest;

import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Accounts seen from several countries within a short window (successful logins, submissions) are restricted: one
 * person is rarely in two countries within an hour, stolen credentials often are. Each sighting is a member
 * "COUNTRY address via" of a sliding-window distinct set on the account; when the set holds the configured number
 * of countries, the account gets a {@link Restriction} whose evidence names the countries, addresses and times (and
 * the notifier, which hears of every new restriction, reports it). An account already restricted by this rule is
 * not restricted again until that ends.
 */
public final class SeveralCountries {
    public static final String RULE = "rule:several-countries";
    /** Most sightings kept per account: far more than any threshold, few enough to keep the evidence short. */
    private static final int SIGHTINGS_CAP = 64;

    private final AccountsConfig.SeveralCountries config;
    private final StateStore store;
    private final RestrictionIndex restrictions;

    /**
     * @param store        where sightings are counted and restrictions imposed (the notifying store, so that it is reported)
     * @param restrictions {@code store}'s restrictions, shared with the other readers of that store
     */
    public SeveralCountries(AccountsConfig.SeveralCountries config, StateStore store, RestrictionIndex restrictions) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.restrictions = Objects.requireNonNull(restrictions, "restrictions");
    }

    /**
     * Count one sighting of {@code account}; an unknown country is not a sighting.
     *
     * @param via the protocol ("imap", "submission")
     * @return the restriction this sighting imposed, if it imposed one
     */
    public Optional<Restriction> sighted(String account, InetAddress address, ClientCountry.Answer country, String via, Instant now) {
        if (!config.enabled() || account.isBlank() || !country.known()) return Optional.empty();
        String canonical = AccountBook.canonical(account);
        String member = country.code() + " " + AddressText.of(address) + " " + (via.isBlank() ? "-" : via.replace(' ', '_'));
        TallyOutcome seen = store.tally(TallyRequest.member(key(canonical), member, now,
                config.window(), SIGHTINGS_CAP));
        Set<String> countries = new LinkedHashSet<>();
        for (String m : seen.members()) countries.add(m.substring(0, m.indexOf(' ')));
        if (countries.size() < config.countries()) return Optional.empty();
        Subject subject = new Subject(Subject.Kind.ACCOUNT, canonical);
        if (restrictions.exact(subject, now).filter(r -> r.imposedBy().equals(RULE)).isPresent()) return Optional.empty();
        Instant at = now.truncatedTo(ChronoUnit.SECONDS);
        String window = dev.sekisho.state.DurationText.format(config.window());
        String reason = "used from " + countries.size() + " countries within " + window + " (" + String.join(", ", countries) + ")";
        List<String> evidence = new ArrayList<>();
        evidence.add("countries=" + String.join(",", countries) + " window=" + window + " first=" + seen.oldest().truncatedTo(ChronoUnit.SECONDS)
                + " last=" + at);
        evidence.add("seen: " + String.join("; ", seen.members()));
        Restriction r = new Restriction(Restriction.newId(), subject, reason, RULE, String.join(" ", evidence), at,
                at.plus(config.restrictFor()), null, "");
        store.impose(r);
        return Optional.of(r);
    }

    /**
     * Drop the account's sightings: support staff who lift its restrictions have judged them, and the next sighting
     * must not restrict it again at once.
     */
    public void forget(String account) {
        store.forget(key(AccountBook.canonical(account)));
    }

    private static String key(String canonical) {
        return "account-countries|account:" + canonical;
    }

}
