package dev.sekisho.net;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.InetSocketAddress;

/**
 * A host and a port as written in configuration and on the command line: {@code 192.0.2.1:25},
 * {@code mail.example.com:993}, {@code [2001:db8::1]:53}, or the host alone where a default port applies.
 * An IPv6 address takes brackets when a port follows (RFC 3986 3.2.2); without a port it may stand bare.
 *
 * @param host the host without brackets: a name or an IP address literal
 * @param port 0 to 65535
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isEmpty()) throw new IllegalArgumentException("the host is empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }

    /**
     * Reads {@code HOST:PORT}, or {@code HOST} alone when {@code defaultPort} is given.
     *
     * @param defaultPort the port when none is written, or -1 when one must be
     * @param lowestPort  the smallest port accepted: 0 for a listener (any free port), 1 for a server to reach
     * @throws IllegalArgumentException naming what is wrong, with the text as given
     */
    public static HostPort parse(String text, int defaultPort, int lowestPort) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) throw new IllegalArgumentException("empty address, expected " + shape(defaultPort));
        String host;
        String portText = null;
        if (trimmed.startsWith("[")) {
            int close = trimmed.indexOf(']');
            if (close < 0) throw invalid(trimmed, "'[' without ']'", defaultPort);
            host = trimmed.substring(1, close);
            String rest = trimmed.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) throw invalid(trimmed, "only ':PORT' may follow ']'", defaultPort);
                portText = rest.substring(1);
            }
        } else {
            int first = trimmed.indexOf(':');
            if (first >= 0 && first == trimmed.lastIndexOf(':')) {
                host = trimmed.substring(0, first);
                portText = trimmed.substring(first + 1);
            } else {
                host = trimmed; // no colon, or a bare IPv6 address (several colons)
            }
        }
        if (host.isEmpty()) throw invalid(trimmed, "the host is missing", defaultPort);
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                String hint = host.indexOf(':') >= 0 ? " (an IPv6 address with a port goes in brackets: [" + host + "]:PORT)" : "";
                throw invalid(trimmed, "the port is missing" + hint, defaultPort);
            }
            port = defaultPort;
        } else {
            port = port(trimmed, portText, lowestPort);
        }
        return new HostPort(host, port);
    }

    /** This endpoint as a socket address, without DNS: the host must be an IP address literal. */
    public InetSocketAddress literalAddress() {
        IPAddress address = new IPAddressString(host).getAddress();
        if (address == null || address.isPrefixed()) {
            throw new IllegalArgumentException("the host must be an IP address, was \"" + host + "\"");
        }
        return new InetSocketAddress(address.toInetAddress(), port);
    }

    private static int port(String text, String digits, int lowestPort) {
        int port;
        try {
            port = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number, was \"" + digits + "\" in \"" + text + "\"");
        }
        if (port < lowestPort || port > 65535) {
            throw new IllegalArgumentException("port must be " + lowestPort + "..65535, was " + port);
        }
        return port;
    }

    private static IllegalArgumentException invalid(String text, String why, int defaultPort) {
        return new IllegalArgumentException(why + ": expected " + shape(defaultPort) + ", was \"" + text + "\"");
    }

    private static String shape(int defaultPort) {
        return defaultPort < 0 ? "HOST:PORT like 127.0.0.1:10040 or [::1]:10040" : "HOST or HOST:PORT like 192.0.2.1:" + defaultPort + " or [::1]:" + defaultPort;
    }
}
