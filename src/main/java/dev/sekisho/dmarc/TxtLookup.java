package dev.sekisho.dmarc;

import java.util.List;
import java.util.Objects;

/**
 * The one DNS question this package asks: the TXT records at a name. It is the seam to the
 * resolver (dev.sekisho.dns): an adapter maps the resolver's outcomes onto {@link Answer}, keeping
 * a temporary failure apart from "no record" (a temporary failure is never read as "no record").
 *
 * <p>Implementations must not throw for DNS trouble; they answer {@link Answer.TemporaryFailure}.
 */
@FunctionalInterface
public interface TxtLookup {

    /** The TXT records at {@code name} (lower-case A-labels, no trailing dot). */
    Answer txt(String name);

    /** What the DNS said. */
    sealed interface Answer {
        /**
         * One or more TXT records. Each element is one record, its character-strings already
         * concatenated without separator (RFC 7489 6.1, RFC 9989 4.5); see {@link #ofCharacterStrings}.
         */
        record Records(List<String> texts) implements Answer {
            public Records {
                texts = List.copyOf(texts);
                if (texts.isEmpty()) throw new IllegalArgumentException("Records needs at least one record; use NoRecords");
            }
        }

        /** The name exists but has no TXT record (NOERROR with an empty answer, "NODATA"). */
        record NoRecords() implements Answer {
        }

        /** The name does not exist (NXDOMAIN). RFC 8020: nor does anything below it. */
        record NoSuchDomain() implements Answer {
        }

        /** No answer could be had: SERVFAIL, timeout, network error. Nothing may be concluded from it. */
        record TemporaryFailure(String reason) implements Answer {
            public TemporaryFailure {
                Objects.requireNonNull(reason, "reason");
            }
        }

        static Answer records(String... texts) {
            return new Records(List.of(texts));
        }

        /** Records from each TXT record's character-strings, as a resolver returns them. */
        static Answer ofCharacterStrings(List<List<String>> records) {
            if (records.isEmpty()) return new NoRecords();
            return new Records(records.stream().map(strings -> String.join("", strings)).toList());
        }
    }
}
