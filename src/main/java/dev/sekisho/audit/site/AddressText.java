package dev.sekisho.audit.site;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Addresses as reasons, evidence and problems write them. */
final class AddressText {
    private AddressText() {
    }

    /** Dotted quad, or IPv6 in the RFC 5952 form (2001:db8::80, not 2001:db8:0:0:0:0:0:80). */
    static String of(InetAddress address) {
        if (address instanceof Inet4Address) return address.getHostAddress();
        IPAddress parsed = new IPAddressString(address.getHostAddress()).getAddress();
        return parsed == null ? address.getHostAddress() : parsed.toCanonicalString();
    }

    /** {@code address:port}, with an IPv6 address in brackets (RFC 5952 6). */
    static String of(InetSocketAddress socket) {
        String host = of(socket.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + socket.getPort();
    }
}
