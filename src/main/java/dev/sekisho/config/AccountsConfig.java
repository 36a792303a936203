package dev.sekisho.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Per-account rules (docs/accounts.md): the "refuse use from abroad" switch and accounts seen from several countries.
 *
 * @param homeCountries   ISO 3166-1 alpha-2 codes, upper case: a client address elsewhere is "abroad"; not empty
 * @param unknownCountry  what an account that refuses use from abroad gets from an address of unknown country
 * @param severalCountries accounts seen from this many countries within the window are restricted; off when countries is 0
 * @param history         how many recent logins are kept per account for {@code sekisho account show}
 * @param historyRetention how long an account's recent logins are kept after its last one; positive, at most
 *                         {@link #MAX_HISTORY_RETENTION}
 */
public record AccountsConfig(Set<String> homeCountries, UnknownCountry unknownCountry, SeveralCountries severalCountries,
                             int history, Duration historyRetention) {
    /** The default of {@code accounts.history-retention}: a quarter, long enough to see what an account usually does. */
    public static final Duration DEFAULT_HISTORY_RETENTION = Duration.ofDays(90);
    /** Ten years: longer is a typo, and "for good" is what the retention exists to avoid. */
    public static final Duration MAX_HISTORY_RETENTION = Duration.ofDays(3660);

    public AccountsConfig {
        homeCountries = Set.copyOf(homeCountries);
        if (homeCountries.isEmpty()) throw new IllegalArgumentException("home countries must not be empty");
        Objects.requireNonNull(unknownCountry, "unknownCountry");
        Objects.requireNonNull(severalCountries, "severalCountries");
        if (history < 1) throw new IllegalArgumentException("history must be at least 1, was " + history);
        Objects.requireNonNull(historyRetention, "historyRetention");
        if (historyRetention.isNegative() || historyRetention.isZero() || historyRetention.compareTo(MAX_HISTORY_RETENTION) > 0) {
            throw new IllegalArgumentException("historyRetention must be positive and at most " + MAX_HISTORY_RETENTION + ", was " + historyRetention);
        }
    }

    public enum UnknownCountry {
        /** an address of unknown country is not counted as abroad (the explanation says so) */
        ALLOW,
        /** an address of unknown country is refused like one abroad */
        REFUSE
    }

    /**
     * @param countries    distinct countries within the window that restrict the account; 0: off
     * @param window       how far back sightings (successful logins, submissions) count
     * @param restrictFor  how long the account restriction lasts
     */
    public record SeveralCountries(int countries, Duration window, Duration restrictFor) {
        public boolean enabled() {
            return countries >= 2;
        }
    }

    /** The embedded defaults: home JP, unknown allowed, 2 countries within 1h restrict for 24h, 20 logins kept for 90 days. */
    public static AccountsConfig defaults() {
        return new AccountsConfig(Set.of("JP"), UnknownCountry.ALLOW,
                new SeveralCountries(2, Duration.ofHours(1), Duration.ofHours(24)), 20, DEFAULT_HISTORY_RETENTION);
    }
}
