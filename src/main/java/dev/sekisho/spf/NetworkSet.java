package dev.sekisho.spf;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * A set of IP addresses held as disjoint, sorted ranges (IPv4 and IPv6 apart), built from CIDR blocks
 * with the IPAddress library: what an SPF record lets pass, and what two records have in common.
 * Intersection and difference are linear sweeps over both sorted lists, so comparing one
 * customer's few networks with a provider's hundreds costs microseconds, not a pairwise product.
 *
 * <p>The ranges are kept as bare numbers (IPv4 bounds as longs, IPv6 bounds as BigIntegers, in flat
 * arrays of low/high pairs), not as IPAddress objects: an audit keeps every customer's networks and
 * overlaps until it prints them, and IPAddress ranges cost about ten times as much heap per range
 * (about 3 KB per customer, which at 100,000 customers filled a 256 MiB heap). Addresses are made
 * again only to write the set out.
 */
public final class NetworkSet {
    private static final long[] NO_V4 = new long[0];
    private static final BigInteger[] NO_V6 = new BigInteger[0];
    private static final NetworkSet EMPTY = new NetworkSet(NO_V4, NO_V6);

    /** IPv4 ranges: low0, high0, low1, high1, ... sorted, disjoint and not adjacent. */
    private final long[] v4;
    /** IPv6 ranges, likewise. */
    private final BigInteger[] v6;

