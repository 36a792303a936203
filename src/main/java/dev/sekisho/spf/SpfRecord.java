package dev.sekisho.spf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SPF record, parsed and checked against the grammar of RFC 7208 (4.6.1, 5, 6, 7, 12) as a whole
 * before any of it is evaluated (4.6: syntax errors anywhere are a permerror).
 */
public record SpfRecord(String text, List<Mechanism> mechanisms, Optional<String> redirect, Optional<String> explanation,
                        List<Modifier> unknownModifiers) {

    public SpfRecord {
        mechanisms = List.copyOf(mechanisms);
        unknownModifiers = List.copyOf(unknownModifiers);
    }

    /** RFC 7208 4.6.2: the qualifier and the result a matching mechanism gives. */
    public enum Qualifier {
        PASS('+', SpfResult.PASS), FAIL('-', SpfResult.FAIL), SOFTFAIL('~', SpfResult.SOFTFAIL), NEUTRAL('?', SpfResult.NEUTRAL);

        private final char symbol;
        private final SpfResult result;

        Qualifier(char symbol, SpfResult result) {
            this.symbol = symbol;
            this.result = result;
        }

        public char symbol() {
            return symbol;
        }

        public SpfResult result() {
            return result;
        }
    }

    public enum Kind {
        ALL, INCLUDE, A, MX, PTR, IP4, IP6, EXISTS;

        /** RFC 7208 4.6.4: the mechanisms that cost a DNS lookup (and the redirect modifier). */
        public boolean countsAsLookup() {
            return this == INCLUDE || this == A || this == MX || this == PTR || this == EXISTS;
        }
    }

    /**
     * A mechanism. {@code domainSpec} is the unexpanded domain-spec when one is written; {@code network}
     * is the address of ip4/ip6; the prefix lengths default to the whole address (32, 128).
     */
    public record Mechanism(Qualifier qualifier, Kind kind, Optional<String> domainSpec, Optional<InetAddress> network,
                            int ip4Prefix, int ip6Prefix, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A modifier other than redirect and exp, which evaluation ignores (RFC 7208 6). */
    public record Modifier(String name, String value) {
    }

    private static final Pattern VERSION = Pattern.compile("(?is)v=spf1(?: .*)?");
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)");
    private static final Pattern MECHANISM = Pattern.compile("([+\\-~?]?)([A-Za-z0-9]*)(.*)");
    // RFC 7208 5.6: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT)
    private static final Pattern IP6_CIDR_SUFFIX = Pattern.compile("//(0|[1-9][0-9]{0,2})$");
    private static final Pattern IP4_CIDR_SUFFIX = Pattern.compile("/(0|[1-9][0-9]?)$");
    private static final Pattern IP6_CIDR_ONLY = Pattern.compile("/(0|[1-9][0-9]{0,2})$");
    private static final Pattern DOTTED_QUAD = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    private static final Pattern TOPLABEL = Pattern.compile("[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]");

    /** True when this text is an SPF version 1 record (RFC 7208 4.5: "v=spf1" then a space or the end, any case). */
    public static boolean isSpfRecord(String text) {
        return VERSION.matcher(text).matches();
    }

    /** Parses a record that {@link #isSpfRecord} accepts; any syntax error throws with a message naming it. */
    public static SpfRecord parse(String text) {
        if (!isSpfRecord(text)) throw new SpfSyntaxException("not an SPF record (no 'v=spf1'): '" + text + "'");
        for (char c : text.toCharArray()) {
            // RFC 7208 3.1 and 4.6.1: records are 7-bit ASCII, terms separated by spaces only.
            if (c < 0x20 || c > 0x7E) throw new SpfSyntaxException("character " + MacroString.describe(c) + " not allowed in a record");
        }
        List<Mechanism> mechanisms = new ArrayList<>();
        List<Modifier> unknown = new ArrayList<>();
        String redirect = null;
        String explanation = null;
        for (String term : text.substring(6).split(" +")) {
            if (term.isEmpty()) continue;
            Matcher modifier = MODIFIER.matcher(term);
            if (modifier.matches()) {
                String name = modifier.group(1).toLowerCase(Locale.ROOT);
                String value = modifier.group(2);
                switch (name) {
                    case "redirect" -> {
                        // RFC 7208 6: redirect and exp MUST NOT appear more than once each.
                        if (redirect != null) throw new SpfSyntaxException("more than one redirect= modifier");
                        checkDomainSpec(value, term);
                        redirect = value;
                    }
                    case "exp" -> {
                        if (explanation != null) throw new SpfSyntaxException("more than one exp= modifier");
                        checkDomainSpec(value, term);
                        explanation = value;
                    }
                    default -> {
                        // RFC 7208 6 / A: unknown-modifier = name "=" macro-string; ignored, but its syntax is checked.
                        MacroString.check(value, false);
                        unknown.add(new Modifier(modifier.group(1), value));
                    }
                }
                continue;
            }
            mechanisms.add(mechanism(term));
        }
        return new SpfRecord(text, mechanisms, Optional.ofNullable(redirect), Optional.ofNullable(explanation), unknown);
    }

    private static Mechanism mechanism(String term) {
        Matcher m = MECHANISM.matcher(term);
        if (!m.matches()) throw new SpfSyntaxException("not a mechanism or modifier: '" + term + "'");
        Qualifier qualifier = switch (m.group(1)) {
            case "-" -> Qualifier.FAIL;
            case "~" -> Qualifier.SOFTFAIL;
            case "?" -> Qualifier.NEUTRAL;
            default -> Qualifier.PASS; // RFC 7208 4.6.2: the qualifier defaults to "+"
        };
        String name = m.group(2).toLowerCase(Locale.ROOT);
        String rest = m.group(3);
        return switch (name) {
            case "all" -> {
                if (!rest.isEmpty()) throw new SpfSyntaxException("'all' takes no argument: '" + term + "'");
                yield new Mechanism(qualifier, Kind.ALL, Optional.empty(), Optional.empty(), 32, 128, term);
            }
            case "include", "exists" -> {
                // RFC 7208 5.2, 5.7: include / exists = name ":" domain-spec, no CIDR.
                if (!rest.startsWith(":")) throw new SpfSyntaxException("'" + name + "' needs ':domain': '" + term + "'");
                String spec = rest.substring(1);
                checkDomainSpec(spec, term);
                yield new Mechanism(qualifier, name.equals("include") ? Kind.INCLUDE : Kind.EXISTS, Optional.of(spec), Optional.empty(), 32, 128, term);
            }
            case "ptr" -> {
                // RFC 7208 5.5: ptr = "ptr" [ ":" domain-spec ]
                Optional<String> spec = optionalDomainSpec(rest, term);
                yield new Mechanism(qualifier, Kind.PTR, spec, Optional.empty(), 32, 128, term);
            }
            case "a", "mx" -> {
                // RFC 7208 5.3, 5.4: a / mx = name [ ":" domain-spec ] [ dual-cidr-length ]
                int ip6 = 128;
                int ip4 = 32;
                Matcher six = IP6_CIDR_SUFFIX.matcher(rest);
                if (six.find()) {
                    ip6 = prefix(six.group(1), 128, term);
                    rest = rest.substring(0, six.start());
                }
                Matcher four = IP4_CIDR_SUFFIX.matcher(rest);
                if (four.find()) {
                    ip4 = prefix(four.group(1), 32, term);
                    rest = rest.substring(0, four.start());
                }
                Optional<String> spec = optionalDomainSpec(rest, term);
                yield new Mechanism(qualifier, name.equals("a") ? Kind.A : Kind.MX, spec, Optional.empty(), ip4, ip6, term);
            }
            case "ip4" -> {
                // RFC 7208 5.6: ip4 = "ip4" ":" ip4-network [ ip4-cidr-length ]
                if (!rest.startsWith(":")) throw new SpfSyntaxException("'ip4' needs ':address': '" + term + "'");
                String network = rest.substring(1);
                int ip4 = 32;
                Matcher four = IP4_CIDR_SUFFIX.matcher(network);
                if (four.find()) {
                    ip4 = prefix(four.group(1), 32, term);
                    network = network.substring(0, four.start());
                }
                if (!DOTTED_QUAD.matcher(network).matches()) throw new SpfSyntaxException("not an IPv4 network: '" + term + "'");
                yield new Mechanism(qualifier, Kind.IP4, Optional.empty(), Optional.of(address(network)), ip4, 128, term);
            }
            case "ip6" -> {
                if (!rest.startsWith(":")) throw new SpfSyntaxException("'ip6' needs ':address': '" + term + "'");
                String network = rest.substring(1);
                int ip6 = 128;
                Matcher six = IP6_CIDR_ONLY.matcher(network);
                if (six.find()) {
                    ip6 = prefix(six.group(1), 128, term);
                    network = network.substring(0, six.start());
                }
                yield new Mechanism(qualifier, Kind.IP6, Optional.empty(), Optional.of(ipv6(network, term)), 32, ip6, term);
            }
            default -> throw new SpfSyntaxException("unknown mechanism '" + (name.isEmpty() ? term : name) + "' in '" + term + "'");
        };
    }

    private static Optional<String> optionalDomainSpec(String rest, String term) {
        if (rest.isEmpty()) return Optional.empty();
        if (!rest.startsWith(":")) throw new SpfSyntaxException("unexpected '" + rest + "' in '" + term + "'");
        String spec = rest.substring(1);
        checkDomainSpec(spec, term);
        return Optional.of(spec);
    }

    private static int prefix(String digits, int max, String term) {
        int value = Integer.parseInt(digits);
        if (value > max) throw new SpfSyntaxException("prefix length " + value + " longer than " + max + " in '" + term + "'");
        return value;
    }

    /**
     * RFC 7208 7.1: domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand.
     * The check is on the text as written, not after expansion.
     */
    static void checkDomainSpec(String spec, String term) {
        if (spec.isEmpty()) throw new SpfSyntaxException("empty domain in '" + term + "'");
        MacroString.check(spec, false);
        if (endsWithMacro(spec)) return;
        String body = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
        int dot = body.lastIndexOf('.');
        if (dot < 0) throw new SpfSyntaxException("domain '" + spec + "' is not a multi-label name in '" + term + "'");
        String top = body.substring(dot + 1);
        if (!TOPLABEL.matcher(top).matches()) {
            throw new SpfSyntaxException("domain '" + spec + "' does not end in a valid top label in '" + term + "'");
        }
    }

    private static boolean endsWithMacro(String spec) {
        if (spec.endsWith("}")) {
            int open = spec.lastIndexOf("%{");
            return open >= 0 && (open == 0 || !escapedPercentBefore(spec, open));
        }
        // "%%", "%_" and "%-" are macro-expand too; make sure the '%' is not itself the end of a "%%".
        if (spec.length() >= 2 && spec.charAt(spec.length() - 2) == '%' && "%_-".indexOf(spec.charAt(spec.length() - 1)) >= 0) {
            return !escapedPercentBefore(spec, spec.length() - 2);
        }
        return false;
    }

    /** True when the '%' at {@code index} is the second half of a "%%". */
    private static boolean escapedPercentBefore(String spec, int index) {
        int run = 0;
        for (int i = index - 1; i >= 0 && spec.charAt(i) == '%'; i--) run++;
        return run % 2 == 1;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
            throw new SpfSyntaxException("not an address: " + literal);
        }
    }

    private static InetAddress ipv6(String literal, String term) {
        if (!literal.contains(":") || !literal.matches("[0-9A-Fa-f:.]+")) throw new SpfSyntaxException("not an IPv6 network: '" + term + "'");
        try {
            InetAddress address = InetAddress.getByName(literal);
            if (address instanceof Inet4Address v4) {
                // The JDK turns ::ffff:a.b.c.d into an IPv4 address; keep it an IPv6 network as written.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(v4.getAddress(), 0, mapped, 12, 4);
                return Inet6Address.getByAddress(null, mapped, null);
            }
            return address;
        } catch (UnknownHostException e) {
            throw new SpfSyntaxException("not an IPv6 network: '" + term + "'");
        }
    }
}
