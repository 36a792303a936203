package dev.sekisho.audit.site;

import dev.sekisho.audit.site.AuthoritativeQuery.LocalFailure;
import dev.sekisho.audit.site.AuthoritativeQuery.NoResponse;
import dev.sekisho.audit.site.AuthoritativeQuery.Reply;
import dev.sekisho.audit.site.AuthoritativeQuery.Response;
import dev.sekisho.audit.SpecialPurposeAddressRegistry;
import dev.sekisho.audit.SpecialPurposeAddressRegistry.Classification;
import dev.sekisho.dns.DnsNames;
import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.RecordType;
import dev.sekisho.engine.AddressText;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressNetwork.IPAddressGenerator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Inspects one domain (or host name) the way seed 003 does by hand: finds its zone and name servers
 * through the recursive resolver, asks every authoritative server directly, checks the SOA MNAME, the
 * agreement between the servers, the MX hosts (address, SMTP connect) and every published address
 * against the IANA special-purpose registries. Never throws for what the network does; one call per
 * name, safe to call from many threads.
 */
public final class SiteInspector {

    /**
     * {@code dnsPort}: where the authoritative servers are asked (53; tests use their own);
     * {@code smtpPort}: where the MX hosts are connected to (25); {@code timeout}: the deadline of each
     * query and each connect; {@code treatAsGlobal}: blocks to treat as globally reachable although the
     * registries say otherwise (a lab, or the tests' 127.0.0.0/24), as
     * {@link SpecialPurposeAddressRegistry#parseBlock(String)} reads them.
     */
    public record Settings(int dnsPort, int smtpPort, Duration timeout, List<IPAddress> treatAsGlobal) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

        public Settings {
            if (dnsPort < 1 || dnsPort > 65535) throw new IllegalArgumentException("DNS port must be 1-65535, was " + dnsPort);
            if (smtpPort < 1 || smtpPort > 65535) throw new IllegalArgumentException("SMTP port must be 1-65535, was " + smtpPort);
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            treatAsGlobal = List.copyOf(treatAsGlobal);
        }

