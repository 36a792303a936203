package dev.sekisho.dmarc;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/**
 * Domain names as DMARC compares them: A-labels (RFC 9989 5.3.1: a U-label is converted to an
 * A-label, RFC 5890 2.3), lower case (RFC 4343), without the trailing dot.
 */
public final class DomainName {
    /** RFC 1035 2.3.4: at most 255 octets on the wire, 253 characters in text without the root dot. */
    public static final int MAX_LENGTH = 253;
    /** RFC 1035 2.3.4: labels are 63 octets or less. */
    public static final int MAX_LABEL = 63;

    private DomainName() {
    }

    /**
     * The name in the form used for comparing and querying.
     *
     * @throws IllegalArgumentException naming the value when it is not a usable domain name
     */
    public static String normalize(String name) {
        return tryNormalize(name).orElseThrow(() -> new IllegalArgumentException(
                "not a domain name: \"" + Text.quote(name == null ? "null" : name, 80) + "\""));
    }

    /** {@link #normalize(String)}, or empty for a name that cannot be a domain name. */
    public static Optional<String> tryNormalize(String name) {
        if (name == null) return Optional.empty();
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.length() > 4 * MAX_LENGTH) return Optional.empty();
        String ascii;
        if (isAscii(n)) {
            ascii = n;
        } else {
            try {
                ascii = IDN.toASCII(n, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        return valid(ascii) ? Optional.of(ascii) : Optional.empty();
    }

    /**
     * Letters, digits, hyphen and underscore (service labels such as _dmarc), labels of 1 to 63
     * characters that neither start nor end with a hyphen (RFC 1123 2.1).
     */
    static boolean valid(String ascii) {
        if (ascii.isEmpty() || ascii.length() > MAX_LENGTH) return false;
        int labelLength = 0;
        char previous = '.';
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            if (c == '.') {
                if (labelLength == 0 || previous == '-') return false;
                labelLength = 0;
                previous = c;
                continue;
            }
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok || ++labelLength > MAX_LABEL || (c == '-' && labelLength == 1)) return false;
            previous = c;
        }
        return labelLength > 0 && previous != '-';
    }

    /** The labels, left to right. */
    static String[] labels(String normalized) {
        return normalized.split("\\.", -1);
    }

    /** The parent: the name without its left-most label; empty for a single label. */
    static Optional<String> parent(String normalized) {
        int dot = normalized.indexOf('.');
        return dot < 0 ? Optional.empty() : Optional.of(normalized.substring(dot + 1));
    }

    /** The right-most {@code count} labels of a name. */
    static String lastLabels(String normalized, int count) {
        String[] labels = labels(normalized);
        if (count >= labels.length) return normalized;
        return String.join(".", java.util.Arrays.copyOfRange(labels, labels.length - count, labels.length));
    }

    static int labelCount(String normalized) {
        int n = 1;
        for (int i = 0; i < normalized.length(); i++) {
            if (normalized.charAt(i) == '.') n++;
        }
        return n;
    }

    /** The name to query in the DNS for {@code prefix.domain}, or empty when it would be too long to exist. */
    static Optional<String> under(String prefix, String normalized) {
        String name = prefix + "." + normalized;
        return name.length() > MAX_LENGTH ? Optional.empty() : Optional.of(name);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) return false;
        }
        return true;
    }
}
