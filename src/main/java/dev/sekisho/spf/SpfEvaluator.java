package dev.sekisho.spf;

import dev.sekisho.dns.DnsNames;
import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.RecordType;
import dev.sekisho.engine.AddressText;

import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Evaluates SPF exactly as RFC 7208 describes check_host(), over a {@link DnsResolver}. Thread safe:
 * each check keeps its own state. Never throws for anything found in DNS: malformed records are a
 * permerror, DNS failures a temperror, each with the reason in {@link SpfEvaluation#problem()}.
 */
public final class SpfEvaluator {

    /**
     * Limits and local facts. The limits default to RFC 7208 4.6.4's (10 lookups, 2 void lookups, 10 MX
     * and PTR names). {@code defaultExplanation} is the macro string used for a fail whose record has no
     * usable exp= (empty: no explanation); {@code receivingHost} is the %{r} macro; the clock gives %{t}.
     */
    public record Settings(int maxDnsLookups, int maxVoidLookups, int maxMxNames, int maxPtrNames,
                           Optional<String> defaultExplanation, String receivingHost, InstantSource clock) {
        public Settings {
            if (maxDnsLookups < 0 || maxVoidLookups < 0 || maxMxNames < 0 || maxPtrNames < 0) {
                throw new IllegalArgumentException("limits must not be negative: " + maxDnsLookups + ", " + maxVoidLookups + ", "
                        + maxMxNames + ", " + maxPtrNames);
            }
            Objects.requireNonNull(defaultExplanation, "defaultExplanation");
            Objects.requireNonNull(receivingHost, "receivingHost");
            Objects.requireNonNull(clock, "clock");
        }

        public static Settings rfc7208() {
            return new Settings(10, 2, 10, 10, Optional.empty(), "unknown", InstantSource.system());
        }

        public Settings withDefaultExplanation(String macroString) {
            return new Settings(maxDnsLookups, maxVoidLookups, maxMxNames, maxPtrNames, Optional.of(macroString), receivingHost, clock);
        }

        public Settings withReceivingHost(String host) {
            return new Settings(maxDnsLookups, maxVoidLookups, maxMxNames, maxPtrNames, defaultExplanation, host, clock);
        }

        public Settings withClock(InstantSource clock) {
            return new Settings(maxDnsLookups, maxVoidLookups, maxMxNames, maxPtrNames, defaultExplanation, receivingHost, clock);
        }
    }

    private final DnsResolver resolver;
    private final Settings settings;

    public SpfEvaluator(DnsResolver resolver) {
        this(resolver, Settings.rfc7208());
    }

    public SpfEvaluator(DnsResolver resolver, Settings settings) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The MAIL FROM check (RFC 7208 2.4): the sender's domain, or with an empty MAIL FROM (a bounce)
     * postmaster at the HELO name.
     */
    public SpfEvaluation checkMailFrom(InetAddress ip, String mailFrom, String helo) {
        String sender = mailFrom == null || mailFrom.isBlank() ? "postmaster@" + nullToEmpty(helo) : mailFrom.trim();
        return checkHost(ip, domainOf(sender), sender, helo);
    }

    /** The HELO check (RFC 7208 2.3): the HELO name with postmaster as local-part. */
    public SpfEvaluation checkHelo(InetAddress ip, String helo) {
        return checkHost(ip, nullToEmpty(helo), "postmaster@" + nullToEmpty(helo), helo);
    }

    /** check_host(ip, domain, sender) (RFC 7208 4); {@code helo} is needed for the %{h} macro only. */
    public SpfEvaluation checkHost(InetAddress ip, String domain, String sender, String helo) {
        Objects.requireNonNull(ip, "ip");
        // RFC 7208 4.3: with no local-part, "postmaster" stands in.
        String localPart = sender != null && sender.lastIndexOf('@') > 0 ? sender.substring(0, sender.lastIndexOf('@')) : "postmaster";
        String checked = nullToEmpty(domain).trim();
        Check check = new Check(unmapped(ip), localPart, localPart + "@" + checked, checked, nullToEmpty(helo));
        Optional<String> malformed = malformedIdentity(checked);
        if (malformed.isPresent()) {
            // RFC 7208 4.3: a malformed or single-label domain gives "none" at once.
            check.step(0, checked, SpfEvaluation.StepKind.ERROR, malformed.get());
            return check.finish(SpfResult.NONE, checked, Optional.empty(), Optional.empty(), malformed);
        }
        String asciiDomain = IDN.toASCII(checked, IDN.ALLOW_UNASSIGNED);
        check.senderDomain = asciiDomain;
        check.sender = localPart + "@" + asciiDomain;
        try {
            HostOutcome outcome = checkHost(check, asciiDomain, 0);
            Optional<String> explanation = outcome.result() == SpfResult.FAIL ? explanation(check, outcome) : Optional.empty();
            explanation.ifPresent(text -> check.step(0, outcome.domain(), SpfEvaluation.StepKind.EXPLANATION, text));
            return check.finish(outcome.result(), outcome.domain(), explanation, Optional.ofNullable(outcome.mechanism()),
                    Optional.ofNullable(outcome.problem()));
        } catch (Abort abort) {
            check.step(abort.depth, abort.domain, SpfEvaluation.StepKind.ERROR, abort.getMessage());
            return check.finish(abort.result, abort.domain, Optional.empty(), Optional.empty(), Optional.of(abort.getMessage()));
        } catch (SpfSyntaxException e) {
            // Records are checked whole before evaluation, so this means text that escaped the check: still the record's fault.
            check.step(0, asciiDomain, SpfEvaluation.StepKind.ERROR, e.getMessage());
            return check.finish(SpfResult.PERMERROR, asciiDomain, Optional.empty(), Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    // ---- check_host() ---------------------------------------------------------------------------

    /** What one domain's evaluation found: the result and, when a record decided, which term of which record. */
    private record HostOutcome(SpfResult result, String domain, SpfRecord record, String mechanism, String problem) {
    }

    /** Ends the whole check with temperror or permerror (RFC 7208 2.6.6, 2.6.7): they propagate through include and redirect. */
    private static final class Abort extends RuntimeException {
        final SpfResult result;
        final String domain;
        final int depth;

        Abort(SpfResult result, String domain, int depth, String reason) {
            super(reason, null, false, false);
            this.result = result;
            this.domain = domain;
            this.depth = depth;
        }
    }

    private HostOutcome checkHost(Check check, String domain, int depth) {
        // RFC 7208 4.3: a malformed domain, or one that is not multi-label, is "none".
        Optional<String> malformed = malformedTarget(domain);
        if (malformed.isPresent()) return new HostOutcome(SpfResult.NONE, domain, null, null, malformed.get());
        String key = DnsNames.canonical(domain);
        if (check.evaluating.contains(key)) {
            throw new Abort(SpfResult.PERMERROR, domain, depth, "loop: " + domain + " includes or redirects to itself");
        }
        check.evaluating.push(key);
        try {
            SpfRecord record = record(check, domain, depth);
            if (record == null) return new HostOutcome(SpfResult.NONE, domain, null, null, "no SPF record at " + domain);
            // RFC 7208 4.6.2: mechanisms are evaluated in order; the first that matches gives its qualifier's result.
            for (SpfRecord.Mechanism mechanism : record.mechanisms()) {
                if (matches(check, mechanism, domain, depth)) {
                    check.step(depth, domain, SpfEvaluation.StepKind.MATCH, mechanism.text());
                    return new HostOutcome(mechanism.qualifier().result(), domain, record, mechanism.text(), null);
                }
                check.step(depth, domain, SpfEvaluation.StepKind.NO_MATCH, mechanism.text());
            }
            if (record.redirect().isPresent()) {
                // RFC 7208 6.1: redirect applies only when no mechanism matched; it counts toward the 10 lookups (4.6.4).
                check.countLookup(domain, depth, "redirect=" + record.redirect().get());
                String target = expandDomain(check, record.redirect().get(), domain);
                check.step(depth, domain, SpfEvaluation.StepKind.ENTER, "redirect=" + target);
                HostOutcome redirected = checkHost(check, target, depth + 1);
                // RFC 7208 6.1: "if no SPF record is found, or if the <target-name> is malformed, the result is a permerror".
                if (redirected.result() == SpfResult.NONE) {
                    throw new Abort(SpfResult.PERMERROR, domain, depth, "redirect to " + target + ": " + redirected.problem());
                }
                return redirected;
            }
            // RFC 7208 4.7: no match and no redirect: neutral.
            return new HostOutcome(SpfResult.NEUTRAL, domain, record, null, null);
        } finally {
            check.evaluating.pop();
        }
    }

    /** RFC 7208 4.4, 4.5: the single SPF record among the domain's TXT records, or null for none. */
    private SpfRecord record(Check check, String domain, int depth) {
        DnsOutcome txt = lookup(check, depth, domain, domain, RecordType.TXT);
        List<String> spf = switch (txt) {
            case DnsOutcome.Answer answer -> answer.records(DnsRecord.Txt.class).stream().map(DnsRecord.Txt::text)
                    .filter(SpfRecord::isSpfRecord).toList();
            case DnsOutcome.NoData n -> List.of();
            case DnsOutcome.NoSuchDomain n -> List.of();
            // RFC 7208 4.4: a DNS error other than "no such domain" is a temperror.
            case DnsOutcome.ServerFailure f -> throw new Abort(SpfResult.TEMPERROR, domain, depth, "TXT lookup of " + domain + " failed: " + f.reason());
            case DnsOutcome.Timeout t -> throw new Abort(SpfResult.TEMPERROR, domain, depth, "TXT lookup of " + domain + " timed out");
        };
        if (spf.isEmpty()) return null;
        // RFC 7208 4.5: more than one record is a permerror.
        if (spf.size() > 1) throw new Abort(SpfResult.PERMERROR, domain, depth, domain + " publishes " + spf.size() + " SPF records");
        check.step(depth, domain, SpfEvaluation.StepKind.RECORD, spf.getFirst());
        try {
            return SpfRecord.parse(spf.getFirst());
        } catch (SpfSyntaxException e) {
            // RFC 7208 4.6: a syntax error anywhere in the record is a permerror, found before evaluating.
            throw new Abort(SpfResult.PERMERROR, domain, depth, "syntax error in the record of " + domain + ": " + e.getMessage());
        }
    }

    private boolean matches(Check check, SpfRecord.Mechanism mechanism, String domain, int depth) {
        if (mechanism.kind().countsAsLookup()) check.countLookup(domain, depth, mechanism.text());
        return switch (mechanism.kind()) {
            case ALL -> true; // RFC 7208 5.1
            case INCLUDE -> include(check, mechanism, domain, depth);
            case A -> {
                String target = target(check, mechanism, domain);
                yield target != null && addressMatches(check, depth, domain, target, mechanism, true);
            }
            case MX -> mx(check, mechanism, domain, depth);
            case PTR -> {
                // RFC 7208 5.5: a validated name of <ip> that is the target name or ends in it.
                String target = target(check, mechanism, domain);
                if (target == null) yield false;
                String suffix = "." + DnsNames.canonical(target);
                yield validatedNames(check, domain, depth).stream().map(DnsNames::canonical)
                        .anyMatch(name -> name.equals(DnsNames.canonical(target)) || name.endsWith(suffix));
            }
            case IP4 -> check.ip instanceof Inet4Address && inNetwork(check.ip, mechanism.network().orElseThrow(), mechanism.ip4Prefix());
            case IP6 -> check.ip instanceof Inet6Address && inNetwork(check.ip, mechanism.network().orElseThrow(), mechanism.ip6Prefix());
            case EXISTS -> {
                // RFC 7208 5.7: an A query, whatever the IP version; any answer matches.
                String target = target(check, mechanism, domain);
                if (target == null) yield false;
                DnsOutcome a = lookup(check, depth, domain, target, RecordType.A);
                yield switch (a) {
                    case DnsOutcome.Answer answer -> true;
                    case DnsOutcome.NoData n -> check.voidLookup(domain, depth, target);
                    case DnsOutcome.NoSuchDomain n -> check.voidLookup(domain, depth, target);
                    default -> throw temperror(domain, depth, a);
                };
            }
        };
    }

    private boolean include(Check check, SpfRecord.Mechanism mechanism, String domain, int depth) {
        String target = expandDomain(check, mechanism.domainSpec().orElseThrow(), domain);
        check.step(depth, domain, SpfEvaluation.StepKind.ENTER, "include:" + target);
        HostOutcome included = checkHost(check, target, depth + 1);
        // RFC 7208 5.2: pass matches; fail, softfail, neutral do not; none is a permerror; errors propagate (thrown).
        return switch (included.result()) {
            case PASS -> true;
            case FAIL, SOFTFAIL, NEUTRAL -> false;
            case NONE -> throw new Abort(SpfResult.PERMERROR, domain, depth, "include:" + target + ": " + included.problem());
            case TEMPERROR, PERMERROR -> throw new Abort(included.result(), domain, depth, included.problem());
        };
    }

    private boolean mx(Check check, SpfRecord.Mechanism mechanism, String domain, int depth) {
        String target = target(check, mechanism, domain);
        if (target == null) return false;
        DnsOutcome mx = lookup(check, depth, domain, target, RecordType.MX);
        List<String> hosts = switch (mx) {
            case DnsOutcome.Answer answer -> answer.records(DnsRecord.Mx.class).stream()
                    .sorted(Comparator.comparingInt(DnsRecord.Mx::preference)).map(DnsRecord.Mx::exchange).toList();
            case DnsOutcome.NoData n -> {
                check.voidLookup(domain, depth, target);
                yield List.of();
            }
            case DnsOutcome.NoSuchDomain n -> {
                check.voidLookup(domain, depth, target);
                yield List.of();
            }
            default -> throw temperror(domain, depth, mx);
        };
        // RFC 7208 4.6.4: an mx mechanism must not look up more than 10 address records; exceeding it is a permerror.
        if (hosts.size() > settings.maxMxNames()) {
            throw new Abort(SpfResult.PERMERROR, domain, depth, mechanism.text() + ": " + target + " has " + hosts.size()
                    + " MX records, more than " + settings.maxMxNames());
        }
        for (String host : hosts) {
            if (host.isEmpty() || host.equals(".") || DnsNames.problem(host).isPresent()) continue; // RFC 7505 null MX has no host
            if (addressMatches(check, depth, domain, host, mechanism, false)) return true;
        }
        return false;
    }

    /** RFC 7208 5.3 (and 5.4 per MX host): A for an IPv4 client, AAAA for IPv6, compared under the CIDR lengths. */
    private boolean addressMatches(Check check, int depth, String domain, String host, SpfRecord.Mechanism mechanism, boolean countVoid) {
        boolean v4 = check.ip instanceof Inet4Address;
        DnsOutcome outcome = lookup(check, depth, domain, host, v4 ? RecordType.A : RecordType.AAAA);
        return switch (outcome) {
            case DnsOutcome.Answer answer -> answer.records(DnsRecord.Address.class).stream()
                    .map(DnsRecord.Address::address)
                    .anyMatch(address -> (address instanceof Inet4Address) == v4
                            && inNetwork(check.ip, address, v4 ? mechanism.ip4Prefix() : mechanism.ip6Prefix()));
            case DnsOutcome.NoData n -> countVoid && check.voidLookup(domain, depth, host);
            case DnsOutcome.NoSuchDomain n -> countVoid && check.voidLookup(domain, depth, host);
            // RFC 7208 5: a DNS error while evaluating a mechanism stops evaluation with temperror.
            default -> throw temperror(domain, depth, outcome);
        };
    }

    /**
     * RFC 7208 5.5: the names of <ip> found by PTR (at most 10, 4.6.4) whose addresses include <ip>.
     * A failed PTR lookup validates nothing; a failed address lookup skips that name.
     */
    private List<String> validatedNames(Check check, String domain, int depth) {
        if (check.validatedNames != null) return check.validatedNames;
        List<String> validated = new ArrayList<>();
        String reverse = reverseName(check.ip);
        DnsOutcome ptr = lookup(check, depth, domain, reverse, RecordType.PTR);
        // RFC 7208 4.6.4: a PTR query with no answer is a void lookup of the term (ptr, or a %{p} macro) that made it
        if (ptr instanceof DnsOutcome.NoData || ptr instanceof DnsOutcome.NoSuchDomain) check.voidLookup(domain, depth, reverse);
        if (ptr instanceof DnsOutcome.Answer answer) {
            List<String> names = answer.records(DnsRecord.Ptr.class).stream().map(DnsRecord.Ptr::target).toList();
            // RFC 7208 4.6.4: "if more than 10 PTR records are returned ... all records other than the first 10 MUST be ignored"
            for (String name : names.subList(0, Math.min(names.size(), settings.maxPtrNames()))) {
                if (DnsNames.problem(name).isPresent()) continue;
                boolean v4 = check.ip instanceof Inet4Address;
                DnsOutcome addresses = lookup(check, depth, domain, name, v4 ? RecordType.A : RecordType.AAAA);
                if (addresses instanceof DnsOutcome.Answer a
                        && a.records(DnsRecord.Address.class).stream().anyMatch(r -> r.address().equals(check.ip))) {
                    validated.add(name);
                }
            }
        }
        check.validatedNames = List.copyOf(validated);
        return check.validatedNames;
    }

    /** The mechanism's target name: its domain-spec expanded, or the current domain; null when the expansion is no usable name. */
    private String target(Check check, SpfRecord.Mechanism mechanism, String domain) {
        if (mechanism.domainSpec().isEmpty()) return domain;
        String target = expandDomain(check, mechanism.domainSpec().get(), domain);
        Optional<String> problem = DnsNames.problem(target);
        if (problem.isPresent()) {
            check.step(check.evaluating.size() - 1, domain, SpfEvaluation.StepKind.NO_MATCH, mechanism.text() + ": " + problem.get());
            return null;
        }
        return target;
    }

    // ---- exp= (RFC 7208 6.2) --------------------------------------------------------------------

    private Optional<String> explanation(Check check, HostOutcome outcome) {
        if (outcome.record() != null && outcome.record().explanation().isPresent()) {
            // RFC 7208 6.2: any problem with the exp= lookup or text means proceeding as if there were no exp=.
            try {
                String target = expandDomain(check, outcome.record().explanation().get(), outcome.domain());
                if (DnsNames.problem(target).isEmpty()) {
                    DnsOutcome txt = lookup(check, 0, outcome.domain(), target, RecordType.TXT);
                    if (txt instanceof DnsOutcome.Answer answer && answer.records(DnsRecord.Txt.class).size() == 1) {
                        String text = answer.records(DnsRecord.Txt.class).getFirst().text();
                        if (text.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
                            return Optional.of(MacroString.expand(text, true, m -> macroValue(check, m.letter(), outcome.domain())));
                        }
                    }
                }
            } catch (SpfSyntaxException e) {
                check.step(0, outcome.domain(), SpfEvaluation.StepKind.ERROR, "explanation ignored: " + e.getMessage());
            }
        }
        return settings.defaultExplanation().map(text -> {
            try {
                return MacroString.expand(text, true, m -> macroValue(check, m.letter(), outcome.domain()));
            } catch (SpfSyntaxException e) {
                return text;
            }
        });
    }

    // ---- macros (RFC 7208 7) --------------------------------------------------------------------

    private String expandDomain(Check check, String spec, String domain) {
        String name = DnsNames.withoutFinalDot(MacroString.expand(spec, false, m -> macroValue(check, m.letter(), domain)));
        // RFC 7208 7.3: a name longer than 253 characters loses labels on the left until it fits.
        while (name.length() > DnsNames.MAX_TEXT_LENGTH && name.indexOf('.') >= 0) name = name.substring(name.indexOf('.') + 1);
        return name;
    }

    private String macroValue(Check check, char letter, String domain) {
        return switch (letter) {
            case 's' -> check.sender;          // RFC 7208 7.2: <sender>
            case 'l' -> check.localPart;       // local-part of <sender>
            case 'o' -> check.senderDomain;    // domain of <sender>
            case 'd' -> domain;                // <domain>
            case 'i' -> dotted(check.ip);      // <ip> in dotted form (nibbles for IPv6)
            case 'p' -> validatedName(check, domain);
            case 'v' -> check.ip instanceof Inet4Address ? "in-addr" : "ip6";
            case 'h' -> check.helo;
            case 'c' -> readable(check.ip);    // explanation only: SMTP client IP, readable
            case 'r' -> settings.receivingHost(); // explanation only: the checking host
            case 't' -> Long.toString(settings.clock().instant().getEpochSecond()); // explanation only: now
            default -> throw new SpfSyntaxException("unknown macro letter '" + letter + "'");
        };
    }

    /** RFC 7208 7.3: the validated name that is or ends in <domain> if there is one, else any validated name, else "unknown". */
    private String validatedName(Check check, String domain) {
        List<String> names = validatedNames(check, domain, Math.max(0, check.evaluating.size() - 1));
        String suffix = "." + DnsNames.canonical(domain);
        return names.stream().filter(n -> DnsNames.canonical(n).equals(DnsNames.canonical(domain)) || DnsNames.canonical(n).endsWith(suffix))
                .findFirst().or(() -> names.stream().findFirst()).orElse("unknown");
    }

    // ---- DNS ------------------------------------------------------------------------------------

    private DnsOutcome lookup(Check check, int depth, String domain, String name, RecordType type) {
        DnsOutcome outcome;
        try {
            outcome = resolver.lookup(name, type);
        } catch (IllegalArgumentException e) {
            // A name the resolver refuses cannot exist in DNS.
            outcome = new DnsOutcome.NoSuchDomain(name, type, Duration.ZERO);
        }
        check.step(depth, domain, SpfEvaluation.StepKind.LOOKUP, name + " " + type + ": " + describe(outcome));
        return outcome;
    }

    private static Abort temperror(String domain, int depth, DnsOutcome outcome) {
        return new Abort(SpfResult.TEMPERROR, domain, depth, outcome.type() + " lookup of " + outcome.name() + ": " + describe(outcome));
    }

    static String describe(DnsOutcome outcome) {
        return switch (outcome) {
            case DnsOutcome.Answer a -> a.records().stream().map(SpfEvaluator::describe).collect(Collectors.joining(", "));
            case DnsOutcome.NoData n -> "no data";
            case DnsOutcome.NoSuchDomain n -> "no such domain";
            case DnsOutcome.ServerFailure f -> "server failure (" + f.reason() + ")";
            case DnsOutcome.Timeout t -> "timeout after " + t.waited().toMillis() + " ms";
        };
    }

    private static String describe(DnsRecord record) {
        return switch (record) {
            case DnsRecord.Address a -> AddressText.of(a.address());
            case DnsRecord.Mx mx -> mx.preference() + " " + mx.exchange();
            case DnsRecord.Txt txt -> "\"" + txt.text() + "\"";
            case DnsRecord.Ptr ptr -> ptr.target();
            case DnsRecord.Cname cname -> cname.target();
            case DnsRecord.Ns ns -> ns.host();
            case DnsRecord.Soa soa -> soa.primaryServer();
        };
    }

    // ---- addresses and names --------------------------------------------------------------------

    private static final Pattern LDH_LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?");

    /** RFC 7208 4.3 for the identity given to the check: a multi-label domain name of letters, digits, hyphens (IDNs as A-labels). */
    private static Optional<String> malformedIdentity(String domain) {
        if (domain.isEmpty()) return Optional.of("no domain to check");
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED); // RFC 7208 4.3: internationalized names as A-labels
        } catch (IllegalArgumentException e) {
            return Optional.of("'" + domain + "' is not a valid internationalized domain name: " + e.getMessage());
        }
        Optional<String> problem = malformedTarget(ascii);
        if (problem.isPresent()) return problem;
        for (String label : DnsNames.withoutFinalDot(ascii).split("\\.")) {
            if (!LDH_LABEL.matcher(label).matches()) return Optional.of("'" + domain + "' is not a domain name (label '" + label + "')");
        }
        return Optional.empty();
    }

    private static Optional<String> malformedTarget(String domain) {
        Optional<String> problem = DnsNames.problem(domain);
        if (problem.isPresent()) return problem;
        if (DnsNames.withoutFinalDot(domain).indexOf('.') < 0) return Optional.of("'" + domain + "' is not a multi-label domain name");
        return Optional.empty();
    }

    private static InetAddress unmapped(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (ip instanceof Inet6Address && isV4Mapped(b)) {
            try {
                return InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return ip;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
        return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    }

    static boolean inNetwork(InetAddress ip, InetAddress network, int prefix) {
        byte[] a = ip.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) return false;
        for (int bit = 0; bit < prefix; bit += 8) {
            int bits = Math.min(8, prefix - bit);
            int mask = (0xFF << (8 - bits)) & 0xFF;
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
        }
        return true;
    }

    /**
     * %{i}: dotted quad, or for IPv6 32 dot-separated nibbles (RFC 7208 7.3). The nibbles are upper-case
     * hex, as the RFC 7208 test suite expects in explanations; DNS compares names case-insensitively.
     */
    static String dotted(InetAddress ip) {
        if (ip instanceof Inet4Address) return ip.getHostAddress();
        StringBuilder out = new StringBuilder();
        for (byte b : ip.getAddress()) {
            if (!out.isEmpty()) out.append('.');
            out.append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16))).append('.')
                    .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
        }
        return out.toString();
    }

    /** The reverse-mapping name of an address (RFC 1035 3.5, RFC 3596 2.5). */
    static String reverseName(InetAddress ip) {
        String[] parts = dotted(ip).split("\\.");
        StringBuilder out = new StringBuilder();
        for (int i = parts.length - 1; i >= 0; i--) out.append(parts[i]).append('.');
        return out.append(ip instanceof Inet4Address ? "in-addr.arpa" : "ip6.arpa").toString();
    }

    /** %{c}: dotted quad, or the RFC 5952 text of an IPv6 address (lower case, longest zero run as "::"). */
    static String readable(InetAddress ip) {
        if (ip instanceof Inet4Address) return ip.getHostAddress();
        byte[] b = ip.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        int bestStart = -1;
        int bestLength = 1; // RFC 5952 4.2.2: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') out.append(':');
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static String domainOf(String sender) {
        int at = sender.lastIndexOf('@');
        return at >= 0 ? sender.substring(at + 1) : sender;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    // ---- per-check state ------------------------------------------------------------------------

    private final class Check {
        final InetAddress ip;
        final String localPart;
        String sender;
        String senderDomain;
        final String helo;
        final Deque<String> evaluating = new ArrayDeque<>();
        final List<SpfEvaluation.Step> trail = new ArrayList<>();
        List<String> validatedNames;
        int lookups;
        int voidLookups;

        Check(InetAddress ip, String localPart, String sender, String senderDomain, String helo) {
            this.ip = ip;
            this.localPart = localPart;
            this.sender = sender;
            this.senderDomain = senderDomain;
            this.helo = helo;
        }

        void step(int depth, String domain, SpfEvaluation.StepKind kind, String detail) {
            trail.add(new SpfEvaluation.Step(depth, domain, kind, detail));
        }

        /** RFC 7208 4.6.4: more than 10 terms that cause DNS lookups is a permerror. */
        void countLookup(String domain, int depth, String term) {
            lookups++;
            if (lookups > settings.maxDnsLookups()) {
                throw new Abort(SpfResult.PERMERROR, domain, depth, "more than " + settings.maxDnsLookups() + " DNS lookups (at " + term + ")");
            }
        }

        /** RFC 7208 4.6.4: lookups that find no records count; more than 2 is a permerror. Returns false: no match. */
        boolean voidLookup(String domain, int depth, String name) {
            voidLookups++;
            if (voidLookups > settings.maxVoidLookups()) {
                throw new Abort(SpfResult.PERMERROR, domain, depth, "more than " + settings.maxVoidLookups() + " void lookups (at " + name + ")");
            }
            return false;
        }

        SpfEvaluation finish(SpfResult result, String domain, Optional<String> explanation, Optional<String> mechanism, Optional<String> problem) {
            return new SpfEvaluation(result, domain, explanation, mechanism, problem, lookups, voidLookups, trail);
        }
    }
}
