package dev.sekisho.engine;

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

    @Override
    public String toString() {
        return kind.label() + ":" + value;
    }
}
