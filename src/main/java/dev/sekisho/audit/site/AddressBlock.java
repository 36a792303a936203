package dev.sekisho.audit.site;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** A CIDR block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}, and whether it contains an address. */
public record AddressBlock(byte[] network, int prefixLength, String text) {

    public AddressBlock {
        network = network.clone();
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range in " + text);
        }
    }

    /** Parses {@code ADDRESS/LENGTH} (an IP literal, never a name to resolve); a bare address is a /32 or /128. */
    public static AddressBlock parse(String cidr) {
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        if (!host.matches("[0-9A-Fa-f:.]+") || !(host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            throw new IllegalArgumentException("not a CIDR block: '" + cidr + "'");
        }
        try {
            byte[] bytes = InetAddress.getByName(host).getAddress();
            if (host.contains(":") && bytes.length == 4) {
                // Java reads IPv4-mapped literals (::ffff:0:0) as IPv4; an IPv6 block keeps its 16-byte form.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                bytes = mapped;
            }
            int length = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1).trim());
            return new AddressBlock(bytes, length, text);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR block: '" + cidr + "'", e);
        }
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) return false;
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) if (bytes[i] != network[i]) return false;
        int rest = prefixLength % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (bytes[full] & mask) == (network[full] & mask);
    }

    public boolean isIpv4() {
        return network.length == 4;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressBlock b && b.prefixLength == prefixLength && Arrays.equals(b.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        return text;
    }

    /** An address as reasons write it: dotted quad, or IPv6 in the RFC 5952 form (2001:db8::80, not 2001:db8:0:0:0:0:0:80). */
    public static String text(InetAddress address) {
        if (address instanceof Inet4Address) return address.getHostAddress();
        IPAddress parsed = new IPAddressString(address.getHostAddress()).getAddress();
        return parsed == null ? address.getHostAddress() : parsed.toCanonicalString();
    }

    /** {@code address:port}, with an IPv6 address in brackets (RFC 5952 6). */
    public static String text(java.net.InetSocketAddress socket) {
        String host = text(socket.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + socket.getPort();
    }
}
