package dev.sekisho.checks;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Turns a client address into the network it is judged by: senders' pools rotate addresses within
 * a /24 (IPv4) or hand each host a /64 (IPv6), so counters and triplets key on those by default.
 */
public record ClientNetworks(int ipv4Prefix, int ipv6Prefix) {
    public ClientNetworks {
        if (ipv4Prefix < 8 || ipv4Prefix > 32) throw new IllegalArgumentException("IPv4 prefix must be 8..32, was " + ipv4Prefix);
        if (ipv6Prefix < 16 || ipv6Prefix > 128) throw new IllegalArgumentException("IPv6 prefix must be 16..128, was " + ipv6Prefix);
    }

    /** The client's network in CIDR notation, e.g. 203.0.113.0/24 or 2001:db8:1:2::/64. */
    public String networkOf(InetAddress address) {
        int prefix = address instanceof Inet4Address ? ipv4Prefix : ipv6Prefix;
        return ipAddress(address).setPrefixLength(prefix, false).toPrefixBlock().toCanonicalString();
    }

    public static IPAddress ipAddress(InetAddress address) {
        return switch (address) {
            case Inet4Address v4 -> new IPv4Address(v4);
            case Inet6Address v6 -> new IPv6Address(v6);
            default -> throw new IllegalArgumentException("not an IP address: " + address);
        };
    }

    /** The address in its canonical text (RFC 5952 for IPv6). */
    public static String text(InetAddress address) {
        return ipAddress(address).toCanonicalString();
    }
}
