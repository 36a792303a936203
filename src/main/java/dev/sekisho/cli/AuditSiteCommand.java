package dev.sekisho.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sekisho.audit.SpecialPurposeAddressRegistry;
import dev.sekisho.audit.site.Reason;
import dev.sekisho.audit.site.SiteInspector;
import dev.sekisho.audit.site.SiteVerdict;
import dev.sekisho.config.Durations;
import dev.sekisho.dns.CachingResolver;
import dev.sekisho.dns.DnsNames;
import dev.sekisho.dns.NetworkResolver;
import inet.ipaddr.IPAddress;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * {@code sekisho audit site}: is each domain's mail and DNS site well run (seed 003)? Lame name
 * servers, an SOA MNAME that does not serve the zone, authoritative servers that disagree, MX hosts
 * without address or not answering on the SMTP port, and special-purpose addresses in public DNS.
 * Registered under {@code sekisho audit} as "site".
 */
@Command(name = "site", mixinStandardHelpOptions = true,
        description = {"Judge whether each domain's sender site is well run: asks every authoritative name server directly, "
                + "the SOA MNAME, and connects to each MX on the SMTP port (connect, greeting, QUIT: no mail is sent).",
                "Exit code: 0 every domain well run, 1 some broken, 2 some could not be judged (or bad options)."})
