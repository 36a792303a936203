package dev.sekisho.geo;

import java.util.Objects;
import java.util.Optional;

/**
 * What the databases say about one address: its country and its autonomous system, each with why it may be unknown.
 *
 * @param countryStatus  whether the country is known, and if not why
 * @param country        ISO 3166-1 alpha-2 code, upper case (e.g. "JP"); present exactly when {@code countryStatus} is FOUND
 * @param asStatus       whether the autonomous system is known, and if not why
 * @param asn            the AS number; present exactly when {@code asStatus} is FOUND
 * @param asOrganization the AS's organisation as the database names it; only with an AS number, and not every database has it
 */
public record GeoAnswer(Status countryStatus, Optional<String> country, Status asStatus, Optional<Long> asn,
                        Optional<String> asOrganization) {

    /** Why a part is known or not. */
    public enum Status {
        /** The database has a value for the address. */
        FOUND,
        /** A database is open but has no value for the address (a private or unallocated address, or a gap in its data). */
        NOT_IN_DATABASE,
        /** No database for this part is configured. */
        NO_DATABASE,
        /** The database could not be read at this address (a damaged file); logged once per file. */
        DATABASE_ERROR
    }

    public GeoAnswer {
        Objects.requireNonNull(countryStatus, "countryStatus");
        Objects.requireNonNull(country, "country");
        Objects.requireNonNull(asStatus, "asStatus");
        Objects.requireNonNull(asn, "asn");
        Objects.requireNonNull(asOrganization, "asOrganization");
        if (country.isPresent() != (countryStatus == Status.FOUND)) {
            throw new IllegalArgumentException("a country is present exactly when its status is FOUND, was " + countryStatus + " with " + country);
        }
        if (asn.isPresent() != (asStatus == Status.FOUND)) {
            throw new IllegalArgumentException("an AS number is present exactly when its status is FOUND, was " + asStatus + " with " + asn);
        }
        if (asOrganization.isPresent() && asn.isEmpty()) throw new IllegalArgumentException("an AS organisation needs an AS number");
        if (asn.isPresent() && asn.get() < 0) throw new IllegalArgumentException("an AS number is not negative, was " + asn.get());
    }

    /** Nothing is known because no database is configured. */
    public static GeoAnswer noDatabase() {
        return new GeoAnswer(Status.NO_DATABASE, Optional.empty(), Status.NO_DATABASE, Optional.empty(), Optional.empty());
    }

    /** True when either part is known. */
    public boolean found() {
        return countryStatus == Status.FOUND || asStatus == Status.FOUND;
    }
}
