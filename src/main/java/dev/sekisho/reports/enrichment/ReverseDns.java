package dev.sekisho.reports.enrichment;

import java.util.Objects;
import java.util.Optional;

/**
 * What forward-confirmed reverse DNS says about an address (the "FCrDNS" of RFC 8601 2.7.3's iprev): the PTR names of
 * the address, and whether one of them resolves back to it. The four outcomes stay distinct: a temporary failure is
 * never read as "no PTR".
 */
public sealed interface ReverseDns {

    /** The word the store and the output use: confirmed, unconfirmed, no-ptr, unknown. */
    String word();

    /** The PTR name, when there is one worth showing. */
    Optional<String> ptrName();

    /** A PTR name whose address records include the address: the name is the owner's, not just claimed. */
    record Confirmed(String name) implements ReverseDns {
        public Confirmed {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String word() {
            return "confirmed";
        }

        @Override
        public Optional<String> ptrName() {
            return Optional.of(name);
        }
    }

    /**
     * PTR names exist but none resolves back to the address: whoever controls the reverse zone can write any name, so
     * this one proves nothing (the first name is kept, to show).
     */
    record Unconfirmed(String name) implements ReverseDns {
        public Unconfirmed {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String word() {
            return "unconfirmed";
        }

        @Override
        public Optional<String> ptrName() {
            return Optional.of(name);
        }
    }

    /** The address has no PTR record (NXDOMAIN or no data). */
    record NoPtr() implements ReverseDns {
        @Override
        public String word() {
            return "no-ptr";
        }

        @Override
        public Optional<String> ptrName() {
            return Optional.empty();
        }
    }

    /** A lookup failed for now (SERVFAIL, timeout, or no time left): asked again at the next enrichment. */
    record Unknown(String reason) implements ReverseDns {
        public Unknown {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String word() {
            return "unknown";
        }

        @Override
        public Optional<String> ptrName() {
            return Optional.empty();
        }
    }

    /** Back from the words a store keeps: {@link #word()}, the name, and an unknown outcome's reason. */
    static ReverseDns fromStored(String word, Optional<String> name, Optional<String> reason) {
        return switch (word) {
            case "confirmed" -> new Confirmed(name.orElseThrow(() -> new IllegalArgumentException("a confirmed name is missing")));
            case "unconfirmed" -> new Unconfirmed(name.orElseThrow(() -> new IllegalArgumentException("an unconfirmed name is missing")));
            case "no-ptr" -> new NoPtr();
            case "unknown" -> new Unknown(reason.orElse(""));
            default -> throw new IllegalArgumentException("not a reverse DNS outcome: '" + word + "'");
        };
    }
}