public final class AuditSiteCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DOMAIN", description = "Domains (or host names) to judge.")
    List<String> domains = new ArrayList<>();

    @Option(names = "--resolver", paramLabel = "HOST[:PORT]",
            description = "Recursive resolver used to find name servers and addresses (an IP address; repeat for several). "
                    + "Default: the system's (/etc/resolv.conf).")
    List<String> resolvers = new ArrayList<>();

    @Option(names = "--dns-port", paramLabel = "N", defaultValue = "53",
            description = "Port the authoritative servers are asked on (default: ${DEFAULT-VALUE}).")
    int dnsPort;

    @Option(names = "--smtp-port", paramLabel = "N", defaultValue = "25",
            description = "Port the MX hosts are connected to (default: ${DEFAULT-VALUE}).")
    int smtpPort;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "3s",
            description = "Deadline of each DNS query and each SMTP connect, e.g. 3s or 500ms (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
            description = "Domains inspected at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--treat-as-global", paramLabel = "CIDR",
            description = "Treat addresses in this block as globally reachable although the IANA registries do not (a lab network); repeatable.")
    List<String> treatAsGlobal = new ArrayList<>();

    @ArgGroup(exclusive = true)
    Format format = new Format();

    static final class Format {
        @Option(names = "--json", description = "Print a JSON array, one object per domain.")
        boolean json;
        @Option(names = "--csv", description = "Print CSV (RFC 4180), one row per reason, problem or error.")
        boolean csv;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One domain's outcome: a verdict, or why it could not be inspected at all. */
    record Outcome(String domain, SiteVerdict verdict, String error) {
        String verdictLabel() {
            return verdict == null ? "error" : verdict.judgement().label();
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SiteInspector inspector;
        try {
            inspector = inspector();
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("sekisho audit site: " + e.getMessage());
            err.flush();
            return 2;
        }
        List<Outcome> outcomes = inspectAll(inspector);
        if (format.json) {
            out.println(json(outcomes));
        } else if (format.csv) {
            out.print(csv(outcomes));
        } else {
            out.print(table(outcomes));
        }
        out.flush();
        boolean error = outcomes.stream().anyMatch(o -> o.verdict() == null || o.verdict().judgement() == SiteVerdict.Judgement.UNDETERMINED);
        if (error) return 2;
        return outcomes.stream().anyMatch(o -> o.verdict().broken()) ? 1 : 0;
    }

    private SiteInspector inspector() {
        Duration deadline;
        try {
            deadline = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--timeout " + e.getMessage(), e);
        }
        if (deadline.isZero()) throw new IllegalArgumentException("--timeout must be positive, was " + timeout);
        if (concurrency < 1) throw new IllegalArgumentException("--concurrency must be at least 1, was " + concurrency);
        if (dnsPort < 1 || dnsPort > 65535) throw new IllegalArgumentException("--dns-port must be 1-65535, was " + dnsPort);
        if (smtpPort < 1 || smtpPort > 65535) throw new IllegalArgumentException("--smtp-port must be 1-65535, was " + smtpPort);
        List<IPAddress> global = new ArrayList<>();
        for (String block : treatAsGlobal) {
            try {
                global.add(SpecialPurposeAddressRegistry.parseBlock(block));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--treat-as-global: " + e.getMessage(), e);
            }
        }
        NetworkResolver.Settings settings = resolvers.isEmpty() ? NetworkResolver.Settings.system() : NetworkResolver.Settings.of(resolvers);
        CachingResolver resolver = new CachingResolver(new NetworkResolver(settings.withTimeout(deadline)), InstantSource.system());
        return new SiteInspector(resolver, new SiteInspector.Settings(dnsPort, smtpPort, deadline, global));
    }

    /** Every domain once, in the order given, at most {@code concurrency} at a time. */
    private List<Outcome> inspectAll(SiteInspector inspector) {
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String domain : domains) unique.add(DnsNames.problem(domain).isPresent() ? domain : DnsNames.canonical(domain.trim()));
        Semaphore slots = new Semaphore(concurrency);
        List<Outcome> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (String domain : unique) {
                futures.add(threads.submit(() -> {
                    slots.acquire();
                    try {
                        return new Outcome(domain, inspector.inspect(domain), null);
                    } catch (IllegalArgumentException e) {
                        return new Outcome(domain, null, e.getMessage());
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    outcomes.add(futures.get(i).get());
                } catch (Exception e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    outcomes.add(new Outcome(new ArrayList<>(unique).get(i), null, "inspection failed: " + cause));
                }
            }
        }
        return outcomes;
    }

    // ---- output ----------------------------------------------------------------------------------

    static String table(List<Outcome> outcomes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"DOMAIN", "VERDICT", "REASON", "SUBJECT", "EVIDENCE"});
        for (Outcome o : outcomes) {
            List<String[]> lines = new ArrayList<>();
            if (o.verdict() == null) {
                lines.add(new String[]{"", "", "ERROR", "", o.error()});
            } else {
                for (Reason r : o.verdict().reasons()) lines.add(new String[]{"", "", r.code().name(), r.subject(), r.evidence()});
                for (String p : o.verdict().problems()) lines.add(new String[]{"", "", "NOT CHECKED", "", p});
            }
            if (lines.isEmpty()) lines.add(new String[]{"", "", "", "", ""});
            lines.getFirst()[0] = o.domain();
            lines.getFirst()[1] = o.verdictLabel();
            rows.addAll(lines);
        }
        int[] widths = new int[4];
        for (String[] row : rows) for (int i = 0; i < 4; i++) widths[i] = Math.max(widths[i], row[i].length());
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < 4; i++) line.append(String.format("%-" + widths[i] + "s  ", row[i]));
            line.append(row[4]);
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    static String json(List<Outcome> outcomes) {
        List<Map<String, Object>> array = new ArrayList<>();
        for (Outcome o : outcomes) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("domain", o.domain());
            object.put("verdict", o.verdictLabel());
            if (o.verdict() == null) {
                object.put("error", o.error());
            } else {
                object.put("checkedAt", o.verdict().checkedAt().toString());
                object.put("reasons", o.verdict().reasons().stream().map(r -> {
                    Map<String, Object> reason = new LinkedHashMap<>();
                    reason.put("code", r.code().name());
                    if (!r.code().zonemasterTag().isEmpty()) reason.put("zonemasterTag", r.code().zonemasterTag());
                    reason.put("subject", r.subject());
                    reason.put("evidence", r.evidence());
                    return reason;
                }).toList());
                object.put("problems", o.verdict().problems());
            }
            array.add(object);
        }
        try {
            return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static String csv(List<Outcome> outcomes) {
        StringBuilder text = new StringBuilder("domain,verdict,kind,code,subject,detail\r\n");
        for (Outcome o : outcomes) {
            String prefix = Csv.field(o.domain()) + "," + Csv.field(o.verdictLabel()) + ",";
            if (o.verdict() == null) {
                text.append(prefix).append("error,,,").append(Csv.field(o.error())).append("\r\n");
                continue;
            }
            for (Reason r : o.verdict().reasons()) {
                text.append(prefix).append("reason,").append(r.code().name()).append(',').append(Csv.field(r.subject())).append(',')
                        .append(Csv.field(r.evidence())).append("\r\n");
            }
            for (String p : o.verdict().problems()) text.append(prefix).append("problem,,,").append(Csv.field(p)).append("\r\n");
            if (o.verdict().reasons().isEmpty() && o.verdict().problems().isEmpty()) text.append(prefix).append(",,,\r\n");
        }
        return text.toString();
    }
}
