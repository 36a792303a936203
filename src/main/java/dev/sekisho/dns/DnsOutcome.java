package dev.sekisho.dns;

import java.time.Duration;
import java.util.List;

/**
 * What one lookup found. The five cases stay distinct so that nobody reads a temporary failure
 * ({@link ServerFailure}, {@link Timeout}) as "there is no such record" ({@link NoData},
 * {@link NoSuchDomain}).
 */
public sealed interface DnsOutcome {

    /** The name that was asked about, as asked (without the final dot). */
    String name();

    RecordType type();

    /** True for the outcomes that say nothing about the data: asking again later may give an answer. */
    default boolean isTemporaryFailure() {
        return this instanceof ServerFailure || this instanceof Timeout;
    }

    /**
     * Records of the type asked for. {@code canonicalName} is the owner of the records after any CNAME
     * chain ({@code cnameChain} lists the aliases followed, empty when none); {@code ttl} is the
     * smallest TTL of the records and the aliases, i.e. how long the whole answer may be kept.
     */
    record Answer(String name, RecordType type, List<DnsRecord> records, Duration ttl, String canonicalName,
                  List<String> cnameChain) implements DnsOutcome {
        public Answer {
            records = List.copyOf(records);
            cnameChain = List.copyOf(cnameChain);
            if (records.isEmpty()) throw new IllegalArgumentException("an answer has records; for none use NoData");
        }

        /** The records of one kind, e.g. {@code answer.records(DnsRecord.Mx.class)}. */
        public <T extends DnsRecord> List<T> records(Class<T> kind) {
            return records.stream().filter(kind::isInstance).map(kind::cast).toList();
        }
    }

    /**
     * The name exists but has no records of this type (RCODE 0 with an empty answer). {@code negativeTtl}
     * is how long this may be cached (RFC 2308 5: the SOA's TTL capped by its minimum field); zero when
     * the server sent no SOA, so it must not be cached.
     */
    record NoData(String name, RecordType type, Duration negativeTtl) implements DnsOutcome {
    }

    /** The name does not exist (RCODE 3, NXDOMAIN); {@code negativeTtl} as for {@link NoData}. */
    record NoSuchDomain(String name, RecordType type, Duration negativeTtl) implements DnsOutcome {
    }

    /**
     * No usable answer: SERVFAIL, REFUSED or another error code, a malformed reply, a network error,
     * a CNAME loop or a chain too long. {@code reason} says which, for logs and explanations.
     */
    record ServerFailure(String name, RecordType type, String reason) implements DnsOutcome {
    }

    /** No answer before the query's deadline (or no room among the queries in flight before it). */
    record Timeout(String name, RecordType type, Duration waited) implements DnsOutcome {
    }
}
