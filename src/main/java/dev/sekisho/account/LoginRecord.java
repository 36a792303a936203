package dev.sekisho.account;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * One login of an account as {@code sekisho account show} lists it.
 *
 * @param at       when
 * @param address  the client's address
 * @param country  ISO code, or "" when unknown
 * @param protocol "imap", "pop3", "smtp", ...
 * @param result   "ok", or why it was refused ("refused: abroad")
 */
public record LoginRecord(Instant at, String address, String country, String protocol, String result) {
    public LoginRecord {
        address = clean(address);
        country = clean(country);
        protocol = clean(protocol);
        result = clean(result);
    }

    /** Tab-separated, as kept in the state store. */
    String encode() {
        return at + "\t" + address + "\t" + country + "\t" + protocol + "\t" + result;
    }

    /** Empty for an entry that does not parse (written by a newer version, say): it is skipped, not fatal. */
    static Optional<LoginRecord> decode(String text) {
        String[] parts = text.split("\t", -1);
        if (parts.length != 5) return Optional.empty();
        try {
            return Optional.of(new LoginRecord(Instant.parse(parts[0]), parts[1], parts[2], parts[3], parts[4]));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** No tab or line break can enter a stored entry. */
    private static String clean(String s) {
        return s == null ? "" : s.replaceAll("[\\t\\r\\n]", " ");
    }
}
