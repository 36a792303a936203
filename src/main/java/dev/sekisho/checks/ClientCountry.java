package dev.sekisho.checks;

import dev.sekisho.engine.Transaction;
import dev.sekisho.geo.GeoAnswer;
import dev.sekisho.geo.GeoIp;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The country of a transaction's client address (for submission, the SMTP client that logged in), for the checks
 * that judge by country. Shared by the checks of one engine; the first lookup without a country database says once
 * that country rules are off, and every such check then answers DUNNO saying so: a country is never guessed.
 */
public final class ClientCountry {
    /** The explanation of every check that cannot judge because no country database is configured. */
    public static final String RULES_OFF = "country rules are off: no country database is configured (geoip.country-database)";

    /**
     * The country, or why it is unknown.
     *
     * @param status FOUND, or why not (NO_DATABASE, NOT_IN_DATABASE, DATABASE_ERROR)
     * @param code   the ISO 3166-1 alpha-2 code when FOUND, else ""
     */
    public record Answer(GeoAnswer.Status status, String code) {
        public boolean known() {
            return status == GeoAnswer.Status.FOUND;
        }

        /** "country JP", or "country unknown (not in the database)" and the like, for explanations. */
        public String describe() {
            return switch (status) {
                case FOUND -> "country " + code;
                case NOT_IN_DATABASE -> "country unknown (not in the database)";
                case DATABASE_ERROR -> "country unknown (the database could not be read)";
                case NO_DATABASE -> "country unknown (no country database)";
            };
        }
    }

    private final GeoIp geoIp;
    private final Consumer<String> notices;
    private final AtomicBoolean offSaid = new AtomicBoolean();

    /** @param notices where "country rules are off" goes, once */
    public ClientCountry(GeoIp geoIp, Consumer<String> notices) {
        this.geoIp = Objects.requireNonNull(geoIp, "geoIp");
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    public Answer of(Transaction tx) {
        return of(tx.clientAddress());
    }

    /** The country of an address that is not a transaction's (a login's). */
    public Answer of(java.net.InetAddress address) {
        GeoAnswer answer = geoIp.country(address);
        if (answer.countryStatus() == GeoAnswer.Status.NO_DATABASE && offSaid.compareAndSet(false, true)) {
            notices.accept(RULES_OFF + "; checks that judge by country answer DUNNO");
        }
        return new Answer(answer.countryStatus(), answer.country().orElse(""));
    }
}