    private NetworkSet(long[] v4, BigInteger[] v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    private static NetworkSet of(long[] v4, BigInteger[] v6) {
        return v4.length == 0 && v6.length == 0 ? EMPTY : new NetworkSet(v4, v6);
    }

    public static NetworkSet empty() {
        return EMPTY;
    }

    /** The union of these blocks, e.g. "192.0.2.0/24", "2001:db8::/32", "192.0.2.7" (one address). */
    public static NetworkSet ofCidrs(Collection<String> cidrs) {
        List<long[]> v4 = new ArrayList<>();
        List<BigInteger[]> v6 = new ArrayList<>();
        for (String cidr : cidrs) {
            IPAddress address = new IPAddressString(cidr).getAddress();
            if (address == null) throw new IllegalArgumentException("not an address or CIDR block: \"" + cidr + "\"");
            IPAddress block = address.toPrefixBlock();
            if (block.isIPv4()) {
                v4.add(new long[]{block.getLower().toIPv4().longValue(), block.getUpper().toIPv4().longValue()});
            } else {
                v6.add(new BigInteger[]{block.getLower().getValue(), block.getUpper().getValue()});
            }
        }
        return of(joinV4(v4), joinV6(v6));
    }

    /** Sorts the ranges and merges those that overlap or touch. */
    private static long[] joinV4(List<long[]> ranges) {
        if (ranges.isEmpty()) return NO_V4;
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        long[] out = new long[ranges.size() * 2];
        int n = 0;
        for (long[] r : ranges) {
            if (n > 0 && r[0] <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], r[1]);
            } else {
                out[n++] = r[0];
                out[n++] = r[1];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static BigInteger[] joinV6(List<BigInteger[]> ranges) {
        if (ranges.isEmpty()) return NO_V6;
        ranges.sort(Comparator.comparing(r -> r[0]));
        BigInteger[] out = new BigInteger[ranges.size() * 2];
        int n = 0;
        for (BigInteger[] r : ranges) {
            if (n > 0 && r[0].compareTo(out[n - 1].add(BigInteger.ONE)) <= 0) {
                out[n - 1] = out[n - 1].max(r[1]);
            } else {
                out[n++] = r[0];
                out[n++] = r[1];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Every IPv4 and every IPv6 address: what "all" matches. */
    public static NetworkSet everything() {
        return of(new long[]{0, 0xffff_ffffL}, new BigInteger[]{BigInteger.ZERO, BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE)});
    }

    /** The addresses in either set. */
    public NetworkSet union(NetworkSet other) {
        if (other.isEmpty()) return this;
        if (isEmpty()) return other;
        List<long[]> v4Ranges = new ArrayList<>();
        for (long[] side : List.of(v4, other.v4)) {
            for (int i = 0; i < side.length; i += 2) v4Ranges.add(new long[]{side[i], side[i + 1]});
        }
        List<BigInteger[]> v6Ranges = new ArrayList<>();
        for (BigInteger[] side : List.of(v6, other.v6)) {
            for (int i = 0; i < side.length; i += 2) v6Ranges.add(new BigInteger[]{side[i], side[i + 1]});
        }
        return of(joinV4(v4Ranges), joinV6(v6Ranges));
    }

    /** The addresses in this set and not in {@code other}. */
    public NetworkSet minus(NetworkSet other) {
        if (isEmpty() || other.isEmpty()) return this;
        return of(minusV4(v4, other.v4), minusV6(v6, other.v6));
    }

    private static long[] minusV4(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        int n = 0;
        int j = 0;
        for (int i = 0; i < a.length; i += 2) {
            long from = a[i];
            long to = a[i + 1];
            while (j < b.length && b[j + 1] < from) j += 2;
            for (int k = j; k < b.length && b[k] <= to && from <= to; k += 2) {
                if (b[k] > from) {
                    out[n++] = from;
                    out[n++] = b[k] - 1;
                }
                from = Math.max(from, b[k + 1] + 1);
            }
            if (from <= to) {
                out[n++] = from;
                out[n++] = to;
            }
        }
        return n == 0 ? NO_V4 : Arrays.copyOf(out, n);
    }

    private static BigInteger[] minusV6(BigInteger[] a, BigInteger[] b) {
        BigInteger[] out = new BigInteger[a.length + b.length];
        int n = 0;
        int j = 0;
        for (int i = 0; i < a.length; i += 2) {
            BigInteger from = a[i];
            BigInteger to = a[i + 1];
            while (j < b.length && b[j + 1].compareTo(from) < 0) j += 2;
            for (int k = j; k < b.length && b[k].compareTo(to) <= 0 && from.compareTo(to) <= 0; k += 2) {
                if (b[k].compareTo(from) > 0) {
                    out[n++] = from;
                    out[n++] = b[k].subtract(BigInteger.ONE);
                }
                from = from.max(b[k + 1].add(BigInteger.ONE));
            }
            if (from.compareTo(to) <= 0) {
                out[n++] = from;
                out[n++] = to;
            }
        }
        return n == 0 ? NO_V6 : Arrays.copyOf(out, n);
    }

    public boolean isEmpty() {
        return v4.length == 0 && v6.length == 0;
    }

    /** The addresses in both sets. */
    public NetworkSet intersect(NetworkSet other) {
        return of(sweepV4(v4, other.v4), sweepV6(v6, other.v6));
    }

    private static long[] sweepV4(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i + 1] < b[j]) {
                i += 2;
            } else if (b[j + 1] < a[i]) {
                j += 2;
            } else {
                out[n++] = Math.max(a[i], b[j]);
                out[n++] = Math.min(a[i + 1], b[j + 1]);
                if (a[i + 1] < b[j + 1]) i += 2;
                else j += 2;
            }
        }
        return n == 0 ? NO_V4 : Arrays.copyOf(out, n);
    }

    private static BigInteger[] sweepV6(BigInteger[] a, BigInteger[] b) {
        BigInteger[] out = new BigInteger[a.length + b.length];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i + 1].compareTo(b[j]) < 0) {
                i += 2;
            } else if (b[j + 1].compareTo(a[i]) < 0) {
                j += 2;
            } else {
                // max/min return one of the operands, so an overlap shares the customer's numbers.
                out[n++] = a[i].max(b[j]);
                out[n++] = a[i + 1].min(b[j + 1]);
                if (a[i + 1].compareTo(b[j + 1]) < 0) i += 2;
                else j += 2;
            }
        }
        return n == 0 ? NO_V6 : Arrays.copyOf(out, n);
    }

    /** How many IPv4 addresses the set holds. */
    public BigInteger ipv4Count() {
        long count = 0;
        for (int i = 0; i < v4.length; i += 2) count += v4[i + 1] - v4[i] + 1;
        return BigInteger.valueOf(count);
    }

    /** How many IPv6 addresses the set holds. */
    public BigInteger ipv6Count() {
        BigInteger count = BigInteger.ZERO;
        for (int i = 0; i < v6.length; i += 2) count = count.add(v6[i + 1].subtract(v6[i])).add(BigInteger.ONE);
        return count;
    }

    /** The set as the fewest CIDR blocks, IPv4 first, in address order ("192.0.2.0/24", "2001:db8::/32"). */
    public List<String> cidrs() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v4.length; i += 2) {
            blocks(new IPv4Address((int) v4[i]).spanWithRange(new IPv4Address((int) v4[i + 1])), out);
        }
        for (int i = 0; i < v6.length; i += 2) {
            blocks(new IPv6Address(v6[i]).spanWithRange(new IPv6Address(v6[i + 1])), out);
        }
        return out;
    }

    private static void blocks(IPAddressSeqRange range, List<String> out) {
        for (IPAddress block : range.spanWithPrefixBlocks()) out.add(block.toCanonicalString());
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
