package dev.sekisho.dmarc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The Public Suffix List (publicsuffix.org), and the organisational domain by it (RFC 7489 3.2).
 *
 * <p>Rules follow the list's format: plain rules, wildcards ("*.ck") and exceptions ("!www.ck"),
 * in an ICANN and a private section; entries in Unicode are matched as A-labels (punycode).
 * A copy of the list ships in resources/dmarc/public_suffix_list.dat (MPL 2.0, see the NOTICE beside it).
 */
public final class PublicSuffixList {
    private static final String RESOURCE = "/dmarc/public_suffix_list.dat";

    /** Which part of the list a rule came from. */
    public enum Section {
        /** Between "===BEGIN ICANN DOMAINS===" and its END. */
        ICANN,
        /** Between "===BEGIN PRIVATE DOMAINS===" and its END: suffixes run by companies (e.g. blogspot.com). */
        PRIVATE,
        /** No rule matched; the list's implicit rule "*" made the top-level label the suffix. */
        DEFAULT
    }

    private enum Kind { NORMAL, WILDCARD, EXCEPTION }

    private record Rule(Kind kind, Section section) {
    }

    /** The public suffix of a name and the registrable (organisational) domain below it. */
    public record Match(String domain, String publicSuffix, String registrableDomain, Section section) {
        /** True when the domain is itself a public suffix, so nothing below the suffix is registered. */
        public boolean isPublicSuffix() {
            return domain.equals(publicSuffix);
        }
    }

    private final Map<String, Rule> rules;
    private final boolean includePrivate;
    private final String version;
    private final int unusable;

    private PublicSuffixList(Map<String, Rule> rules, boolean includePrivate, String version, int unusable) {
        this.rules = rules;
        this.includePrivate = includePrivate;
        this.version = version;
        this.unusable = unusable;
    }

    private static final class Bundled {
        static final PublicSuffixList LIST = load();

        private static PublicSuffixList load() {
            try (InputStream in = PublicSuffixList.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException("the bundled Public Suffix List " + RESOURCE + " is missing from the classpath");
                return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the bundled Public Suffix List " + RESOURCE, e);
            }
        }
    }

    /** The copy bundled with Sekisho, both sections; loaded once. */
    public static PublicSuffixList bundled() {
        return Bundled.LIST;
    }

    /** A list in the publicsuffix.org format. */
    public static PublicSuffixList parse(Reader reader) throws IOException {
        Map<String, Rule> rules = new HashMap<>();
        String version = "";
        Section section = Section.ICANN;
        int unusable = 0;
        BufferedReader in = new BufferedReader(reader);
        for (String line; (line = in.readLine()) != null; ) {
            String t = line.strip();
            if (t.startsWith("//")) {
                if (t.contains("===BEGIN ICANN DOMAINS===")) section = Section.ICANN;
                if (t.contains("===BEGIN PRIVATE DOMAINS===")) section = Section.PRIVATE;
                if (t.startsWith("// VERSION:")) version = t.substring("// VERSION:".length()).strip();
                continue;
            }
            if (t.isEmpty()) continue;
            // The format: each line is only read up to the first white space.
            int space = 0;
            while (space < t.length() && !Character.isWhitespace(t.charAt(space))) space++;
            String rule = t.substring(0, space);
            Kind kind = Kind.NORMAL;
            if (rule.startsWith("!")) {
                kind = Kind.EXCEPTION;
                rule = rule.substring(1);
            } else if (rule.startsWith("*.")) {
                kind = Kind.WILDCARD;
                rule = rule.substring(2);
            }
            String ascii = toAscii(rule);
            if (ascii == null) {
                unusable++;
                continue;
            }
            // A wildcard and a plain rule for the same name can coexist; key them apart.
            rules.put(kind == Kind.WILDCARD ? "*." + ascii : kind == Kind.EXCEPTION ? "!" + ascii : ascii, new Rule(kind, section));
        }
        return new PublicSuffixList(Map.copyOf(rules), true, version, unusable);
    }

    /** A list in the publicsuffix.org format, from text. */
    public static PublicSuffixList parse(String text) {
        try {
            return parse(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This list restricted to its ICANN section (some tools ignore the private section). */
    public PublicSuffixList icannOnly() {
        return new PublicSuffixList(rules, false, version, unusable);
    }

    /** The list's "// VERSION:" line, or "" if it has none. */
    public String version() {
        return version;
    }

    /** Entries that could not be converted to an A-label, and so are left out. */
    int unusableEntries() {
        return unusable;
    }

    /**
     * The public suffix and the registrable domain of {@code domain}, by the publicsuffix.org algorithm.
     *
     * @throws IllegalArgumentException naming the value when {@code domain} is not a domain name
     */
    public Match match(String domain) {
        String d = DomainName.normalize(domain);
        String[] labels = DomainName.labels(d);
        int n = labels.length;
        // Suffix lengths in labels: the longest matching rule prevails, an exception over any other.
        int best = 1;
        Section section = Section.DEFAULT;
        Integer exception = null;
        Section exceptionSection = null;
        String suffix = "";
        for (int count = 1; count <= n; count++) {
            suffix = count == 1 ? labels[n - 1] : labels[n - count] + "." + suffix;
            Rule plain = usable(rules.get(suffix));
            if (plain != null && count >= best) {
                best = count;
                section = plain.section();
            }
            Rule exc = usable(rules.get("!" + suffix));
            if (exc != null && exception == null) {
                // An exception rule's suffix is the rule without its left-most label.
                exception = count - 1;
                exceptionSection = exc.section();
            }
            if (count < n) {
                // "*.suffix" matches any one label below suffix.
                Rule wild = usable(rules.get("*." + suffix));
                if (wild != null && count + 1 >= best) {
                    best = count + 1;
                    section = wild.section();
                }
            }
        }
        if (exception != null) {
            best = exception;
            section = exceptionSection;
        }
        String publicSuffix = DomainName.lastLabels(d, best);
        String registrable = best >= n ? d : DomainName.lastLabels(d, best + 1);
        return new Match(d, publicSuffix, registrable, section);
    }

    /**
     * RFC 7489 3.2: the organisational domain, the longest matching public suffix plus one label.
     * A domain that is itself a public suffix is its own organisational domain.
     */
    public String organizationalDomain(String domain) {
        return match(domain).registrableDomain();
    }

    private Rule usable(Rule rule) {
        if (rule == null) return null;
        return rule.section() == Section.PRIVATE && !includePrivate ? null : rule;
    }

    private static String toAscii(String rule) {
        try {
            String ascii = IDN.toASCII(rule, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            return DomainName.valid(ascii) ? ascii : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "PublicSuffixList[" + rules.size() + " rules, version " + (version.isEmpty() ? "unknown" : version)
                + (includePrivate ? "" : ", ICANN section only") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicSuffixList other && rules.equals(other.rules) && includePrivate == other.includePrivate;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rules, includePrivate);
    }
}
