package dev.sekisho.dns;

import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Name;
import org.xbill.DNS.WireParseException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/** Checks and converts domain names given as text: dot-separated labels, an optional final dot, no escapes. */
public final class DnsNames {
    /** RFC 1035 2.3.4: 63 octets per label; 255 octets on the wire, i.e. 253 characters as text without the final dot. */
    public static final int MAX_LABEL = 63;
    public static final int MAX_TEXT_LENGTH = 253;

    private DnsNames() {
    }

    /** Why this text is not a usable domain name, or empty when it is. */
    public static Optional<String> problem(String name) {
        if (name == null) return Optional.of("no name");
        String text = withoutFinalDot(name);
        if (text.isEmpty()) return Optional.of("empty name");
        if (text.length() > MAX_TEXT_LENGTH) return Optional.of("longer than " + MAX_TEXT_LENGTH + " characters: " + name);
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                int length = text.substring(start, i).getBytes(StandardCharsets.UTF_8).length;
                if (length == 0) return Optional.of("empty label in " + name);
                if (length > MAX_LABEL) return Optional.of("label longer than " + MAX_LABEL + " octets in " + name);
                start = i + 1;
            }
        }
        return Optional.empty();
    }

    /** The name without its final dot, if it has one. */
    public static String withoutFinalDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** Lower case and without the final dot: the form names are compared and cached in (RFC 4343: ASCII case folding). */
    public static String canonical(String name) {
        return withoutFinalDot(name).toLowerCase(Locale.ROOT);
    }

    /**
     * The absolute dnsjava name. Built from the labels' octets rather than parsed as master-file text,
     * so a backslash or other character that SPF macro expansion can produce stays a plain character.
     */
    static Name toName(String name) {
        problem(name).ifPresent(p -> {
            throw new IllegalArgumentException("not a domain name: " + p);
        });
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (String label : withoutFinalDot(name).split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.UTF_8);
            wire.write(bytes.length);
            wire.writeBytes(bytes);
        }
        wire.write(0);
        try {
            return new Name(new DNSInput(wire.toByteArray()));
        } catch (WireParseException e) {
            throw new IllegalArgumentException("not a domain name: " + name + " (" + e.getMessage() + ")", e);
        }
    }

    /** A dnsjava name as text without the final dot. */
    static String text(Name name) {
        return withoutFinalDot(name.toString(true));
    }
}
