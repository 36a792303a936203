package dev.sekisho.dmarc;

import dev.sekisho.config.ByteSizes;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One URI of a rua or ruf list (RFC 7489 6.2, RFC 9989 4.6).
 *
 * @param text      the URI as published, size suffix included
 * @param scheme    the scheme in lower case ("mailto", "https", ...)
 * @param address   for mailto: the mailbox (local@domain, percent-decoded, hfields removed); "" otherwise
 * @param domain    for mailto: the mailbox's domain as an A-label in lower case; "" otherwise
 * @param sizeLimit the RFC 7489 size limit in bytes ("!10m"), if any
 */
public record ReportUri(String text, String scheme, String address, String domain, OptionalLong sizeLimit) {

    public boolean isMailto() {
        return scheme.equals("mailto");
    }

    /** Either a URI or the reason it is not one. */
    record Parsed(Optional<ReportUri> uri, String problem) {
    }

    /** RFC 7489 6.4: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]. */
    static Parsed parse(String text) {
        if (text.isEmpty()) return problem("an empty URI (a stray comma?)");
        String uri = text;
        OptionalLong size = OptionalLong.empty();
        int bang = text.lastIndexOf('!');
        if (bang >= 0) {
            // RFC 7489 6.2: a "!" outside the size suffix MUST be percent-encoded.
            String suffix = text.substring(bang + 1);
            long limit = sizeLimit(suffix);
            if (limit < 0 || text.indexOf('!') != bang) {
                return problem("\"!\" must be percent-encoded except before a size limit such as !10m");
            }
            uri = text.substring(0, bang);
            size = OptionalLong.of(limit);
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f) return problem("a URI cannot contain spaces, control or non-ASCII characters");
        }
        int colon = uri.indexOf(':');
        if (colon <= 0 || !uri.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            return problem("not a URI: it needs a scheme, e.g. mailto:" + (uri.contains("@") ? uri : "dmarc@example.com"));
        }
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("mailto")) {
            try {
                new URI(uri);
            } catch (URISyntaxException e) {
                return problem("not a valid URI (" + e.getReason() + ")");
            }
            return new Parsed(Optional.of(new ReportUri(text, scheme, "", "", size)), "");
        }
        // RFC 6068 2: mailto:addr-spec, optionally followed by ?hfields.
        String rest = uri.substring(colon + 1);
        int query = rest.indexOf('?');
        if (query >= 0) rest = rest.substring(0, query);
        String address;
        try {
            address = percentDecode(rest);
        } catch (IllegalArgumentException e) {
            return problem("a bad percent-encoding in the address");
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c <= 0x20 || c == 0x7f) return problem("the address contains spaces or control characters");
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return problem("a mailto: URI needs an address local@domain");
        }
        Optional<String> domain = DomainName.tryNormalize(address.substring(at + 1));
        if (domain.isEmpty() || !domain.get().contains(".")) {
            return problem("the address's domain \"" + Text.quote(address.substring(at + 1)) + "\" is not a valid domain name");
        }
        return new Parsed(Optional.of(new ReportUri(text, scheme, address.substring(0, at + 1) + domain.get(), domain.get(), size)), "");
    }

    /**
     * The size in bytes ("10m" = 10 MiB; RFC 7489 6.2 units k, m, g, t are powers of two), or -1. More than 12 digits
     * is no size anyone publishes: read as a stray "!".
     */
    private static long sizeLimit(String suffix) {
        if (!suffix.matches("[0-9]{1,12}[kmgtKMGT]?")) return -1;
        return ByteSizes.parse(suffix);
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) return s;
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new IllegalArgumentException("truncated escape");
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw new IllegalArgumentException("bad escape");
                out[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static Parsed problem(String problem) {
        return new Parsed(Optional.empty(), problem);
    }
}
