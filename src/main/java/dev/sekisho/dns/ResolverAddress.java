package dev.sekisho.dns;

import dev.sekisho.engine.AddressText;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

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
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty resolver address");
        String host = text.trim();
        int port = DNS_PORT;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("resolver address '" + text + "': missing ']'");
            String rest = host.substring(close + 1);
            host = host.substring(1, close);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) throw new IllegalArgumentException("resolver address '" + text + "': expected ':PORT' after ']'");
                port = port(text, rest.substring(1));
            }
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            port = port(text, host.substring(host.indexOf(':') + 1));
            host = host.substring(0, host.indexOf(':'));
        }
        if (!looksLikeAddress(host)) {
            throw new IllegalArgumentException("resolver address '" + text + "': HOST must be an IPv4 or IPv6 address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("resolver address '" + text + "': not an IP address", e);
        }
    }

    private static boolean looksLikeAddress(String host) {
        // InetAddress.getByName would otherwise resolve a host name through the system resolver.
        return host.matches("[0-9.]+") && host.chars().filter(c -> c == '.').count() == 3 || host.matches("[0-9A-Fa-f:.]+") && host.contains(":");
    }

    private static int port(String text, String digits) {
        try {
            int port = Integer.parseInt(digits);
            if (port < 1 || port > 65535) throw new NumberFormatException();
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("resolver address '" + text + "': port must be 1-65535, was '" + digits + "'");
        }
    }

    /** As written in logs and JSON: {@code 192.0.2.1:53}, {@code [2001:db8::1]:53} (RFC 5952, as every address Sekisho writes). */
    public static String format(InetSocketAddress address) {
        return AddressText.of(address);
    }
}
