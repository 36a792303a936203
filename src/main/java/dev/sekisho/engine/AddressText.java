package dev.sekisho.engine;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Client addresses as keys and logs write them: IPv4 as a dotted quad, IPv6 in the canonical form
 * of RFC 5952 (lower-case hex, no leading zeros, the longest run of two or more zero groups as
 * "::"). Written here in a few lines because every IPv6 request needs it, and a general address
 * library spends more on it than the rest of the decision.
 */
public final class AddressText {
    private AddressText() {
    }

    public static String of(InetAddress address) {
        return switch (address) {
            case Inet4Address v4 -> v4.getHostAddress();
            case Inet6Address v6 -> ipv6(v6.getAddress());
            default -> throw new IllegalArgumentException("not an IP address: " + address);
        };
    }

    /** {@code address:port}, an IPv6 address in brackets (RFC 5952 6): {@code [2001:db8::1]:25}. */
    public static String of(java.net.InetSocketAddress socket) {
        if (socket.getAddress() == null) return socket.getHostString() + ":" + socket.getPort(); // unresolved: as given
        String host = of(socket.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + socket.getPort();
    }

    /** The 16 bytes of an IPv6 address in RFC 5952 form. */
    public static String ipv6(byte[] address) {
        if (address.length != 16) throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + address.length);
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = (address[2 * i] & 0xff) << 8 | (address[2 * i + 1] & 0xff);
        // RFC 5952 4.2.2-4.2.3: "::" shortens the longest run of zero groups, the first if tied, and never a single group.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) i++;
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') text.append(':');
            text.append(Integer.toHexString(groups[i])); // RFC 5952 4.1 and 4.3: no leading zeros, lower case
        }
        return text.toString();
    }
}
