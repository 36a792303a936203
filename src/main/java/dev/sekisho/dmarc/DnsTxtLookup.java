package dev.sekisho.dmarc;

import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.RecordType;

import java.util.Objects;

/**
 * The {@link TxtLookup} seam served by the DNS layer: TXT records from a {@link DnsResolver} (usually a
 * shared {@code CachingResolver}), with its five outcomes mapped onto the four answers this package
 * knows. A temporary failure stays a {@link TxtLookup.Answer.TemporaryFailure}, never "no record".
 */
public final class DnsTxtLookup implements TxtLookup {
    private final DnsResolver resolver;

    public DnsTxtLookup(DnsResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    @Override
    public Answer txt(String name) {
        DnsOutcome outcome;
        try {
            outcome = resolver.lookup(name, RecordType.TXT);
        } catch (IllegalArgumentException notADomainName) {
            // A name that cannot be a DNS name (empty label, too long) cannot exist in the DNS either.
            return new Answer.NoSuchDomain();
        }
        return switch (outcome) {
            // RFC 7208 3.3, RFC 7489 6.1: a record's character-strings are joined without separators.
            case DnsOutcome.Answer a -> Answer.ofCharacterStrings(a.records(DnsRecord.Txt.class).stream().map(DnsRecord.Txt::strings).toList());
            case DnsOutcome.NoData n -> new Answer.NoRecords();
            case DnsOutcome.NoSuchDomain n -> new Answer.NoSuchDomain();
            case DnsOutcome.ServerFailure f -> new Answer.TemporaryFailure("server failure at " + f.name() + " TXT: " + f.reason());
            case DnsOutcome.Timeout t -> new Answer.TemporaryFailure("timeout at " + t.name() + " TXT after " + t.waited().toMillis() + " ms");
        };
    }
}