        public static Settings defaults() {
            return new Settings(53, 25, DEFAULT_TIMEOUT, List.of());
        }
    }

    /**
     * How long one SMTP connect's result is reused for every domain whose MX is at that address: many
     * domains share one provider's MX hosts, and an audit of thousands must not knock on them thousands of times.
     */
    public static final Duration PROBE_REUSE = Duration.ofMinutes(5);
    private static final int MAX_REMEMBERED_PROBES = 10_000;

    /** One SMTP connect, started at {@code started}; callers for the same address while it is fresh share it. */
    private record SharedProbe(CompletableFuture<SmtpProbe.Result> result, Instant started) {
    }

    private final Map<InetSocketAddress, SharedProbe> probes = new ConcurrentHashMap<>();
    private final DnsResolver resolver;
    private final Settings settings;
    private final SpecialPurposeAddressRegistry registry;
    private final InstantSource clock;

    public SiteInspector(DnsResolver resolver, Settings settings, SpecialPurposeAddressRegistry registry, InstantSource clock) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public SiteInspector(DnsResolver resolver, Settings settings) {
        this(resolver, settings, SpecialPurposeAddressRegistry.bundled(), InstantSource.system());
    }

    public Settings settings() {
        return settings;
    }

    /** The verdict on this domain or host name; a name that cannot be a domain name is an IllegalArgumentException. */
    public SiteVerdict inspect(String domainOrHost) {
        String name = asciiName(domainOrHost);
        Inspection inspection = new Inspection(name);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            inspection.run(threads);
        }
        List<Reason> reasons = inspection.reasons.stream().distinct()
                .sorted(Comparator.comparing(Reason::code).thenComparing(Reason::subject).thenComparing(Reason::evidence)).toList();
        List<String> problems = inspection.problems.stream().distinct().sorted().toList();
        return SiteVerdict.of(name, reasons, problems, clock.instant());
    }

    // ---- one inspection ----------------------------------------------------------------------------

    /** An authoritative server: the NS (or MNAME) name it was found under and the address asked. */
    private record Server(String host, InetSocketAddress address) {
        String label() {
            return host + "@" + AddressText.of(address);
        }
    }

    /** What one server said about the zone: its SOA serial and MNAME, NS set and MX set (null when not usable). */
    private record ServerView(Server server, long serial, String mname, String nsSet, String mxSet, List<String> mxHosts) {
    }

    /** The addresses a name has through the recursive resolver, what was asked, and whether it had none at all. */
    private record AddressLookup(List<InetAddress> addresses, List<String> alias, String negativeEvidence, boolean temporaryFailure) {
        boolean none() {
            return addresses.isEmpty() && !temporaryFailure;
        }
    }

    private final class Inspection {
        final String name;
        final List<Reason> reasons = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        final Map<InetSocketAddress, Reply> soaReplies = new ConcurrentHashMap<>();
        /** "role host address" already judged, so an MNAME that is also an NS is not reported twice for one address. */
        final java.util.Set<String> classified = ConcurrentHashMap.newKeySet();

        Inspection(String name) {
            this.name = name;
        }

        void run(ExecutorService threads) {
            Optional<ZoneCut> found = findZone();
            if (found.isEmpty()) return;
            ZoneCut zone = found.get();

            // The name servers, by the names the recursive resolver gives (RFC 1034 4.2.2: every one must serve the zone).
            List<Server> servers = new ArrayList<>();
            for (String nsHost : zone.nameServers()) {
                AddressLookup lookup = addresses(nsHost);
                if (lookup.none()) reasons.add(new Reason(ReasonCode.NS_NO_ADDRESS, nsHost, lookup.negativeEvidence()));
                for (InetAddress address : reachable(lookup, "NS " + nsHost)) {
                    servers.add(new Server(nsHost, new InetSocketAddress(address, settings.dnsPort())));
                }
            }

            List<ServerView> views = parallel(threads, servers, server -> view(zone.apex(), server)).stream()
                    .filter(Objects::nonNull).toList();
            if (views.isEmpty() && problems.isEmpty()) {
                reasons.add(new Reason(ReasonCode.NO_WORKING_NS, zone.apex(), "none of the " + servers.size()
                        + " name server addresses that could be asked answered SOA " + zone.apex() + " authoritatively ("
                        + String.join(", ", zone.nameServers()) + ")"));
            }
            compare(ReasonCode.SOA_SERIAL_MISMATCH, zone.apex(), "SOA " + zone.apex(), views, v -> "serial " + v.serial());
            compare(ReasonCode.SOA_MNAME_MISMATCH, zone.apex(), "SOA " + zone.apex(), views, v -> "MNAME " + (v.mname().isEmpty() ? "." : v.mname()));
            compare(ReasonCode.NS_SET_MISMATCH, zone.apex(), "NS " + zone.apex(), views, ServerView::nsSet);
            compare(ReasonCode.MX_SET_MISMATCH, name, "MX " + name, views, ServerView::mxSet);

            List<Future<?>> work = new ArrayList<>();
            work.add(threads.submit(() -> checkMname(zone, views)));
            work.add(threads.submit(() -> checkMx(threads, zone, views)));
            // The name's own addresses: only the special-purpose check applies to them (seed 003 2.4, figure 13).
            work.add(threads.submit(() -> reachable(addresses(name), "domain " + name)));
            join(work);
        }

        // -- the zone and its name servers --

        private record ZoneCut(String apex, List<String> nameServers) {
        }

        /** The zone the name is in: the closest enclosing name with NS records (RFC 1034 4.2: a zone cut). */
        Optional<ZoneCut> findZone() {
            String candidate = name;
            while (true) {
                DnsOutcome outcome = resolver.lookup(candidate, RecordType.NS);
                switch (outcome) {
                    case DnsOutcome.Answer answer -> {
                        List<String> hosts = answer.records(DnsRecord.Ns.class).stream().map(ns -> DnsNames.canonical(ns.host()))
                                .distinct().sorted().toList();
                        return Optional.of(new ZoneCut(DnsNames.canonical(answer.canonicalName()), hosts));
                    }
                    case DnsOutcome.NoSuchDomain ignored -> {
                        if (candidate.equals(name)) {
                            reasons.add(new Reason(ReasonCode.NO_SUCH_DOMAIN, name, "NS " + name + " via resolver: no such domain (NXDOMAIN)"));
                        } else {
                            problems.add("no zone found for " + name + ": " + candidate + " does not exist");
                        }
                        return Optional.empty();
                    }
                    case DnsOutcome.NoData ignored -> {
                        int dot = candidate.indexOf('.');
                        if (dot < 0) {
                            problems.add("no zone with NS records found for " + name + " below the top level");
                            return Optional.empty();
                        }
                        candidate = candidate.substring(dot + 1); // not a zone apex: look at the parent
                    }
                    case DnsOutcome.ServerFailure failure -> {
                        problems.add("NS " + candidate + " via resolver: " + failure.reason());
                        return Optional.empty();
                    }
                    case DnsOutcome.Timeout timeout -> {
                        problems.add("NS " + candidate + " via resolver: no answer within " + timeout.waited().toMillis() + " ms");
                        return Optional.empty();
                    }
                }
            }
        }

        /** Asks one server for the zone's SOA, NS and the name's MX; null when it is lame (the reason is recorded). */
        ServerView view(String apex, Server server) {
            Reply soaReply = AuthoritativeQuery.ask(server.address(), apex, RecordType.SOA, settings.timeout());
            soaReplies.put(server.address(), soaReply);
            Optional<SOARecord> soa = authoritative(soaReply, server, "SOA " + apex, Role.NAME_SERVER)
                    .flatMap(records -> records.stream().map(SOARecord.class::cast).findFirst());
            if (soa.isEmpty()) return null;
            Optional<List<Record>> ns = authoritativeData(server, apex, RecordType.NS);
            Optional<List<Record>> mx = authoritativeData(server, name, RecordType.MX);
            List<String> mxHosts = mx.map(records -> records.stream().map(r -> DnsNames.canonical(((MXRecord) r).getTarget().toString(true)))
                    .filter(h -> !h.isEmpty()).toList()).orElse(List.of());
            return new ServerView(server, soa.get().getSerial(), DnsNames.canonical(soa.get().getHost().toString(true)),
                    ns.map(records -> set(records.stream().map(r -> DnsNames.canonical(((NSRecord) r).getTarget().toString(true))).toList()))
                            .orElse(null),
                    mx.map(records -> records.isEmpty() ? "no MX" : set(records.stream().map(r -> ((MXRecord) r).getPriority() + " "
                            + DnsNames.canonical(((MXRecord) r).getTarget().toString(true))).toList())).orElse(null),
                    mxHosts);
        }

        /** The records of an NS or MX query to a server that answered SOA well; empty (and a reason) when it fails this query. */
        Optional<List<Record>> authoritativeData(Server server, String owner, RecordType type) {
            Reply reply = AuthoritativeQuery.ask(server.address(), owner, type, settings.timeout());
            if (reply instanceof Response r && r.rcode() == Rcode.NXDOMAIN && r.authoritative()) return Optional.of(List.of());
            return authoritative(reply, server, type + " " + owner, Role.NAME_SERVER_DATA);
        }

        enum Role {NAME_SERVER, NAME_SERVER_DATA, MNAME}

        /**
         * The answer's records when the server answered NOERROR with AA (RFC 1034 4.3.1: an authority sets AA)
         * and, for the SOA query, with the SOA; otherwise the fault is recorded as a reason of the role's kind.
         */
        Optional<List<Record>> authoritative(Reply reply, Server server, String query, Role role) {
            boolean mname = role == Role.MNAME;
            switch (reply) {
                case LocalFailure local -> {
                    problems.add(query + " @" + server.label() + ": " + local.detail());
                    return Optional.empty();
                }
                case NoResponse none -> {
                    reasons.add(new Reason(mname ? ReasonCode.MNAME_NO_RESPONSE : ReasonCode.NS_NO_RESPONSE, server.label(),
                            query + ": " + none.detail()));
                    return Optional.empty();
                }
                case Response response -> {
                    if (response.rcode() != Rcode.NOERROR) {
                        reasons.add(new Reason(mname ? ReasonCode.MNAME_UNEXPECTED_RCODE : ReasonCode.NS_UNEXPECTED_RCODE, server.label(),
                                query + ": " + response.rcodeName()));
                        return Optional.empty();
                    }
                    if (!response.authoritative()) {
                        reasons.add(new Reason(mname ? ReasonCode.MNAME_NOT_AUTHORITATIVE : ReasonCode.NS_NOT_AUTHORITATIVE, server.label(),
                                query + ": NOERROR without AA (not authoritative)"));
                        return Optional.empty();
                    }
                    if (role != Role.NAME_SERVER_DATA && response.records().isEmpty()) {
                        reasons.add(new Reason(mname ? ReasonCode.MNAME_NO_SOA : ReasonCode.NS_NO_SOA, server.label(),
                                query + ": NOERROR with AA but no SOA in the answer"));
                        return Optional.empty();
                    }
                    return Optional.of(response.records());
                }
            }
        }

        /** One reason when the servers that answered do not all give the same value (RFC 1034 4.2.1, RFC 2181 5). */
        void compare(ReasonCode code, String subject, String query, List<ServerView> views, Function<ServerView, String> value) {
            Map<String, List<String>> serversByValue = new TreeMap<>();
            for (ServerView view : views) {
                String v = value.apply(view);
                if (v != null) serversByValue.computeIfAbsent(v, k -> new ArrayList<>()).add(view.server().label());
            }
            if (serversByValue.size() > 1) reasons.add(new Reason(code, subject, query + ": " + describe(serversByValue)));
        }

        // -- SOA MNAME (RFC 1035 3.3.13: the primary source of the zone's data; it should answer for it) --

        void checkMname(ZoneCut zone, List<ServerView> views) {
            TreeSet<String> mnames = new TreeSet<>();
            views.forEach(v -> mnames.add(v.mname()));
            for (String mname : mnames) {
                if (mname.isEmpty()) continue; // "." : no primary is named (RFC 1996 does not require one), nothing to ask
                AddressLookup lookup = addresses(mname);
                if (lookup.none()) {
                    reasons.add(new Reason(ReasonCode.MNAME_NO_ADDRESS, mname, lookup.negativeEvidence()));
                    continue;
                }
                for (InetAddress address : reachable(lookup, "MNAME " + mname)) {
                    Server server = new Server(mname, new InetSocketAddress(address, settings.dnsPort()));
                    Reply reply = soaReplies.get(server.address());
                    if (reply == null) reply = AuthoritativeQuery.ask(server.address(), zone.apex(), RecordType.SOA, settings.timeout());
                    authoritative(reply, server, "SOA " + zone.apex(), Role.MNAME);
                }
            }
        }

        // -- MX hosts (RFC 5321 5.1) --

        void checkMx(ExecutorService threads, ZoneCut zone, List<ServerView> views) {
            DnsOutcome outcome = resolver.lookup(name, RecordType.MX);
            List<String> hosts = new ArrayList<>();
            switch (outcome) {
                case DnsOutcome.Answer answer -> answer.records(DnsRecord.Mx.class).stream()
                        .map(mx -> DnsNames.canonical(mx.exchange())).filter(h -> !h.isEmpty()) // RFC 7505: "." is a null MX
                        .distinct().sorted().forEach(hosts::add);
                case DnsOutcome.NoData ignored -> {
                    // no MX: nothing to connect to here (the posture audit speaks of missing MX)
                }
                case DnsOutcome.NoSuchDomain ignored -> {
                    // the name does not exist: findZone said so already
                }
                case DnsOutcome.ServerFailure failure -> problems.add("MX " + name + " via resolver: " + failure.reason());
                case DnsOutcome.Timeout timeout -> problems.add("MX " + name + " via resolver: no answer within "
                        + timeout.waited().toMillis() + " ms");
            }
            List<Future<?>> work = new ArrayList<>();
            for (String host : hosts) {
                AddressLookup lookup = addresses(host);
                if (!lookup.alias().isEmpty()) {
                    reasons.add(new Reason(ReasonCode.MX_IS_ALIAS, host, "A/AAAA " + host + " via resolver: an alias (CNAME) of "
                            + String.join(", ", lookup.alias())));
                }
                if (lookup.none()) reasons.add(new Reason(ReasonCode.MX_NO_ADDRESS, host, lookup.negativeEvidence()));
                for (InetAddress address : reachable(lookup, "MX " + host)) {
                    work.add(threads.submit(() -> connect(host, address)));
                }
            }
            // The addresses of the MX hosts inside the zone, as each authoritative server gives them.
            TreeSet<String> inZone = new TreeSet<>();
            hosts.stream().filter(h -> inZone(h, zone.apex())).forEach(inZone::add);
            views.forEach(v -> v.mxHosts().stream().filter(h -> inZone(h, zone.apex())).forEach(inZone::add));
            for (String host : inZone) {
                work.add(threads.submit(() -> compareMxAddresses(host, views)));
            }
            join(work);
        }

        void connect(String host, InetAddress address) {
            InetSocketAddress target = new InetSocketAddress(address, settings.smtpPort());
            SmtpProbe.Result result = probe(target);
            switch (result.outcome()) {
                case ACCEPTED -> {
                    // answering is all that is asked of it
                }
                case NOT_ACCEPTED -> reasons.add(new Reason(ReasonCode.MX_NOT_ANSWERING, host + "@" + AddressText.of(target),
                        "TCP connect to the SMTP port: " + result.detail()));
                case LOCAL_FAILURE -> problems.add("MX " + host + ": " + result.detail());
            }
        }

        void compareMxAddresses(String host, List<ServerView> views) {
            Map<String, List<String>> serversByValue = new TreeMap<>();
            for (ServerView view : views) {
                List<String> addresses = new ArrayList<>();
                boolean usable = true;
                for (RecordType type : List.of(RecordType.A, RecordType.AAAA)) {
                    Reply reply = AuthoritativeQuery.ask(view.server().address(), host, type, settings.timeout());
                    // Only authoritative NOERROR/NXDOMAIN answers are compared: a referral to a child zone is not a disagreement.
                    if (reply instanceof Response r && r.authoritative() && (r.rcode() == Rcode.NOERROR || r.rcode() == Rcode.NXDOMAIN)) {
                        r.records().forEach(record -> addresses.add(switch (record) {
                            case ARecord a -> AddressText.of(a.getAddress());
                            case AAAARecord aaaa -> AddressText.of(aaaa.getAddress());
                            default -> record.rdataToString();
                        }));
                    } else {
                        usable = false;
                    }
                }
                if (usable) {
                    serversByValue.computeIfAbsent(addresses.isEmpty() ? "no address" : set(addresses), k -> new ArrayList<>())
                            .add(view.server().label());
                }
            }
            if (serversByValue.size() > 1) {
                reasons.add(new Reason(ReasonCode.MX_ADDRESS_MISMATCH, host, "A/AAAA " + host + ": " + describe(serversByValue)));
            }
        }

        // -- addresses --

        /** A and AAAA of a name through the recursive resolver; temporary failures become problems. */
        AddressLookup addresses(String host) {
            List<InetAddress> found = new ArrayList<>();
            List<String> negative = new ArrayList<>();
            List<String> alias = new ArrayList<>();
            boolean temporary = false;
            for (RecordType type : List.of(RecordType.A, RecordType.AAAA)) {
                DnsOutcome outcome = resolver.lookup(host, type);
                switch (outcome) {
                    case DnsOutcome.Answer answer -> {
                        answer.records(DnsRecord.Address.class).forEach(a -> found.add(a.address()));
                        if (!answer.cnameChain().isEmpty() && !alias.contains(answer.canonicalName())) alias.add(answer.canonicalName());
                    }
                    case DnsOutcome.NoData ignored -> negative.add(type + " " + host + " via resolver: no data");
                    case DnsOutcome.NoSuchDomain ignored -> negative.add(type + " " + host + " via resolver: no such domain (NXDOMAIN)");
                    case DnsOutcome.ServerFailure failure -> {
                        temporary = true;
                        problems.add(type + " " + host + " via resolver: " + failure.reason());
                    }
                    case DnsOutcome.Timeout timeout -> {
                        temporary = true;
                        problems.add(type + " " + host + " via resolver: no answer within " + timeout.waited().toMillis() + " ms");
                    }
                }
            }
            return new AddressLookup(found, alias, String.join("; ", negative), temporary);
        }

        /**
         * The addresses that may be contacted. An address in a special-purpose range is a reason (RFC 6890;
         * the registry row is the evidence) and is never contacted: it may reach a host on our own network.
         */
        List<InetAddress> reachable(AddressLookup lookup, String subject) {
            List<InetAddress> reachable = new ArrayList<>();
            String host = subject.substring(subject.indexOf(' ') + 1);
            for (InetAddress address : lookup.addresses()) {
                IPAddress ip = new IPAddressGenerator().from(address.getAddress());
                if (settings.treatAsGlobal().stream().anyMatch(block -> block.contains(ip))) {
                    reachable.add(address);
                    continue;
                }
                Classification classification = registry.classify(address);
                if (classification.globallyReachable()) {
                    reachable.add(address);
                    continue;
                }
                String text = AddressText.of(address);
                classified.add(subject + " " + text);
                if (subject.startsWith("MNAME ") && classified.contains("NS " + host + " " + text)) continue; // reported as the NS's
                ReasonCode code = switch (classification.category()) {
                    case DOCUMENTATION -> ReasonCode.DOCUMENTATION_ADDRESS;
                    case LOCAL_USE -> ReasonCode.LOCAL_USE_ADDRESS;
                    default -> ReasonCode.NOT_GLOBALLY_REACHABLE_ADDRESS;
                };
                String type = address instanceof java.net.Inet4Address ? "A" : "AAAA";
                reasons.add(new Reason(code, subject + " " + AddressText.of(address), type + " " + host + " via resolver: "
                        + AddressText.of(address) + " is in " + classification.row().map(SpecialPurposeAddressRegistry.Row::describe).orElse("?")));
            }
            return reachable;
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** The SMTP connect to this address, shared with every inspection that asks within {@link #PROBE_REUSE}. */
    private SmtpProbe.Result probe(InetSocketAddress target) {
        Instant now = clock.instant();
        if (probes.size() >= MAX_REMEMBERED_PROBES) probes.values().removeIf(p -> !now.isBefore(p.started().plus(PROBE_REUSE)));
        SharedProbe mine = new SharedProbe(new CompletableFuture<>(), now);
        SharedProbe used = probes.compute(target, (address, old) ->
                old != null && now.isBefore(old.started().plus(PROBE_REUSE)) ? old : mine);
        if (used == mine) {
            try {
                mine.result().complete(SmtpProbe.probe(target, settings.timeout()));
            } catch (RuntimeException e) {
                mine.result().completeExceptionally(e);
            }
        }
        return used.result().join();
    }

    /** The name in lower case, without the final dot, internationalised labels as A-labels (RFC 5890, via java.net.IDN). */
    static String asciiName(String domainOrHost) {
        String trimmed = domainOrHost == null ? "" : domainOrHost.trim();
        DnsNames.problem(trimmed).ifPresent(p -> {
            throw new IllegalArgumentException("not a domain name: " + p);
        });
        String ascii;
        try {
            ascii = IDN.toASCII(trimmed, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a domain name: " + domainOrHost + " (" + e.getMessage() + ")", e);
        }
        DnsNames.problem(ascii).ifPresent(p -> {
            throw new IllegalArgumentException("not a domain name: " + p);
        });
        return DnsNames.canonical(ascii);
    }

    private static boolean inZone(String host, String apex) {
        return host.equals(apex) || host.endsWith("." + apex);
    }

    /** A set of values as evidence shows it: sorted, lower case, in braces. */
    private static String set(Collection<String> values) {
        return "{" + String.join(", ", new TreeSet<>(values.stream().map(v -> v.toLowerCase(Locale.ROOT)).toList())) + "}";
    }

    private static String describe(Map<String, List<String>> serversByValue) {
        List<String> parts = new ArrayList<>();
        serversByValue.forEach((value, servers) -> parts.add(value + " from " + String.join(", ", servers.stream().sorted().toList())));
        return String.join("; ", parts);
    }

    private static <T, R> List<R> parallel(ExecutorService threads, List<T> items, Function<T, R> task) {
        List<Future<R>> futures = items.stream().map(item -> threads.submit(() -> task.apply(item))).toList();
        List<R> results = new ArrayList<>();
        for (Future<R> future : futures) results.add(get(future));
        return results;
    }

    private static void join(List<Future<?>> futures) {
        futures.forEach(SiteInspector::get);
    }

    private static <R> R get(Future<R> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) throw runtime;
            throw new IllegalStateException(e.getCause());
        }
    }
}
