package dev.sekisho.checks;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import dev.sekisho.engine.AddressText;
import dev.sekisho.engine.Transaction;

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
        if (address instanceof Inet4Address) {
            // The common case on the hot path, in plain arithmetic: a.b.c.0/24
            int bits = ipv4Bits(address.getAddress());
            int masked = ipv4Prefix == 0 ? 0 : bits & (-1 << (32 - ipv4Prefix));
            return dotted(masked) + "/" + ipv4Prefix;
        }
        byte[] bytes = address.getAddress();
        // Clear the host bits: whole bytes past the prefix, then the partial byte.
        for (int bit = ipv6Prefix; bit < 128; bit++) bytes[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        return AddressText.ipv6(bytes) + "/" + ipv6Prefix;
    }

    private static int ipv4Bits(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static String dotted(int bits) {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }

    public static IPAddress ipAddress(InetAddress address) {
        return switch (address) {
            case Inet4Address v4 -> new IPv4Address(v4);
            case Inet6Address v6 -> new IPv6Address(v6);
            default -> throw new IllegalArgumentException("not an IP address: " + address);
        };
    }

    /**
     * The client's network, from the text the transaction already carries when it can be: a /24
     * of a dotted quad is its first three octets, with no arithmetic and no copy of the address.
     */
    public String networkOf(Transaction tx) {
        if (ipv4Prefix == 24 && tx.clientAddress() instanceof Inet4Address) {
            String ip = tx.clientIp();
            return ip.substring(0, ip.lastIndexOf('.') + 1).concat("0/24");
        }
        return networkOf(tx.clientAddress());
    }
}
