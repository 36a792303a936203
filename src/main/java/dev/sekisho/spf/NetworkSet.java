package dev.sekisho.spf;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * A set of IP addresses held as disjoint, sorted ranges (IPv4 and IPv6 apart), built from CIDR blocks
 * with the IPAddress library: what an SPF record lets pass, and what two records have in common.
 * Intersection is a linear sweep over both sorted lists, so comparing one customer's few networks
 * with a provider's hundreds costs microseconds, not a pairwise product.
 */
public final class NetworkSet {
    private static final NetworkSet EMPTY = new NetworkSet(List.of(), List.of());

    /** One range with its bounds as numbers for the sweep. */
    private record Span(IPAddressSeqRange range, BigInteger low, BigInteger high) {
        static Span of(IPAddressSeqRange range) {
            return new Span(range, range.getLower().getValue(), range.getUpper().getValue());
        }
    }

    private final List<Span> v4;
    private final List<Span> v6;

    private NetworkSet(List<Span> v4, List<Span> v6) {
        this.v4 = List.copyOf(v4);
        this.v6 = List.copyOf(v6);
    }

    public static NetworkSet empty() {
        return EMPTY;
    }

    /** The union of these blocks, e.g. "192.0.2.0/24", "2001:db8::/32", "192.0.2.7" (one address). */
    public static NetworkSet ofCidrs(Collection<String> cidrs) {
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (String cidr : cidrs) {
            IPAddress address = new IPAddressString(cidr).getAddress();
            if (address == null) throw new IllegalArgumentException("not an address or CIDR block: \"" + cidr + "\"");
            ranges.add(address.toPrefixBlock().toSequentialRange());
        }
        return of(ranges);
    }

    private static NetworkSet of(List<IPAddressSeqRange> ranges) {
        // join() merges overlapping and adjacent ranges and sorts them.
        IPAddressSeqRange[] v4 = ranges.stream().filter(r -> r.getLower().isIPv4()).toArray(IPAddressSeqRange[]::new);
        IPAddressSeqRange[] v6 = ranges.stream().filter(r -> r.getLower().isIPv6()).toArray(IPAddressSeqRange[]::new);
        return new NetworkSet(spans(IPAddressSeqRange.join(v4)), spans(IPAddressSeqRange.join(v6)));
    }

    private static List<Span> spans(IPAddressSeqRange[] joined) {
        return Arrays.stream(joined).map(Span::of).sorted(Comparator.comparing(Span::low)).toList();
    }

    /** Every IPv4 and every IPv6 address: what "all" matches. */
    public static NetworkSet everything() {
        return ofCidrs(List.of("0.0.0.0/0", "::/0"));
    }

    /** The addresses in either set. */
    public NetworkSet union(NetworkSet other) {
        if (other.isEmpty()) return this;
        if (isEmpty()) return other;
        List<IPAddressSeqRange> ranges = new ArrayList<>();
        for (List<Span> spans : List.of(v4, v6, other.v4, other.v6)) spans.forEach(s -> ranges.add(s.range()));
        return of(ranges);
    }

    /** The addresses in this set and not in {@code other}. */
    public NetworkSet minus(NetworkSet other) {
        if (isEmpty() || other.isEmpty()) return this;
        return new NetworkSet(subtract(v4, other.v4), subtract(v6, other.v6));
    }

    private static List<Span> subtract(List<Span> from, List<Span> taken) {
        List<Span> out = new ArrayList<>();
        for (Span span : from) {
            List<IPAddressSeqRange> left = List.of(span.range());
            for (Span t : taken) {
                if (t.high().compareTo(span.low()) < 0 || t.low().compareTo(span.high()) > 0) continue;
                List<IPAddressSeqRange> next = new ArrayList<>();
                for (IPAddressSeqRange piece : left) next.addAll(Arrays.asList(piece.subtract(t.range())));
                left = next;
            }
            left.forEach(r -> out.add(Span.of(r)));
        }
        out.sort(Comparator.comparing(Span::low));
        return out;
    }

    public boolean isEmpty() {
        return v4.isEmpty() && v6.isEmpty();
    }

    /** The addresses in both sets. */
    public NetworkSet intersect(NetworkSet other) {
        return new NetworkSet(sweep(v4, other.v4), sweep(v6, other.v6));
    }

    private static List<Span> sweep(List<Span> a, List<Span> b) {
        List<Span> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() && j < b.size()) {
            Span x = a.get(i);
            Span y = b.get(j);
            if (x.high().compareTo(y.low()) < 0) {
                i++;
            } else if (y.high().compareTo(x.low()) < 0) {
                j++;
            } else {
                out.add(Span.of(x.range().intersect(y.range())));
                if (x.high().compareTo(y.high()) < 0) i++;
                else j++;
            }
        }
        return out;
    }

    /** How many IPv4 addresses the set holds. */
    public BigInteger ipv4Count() {
        return v4.stream().map(s -> s.range().getCount()).reduce(BigInteger.ZERO, BigInteger::add);
    }

    /** How many IPv6 addresses the set holds. */
    public BigInteger ipv6Count() {
        return v6.stream().map(s -> s.range().getCount()).reduce(BigInteger.ZERO, BigInteger::add);
    }

    /** The set as the fewest CIDR blocks, IPv4 first, in address order ("192.0.2.0/24", "2001:db8::/32"). */
    public List<String> cidrs() {
        List<String> out = new ArrayList<>();
        for (List<Span> spans : List.of(v4, v6)) {
            for (Span s : spans) {
                for (IPAddress block : s.range().spanWithPrefixBlocks()) out.add(block.toCanonicalString());
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkSet other && cidrs().equals(other.cidrs());
    }

    @Override
    public int hashCode() {
        return cidrs().hashCode();
    }

    @Override
    public String toString() {
        return String.join(" ", cidrs());
    }
}
