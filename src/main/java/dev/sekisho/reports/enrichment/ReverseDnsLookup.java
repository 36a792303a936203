package dev.sekisho.reports.enrichment;

import dev.sekisho.dns.DnsNames;
import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.RecordType;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Forward-confirmed reverse DNS of one address: the PTR names of its reverse name, then the A (IPv4) or AAAA (IPv6)
 * records of each name, which must include the address. Every lookup goes through a {@link DnsResolver}, whose deadline
 * bounds it; at most {@link #MAX_NAMES} names are checked, so one address costs at most {@code 1 + MAX_NAMES} lookups.
 */
public final class ReverseDnsLookup {
    /** PTR names checked per address: a reverse zone may list many, and each costs a lookup. */
    public static final int MAX_NAMES = 3;

    private final DnsResolver resolver;

    public ReverseDnsLookup(DnsResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    public ReverseDns lookup(InetAddress address) {
        Objects.requireNonNull(address, "address");
        String reverseName = reverseName(address);
        DnsOutcome ptr = resolver.lookup(reverseName, RecordType.PTR);
        List<String> names;
        switch (ptr) {
            case DnsOutcome.Answer answer -> {
                // Sorted so that which names are checked, and which unconfirmed name is shown, does not depend on record order.
                TreeSet<String> sorted = new TreeSet<>();
                for (DnsRecord.Ptr p : answer.records(DnsRecord.Ptr.class)) {
                    String name = DnsNames.withoutFinalDot(p.target()).toLowerCase(Locale.ROOT);
                    if (!name.isEmpty() && DnsNames.problem(name).isEmpty()) sorted.add(name);
                }
                if (sorted.isEmpty()) return new ReverseDns.NoPtr();
                names = new ArrayList<>(sorted).subList(0, Math.min(MAX_NAMES, sorted.size()));
            }
            case DnsOutcome.NoData n -> {
                return new ReverseDns.NoPtr();
            }
            case DnsOutcome.NoSuchDomain n -> {
                return new ReverseDns.NoPtr();
            }
            case DnsOutcome.ServerFailure f -> {
                return new ReverseDns.Unknown("PTR " + reverseName + ": server failure (" + f.reason() + ")");
            }
            case DnsOutcome.Timeout t -> {
                return new ReverseDns.Unknown("PTR " + reverseName + ": no answer within " + t.waited().toMillis() + " ms");
            }
        }

        RecordType forward = address instanceof Inet4Address ? RecordType.A : RecordType.AAAA;
        Optional<String> temporaryFailure = Optional.empty();
        for (String name : names) {
            DnsOutcome outcome = resolver.lookup(name, forward);
            if (outcome instanceof DnsOutcome.Answer answer
                    && answer.records(DnsRecord.Address.class).stream().anyMatch(a -> a.address().equals(address))) {
                return new ReverseDns.Confirmed(name);
            }
            if (outcome.isTemporaryFailure() && temporaryFailure.isEmpty()) {
                temporaryFailure = Optional.of(forward + " " + name + ": " + (outcome instanceof DnsOutcome.Timeout t
                        ? "no answer within " + t.waited().toMillis() + " ms" : "server failure (" + ((DnsOutcome.ServerFailure) outcome).reason() + ")"));
            }
        }
        // A name that could not be checked might have confirmed: say unknown, not unconfirmed.
        if (temporaryFailure.isPresent()) return new ReverseDns.Unknown(temporaryFailure.get());
        return new ReverseDns.Unconfirmed(names.getFirst());
    }

    /**
     * The name whose PTR records name the address: the IPv4 octets reversed under in-addr.arpa (RFC 1035 3.5), the IPv6
     * nibbles reversed under ip6.arpa (RFC 3596 2.5).
     */
    static String reverseName(InetAddress address) {
        byte[] bytes = address.getAddress();
        StringBuilder name = new StringBuilder();
        if (address instanceof Inet4Address) {
            for (int i = bytes.length - 1; i >= 0; i--) name.append(bytes[i] & 0xFF).append('.');
            return name.append("in-addr.arpa").toString();
        }
        for (int i = bytes.length - 1; i >= 0; i--) {
            name.append(Character.forDigit(bytes[i] & 0x0F, 16)).append('.').append(Character.forDigit((bytes[i] >> 4) & 0x0F, 16)).append('.');
        }
        return name.append("ip6.arpa").toString();
    }
}
