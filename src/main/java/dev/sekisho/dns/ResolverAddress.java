package dev.sekisho.dns;

import dev.sekisho.engine.AddressText;
import dev.sekisho.net.HostPort;

import java.net.InetSocketAddress;

/** Parses the {@code HOST[:PORT]} a resolver is given as (an IPv6 address with a port in brackets: {@code [::1]:5353}). */
public final class ResolverAddress {
    public static final int DNS_PORT = 53;

    private ResolverAddress() {
    }

    /**
     * The socket address for {@code HOST[:PORT]}. HOST must be an IP address literal: a resolver named by
     * a host name would need a resolver to find it.
     */
    public static InetSocketAddress parse(String text) {
        try {
            return HostPort.parse(text, DNS_PORT, 1).literalAddress();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("resolver address '" + text + "': " + e.getMessage(), e);
        }
    }

    /** As written in logs and JSON: {@code 192.0.2.1:53}, {@code [2001:db8::1]:53} (RFC 5952, as every address Sekisho writes). */
    public static String format(InetSocketAddress address) {
        return AddressText.of(address);
    }
}
