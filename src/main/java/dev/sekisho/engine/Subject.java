package dev.sekisho.engine;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.util.Locale;
import java.util.Objects;

/**
 * Who or what a restriction or a list entry is about.
 *
 * @param kind  what sort of thing
 * @param value its canonical text: an address literal, a CIDR network, an account, a domain
 */
public record Subject(Kind kind, String value) {
    public enum Kind {
        IP, NETWORK, ACCOUNT, DOMAIN, SENDER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown subject kind '" + text + "' (ip, network, account, domain, sender)");
            }
        }
    }

    public Subject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) throw new IllegalArgumentException(kind.label() + " must not be empty");
    }

    /**
     * A subject from operator input, validated and in canonical form (addresses and networks in
     * canonical notation, names lower case), so that equal things compare equal.
     */
    public static Subject parse(Kind kind, String text) {
        String value = text == null ? "" : text.trim();
        if (value.isEmpty()) throw new IllegalArgumentException(kind.label() + " must not be empty");
        return switch (kind) {
            case IP -> {
                IPAddress address = new IPAddressString(value).getAddress();
                if (address == null || address.isPrefixed()) throw new IllegalArgumentException("not an IP address: \"" + value + "\"");
                yield new Subject(kind, address.toCanonicalString());
            }
            case NETWORK -> {
                IPAddressString parsed = new IPAddressString(value);
                IPAddress address = parsed.getAddress();
                if (address == null || !address.isPrefixed()) throw new IllegalArgumentException("not a CIDR network like 203.0.113.0/24: \"" + value + "\"");
                yield new Subject(kind, address.toPrefixBlock().toCanonicalString());
            }
            case ACCOUNT -> new Subject(kind, value.toLowerCase(Locale.ROOT));
            case DOMAIN -> {
                String domain = value.toLowerCase(Locale.ROOT);
                if (domain.endsWith(".")) domain = domain.substring(0, domain.length() - 1);
                if (!domain.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)*")) throw new IllegalArgumentException("not a domain name: \"" + value + "\"");
                yield new Subject(kind, domain);
            }
            case SENDER -> {
                if (value.indexOf('@') <= 0) throw new IllegalArgumentException("not a mail address: \"" + value + "\"");
                yield new Subject(kind, value.toLowerCase(Locale.ROOT));
            }
        };
    }

    @Override
    public String toString() {
        return kind.label() + ":" + value;
    }
}
