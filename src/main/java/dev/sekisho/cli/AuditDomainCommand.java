package dev.sekisho.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.audit.BoundedConcurrency;
import dev.sekisho.audit.posture.DomainAudit;
import dev.sekisho.audit.posture.DomainFinding;
import dev.sekisho.audit.posture.DomainPosture;
import dev.sekisho.audit.posture.MtaStsPolicyFetcher;
import dev.sekisho.audit.posture.RecordToPublish;
import dev.sekisho.audit.posture.Severity;
import dev.sekisho.config.Durations;
import dev.sekisho.dns.DnsResolver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code sekisho audit domain}: the mail posture of domains (SPF, DMARC, MX, MTA-STS, TLS-RPT, BIMI), with the records to publish. */
@Command(name = "domain", mixinStandardHelpOptions = true,
        description = {"Audit the mail posture of domains: SPF, DMARC, MX, MTA-STS, TLS-RPT and BIMI, findings ranked by severity,",
                "each with the record to publish where there is one. A domain without mail gets the parked-domain advice.",
                "Exit code: 0 clean (information only), 1 errors or warnings, 2 bad options or a domain that could not be (fully) checked."})
public final class AuditDomainCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DOMAIN", description = "The domains to audit.")
    List<String> domains;
    @Mixin
    AuditOptions options = new AuditOptions();
    @Option(names = "--no-mta-sts-fetch", description = "Do not fetch MTA-STS policies over HTTPS; check only the _mta-sts TXT record.")
    boolean noPolicyFetch;
    @Option(names = "--mta-sts-timeout", paramLabel = "DURATION", defaultValue = "3s",
            description = "Deadline of one MTA-STS policy fetch, connect to last byte (default: ${DEFAULT-VALUE}).")
    String policyTimeout;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DomainAudit audit;
        BoundedConcurrency concurrency;
        try {
            options.validate();
            DnsResolver resolver = options.resolver();
            Duration fetchDeadline = Durations.parse(policyTimeout);
            if (fetchDeadline.isZero()) throw new IllegalArgumentException("--mta-sts-timeout must be positive, was " + policyTimeout);
            Optional<MtaStsPolicyFetcher> fetcher = noPolicyFetch ? Optional.empty()
                    : Optional.of(new MtaStsPolicyFetcher(resolver, MtaStsPolicyFetcher.Settings.https(fetchDeadline)));
            audit = new DomainAudit(resolver, fetcher);
            concurrency = new BoundedConcurrency(options.concurrency);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("sekisho audit domain: " + e.getMessage());
            err.flush();
            return 2;
        }
        List<DomainPosture> postures = audit.auditAll(domains, concurrency, AuditProgress.onTerminal(err, domains.size(), "domains"));
        if (options.json) out.println(json(postures));
        else if (options.csv) csv(out, postures);
        else table(out, postures);
        out.flush();
        for (DomainPosture p : postures) {
            if (!p.incomplete()) continue;
            String reasons = p.error().orElseGet(() -> p.findings().stream().filter(f -> f.severity() == Severity.COULD_NOT_CHECK)
                    .map(DomainFinding::message).collect(Collectors.joining("; ")));
            err.println("sekisho audit domain: " + p.domain() + ": " + reasons);
        }
        err.flush();
        if (postures.stream().anyMatch(DomainPosture::incomplete)) return 2;
        return postures.stream().anyMatch(DomainPosture::hasProblems) ? 1 : 0;
    }

    static String mail(DomainPosture.MailStatus status) {
        return status.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void table(PrintWriter out, List<DomainPosture> postures) {
        for (DomainPosture p : postures) {
            if (p.error().isPresent()) {
                out.printf("%s: NOT CHECKED: %s%n%n", p.domain(), p.error().get());
                continue;
            }
            Map<Severity, Long> counts = p.findings().stream().collect(Collectors.groupingBy(DomainFinding::severity, Collectors.counting()));
            List<String> summary = new ArrayList<>();
            for (Severity s : Severity.values()) {
                if (counts.containsKey(s)) summary.add(counts.get(s) + " " + s.label());
            }
            out.printf("%s (%s): %s%n", p.domain(), mail(p.mail()).replace('-', ' '), summary.isEmpty() ? "no findings" : String.join(", ", summary));
            for (DomainFinding f : p.findings()) {
                out.printf("  %-15s %-8s %s: %s%n", f.severity().label(), f.area().label(), f.code(), f.message());
                f.publish().ifPresent(r -> out.printf("  %-15s %-8s publish: %s%n", "", "", r.zoneLine()));
            }
            out.println();
        }
    }

    private static void csv(PrintWriter out, List<DomainPosture> postures) {
        Csv.row(out, List.of("domain", "mail", "severity", "area", "code", "message", "publish"));
        for (DomainPosture p : postures) {
            if (p.error().isPresent()) {
                Csv.row(out, List.of(p.domain(), mail(p.mail()), Severity.COULD_NOT_CHECK.label(), "domain", "not-checked", p.error().get(), ""));
            }
            for (DomainFinding f : p.findings()) {
                Csv.row(out, List.of(p.domain(), mail(p.mail()), f.severity().label(), f.area().label(), f.code(), f.message(),
                        f.publish().map(RecordToPublish::zoneLine).orElse("")));
            }
        }
    }

    static String json(List<DomainPosture> postures) {
        List<Map<String, Object>> domains = new ArrayList<>();
        for (DomainPosture p : postures) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("domain", p.domain());
            d.put("mail", mail(p.mail()));
            d.put("parked", p.parked());
            d.put("error", p.error().orElse(null));
            d.put("findings", p.findings().stream().map(f -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("severity", f.severity().label());
                m.put("area", f.area().label());
                m.put("code", f.code());
                m.put("message", f.message());
                m.put("publish", f.publish().map(r -> {
                    Map<String, Object> record = new LinkedHashMap<>();
                    record.put("name", r.name());
                    record.put("type", r.type());
                    record.put("value", r.value());
                    record.put("zoneLine", r.zoneLine());
                    return record;
                }).orElse(null));
                return m;
            }).toList());
            domains.add(d);
        }
        try {
            return new ObjectMapper().writeValueAsString(Map.of("domains", domains));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON", e);
        }
    }
}
