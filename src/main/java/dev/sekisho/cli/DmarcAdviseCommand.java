package dev.sekisho.cli;

import dev.sekisho.reports.analysis.PolicyAdvice;
import dev.sekisho.reports.analysis.SourceClassifier;
import dev.sekisho.store.RecordFilter;
import dev.sekisho.store.ReportStore;
import dev.sekisho.store.StoredPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code sekisho dmarc advise}: can the domain move to quarantine, then reject; what still fails; parked-domain records. */
@Command(name = "advise", mixinStandardHelpOptions = true,
        description = {"Whether the domain is ready to move from p=none to quarantine and then to reject, which legitimate sources "
                + "still fail and how, and for a domain that sends no legitimate mail the records that park it.",
                "Exit code 1 when the store has no reports about the domain."})
final class DmarcAdviseCommand extends DmarcSubcommand {
    /** Findings of each kind the table shows, largest first; a domain under heavy spoofing has thousands. */
    static final int TABLE_FINDINGS_PER_KIND = 20;

    @Option(names = "--domain", required = true, paramLabel = "DOMAIN", description = "The From domain (its subdomains included).")
    String domain;
    @Option(names = "--since", paramLabel = "DATE", description = "Only reports whose period ends after DATE (2024-05-01, UTC, or an instant).")
    String since;
    @Option(names = "--forwarder", paramLabel = "NETWORK", description = "An address or network of a known forwarder (repeatable).")
    List<String> forwarders = new ArrayList<>();
    @Option(names = "--max-failing", paramLabel = "PERCENT", defaultValue = "1",
            description = "The share of legitimate mail that may still fail DMARC for a step to be ready (default ${DEFAULT-VALUE}%%).")
    double maxFailingPercent;

    @Override
    int run(PrintWriter out, PrintWriter err) {
        DmarcTable.Format format = store.format();
        String d = domain("--domain", domain);
        Optional<Instant> from = since(since);
        if (!(maxFailingPercent >= 0 && maxFailingPercent <= 100)) {
            throw new IllegalArgumentException("--max-failing must be a percentage from 0 to 100, was " + maxFailingPercent);
        }
        SourceClassifier classifier = SourceClassifier.withKnownForwarders(forwarders);
        PolicyAdvice advice;
        String location;
        try (ReportStore reports = store.openExisting()) {
            location = reports.location();
            advice = PolicyAdvice.of(d, reports.recordGroups(new RecordFilter(Optional.of(d), from)), reports.latestPolicy(d), classifier,
                    maxFailingPercent / 100);
        }
        if (advice.messages() == 0) {
            err.println(spec.qualifiedName() + ": no aggregate reports about " + d + " in " + location
                    + (from.isPresent() ? " ending after " + from.get() : "") + ": import some first");
            return 1;
        }
        DmarcTable findings = new DmarcTable("kind", "ip", "class", "messages", "problem");
        advice.findings().forEach(f -> findings.row(f.kind().label(), f.ip(), f.sourceClass().label(), f.messages(), f.problem()));
        // The table shows the largest findings of each kind; JSON and CSV list every one.
        DmarcTable largestFindings = new DmarcTable("kind", "ip", "class", "messages", "problem");
        Map<PolicyAdvice.Kind, Integer> shown = new java.util.EnumMap<>(PolicyAdvice.Kind.class);
        for (PolicyAdvice.Finding f : advice.findings()) {
            if (shown.merge(f.kind(), 1, Integer::sum) <= TABLE_FINDINGS_PER_KIND) {
                largestFindings.row(f.kind().label(), f.ip(), f.sourceClass().label(), f.messages(), f.problem());
            }
        }
        switch (format) {
            case JSON -> out.println(DmarcTable.json(json(advice, findings)));
            case CSV -> {
                DmarcTable all = new DmarcTable("section", "name", "class", "messages", "detail");
                all.row("published", advice.published().map(StoredPolicy::p).orElse(null), null, null, policyText(advice));
                all.row("messages", "all", null, advice.messages(), null);
                all.row("messages", "legitimate", null, advice.legitimateMessages(), null);
                all.row("messages", "legitimate-failing", null, advice.legitimateFailing(), null);
                all.row("messages", "spoofing", null, advice.spoofingMessages(), advice.spoofingSources() + " sources");
                for (PolicyAdvice.Step step : List.of(advice.quarantine(), advice.reject())) {
                    all.row("step", step.policy(), null, null, (step.ready() ? "ready: " : "not ready: ") + step.reason());
                }
                advice.findings().forEach(f -> all.row(f.kind().label(), f.ip(), f.sourceClass().label(), f.messages(), f.problem()));
                advice.parkedRecords().forEach(r -> all.row("parked-record", r, null, null, null));
                all.printCsv(out, true);
            }
            case TABLE -> {
                out.printf("domain:      %s%n", advice.domain());
                out.printf("published:   %s%n", policyText(advice));
                out.printf("messages:    %d: %d legitimate (%d fail DMARC), %d spoofing from %d sources%n", advice.messages(),
                        advice.legitimateMessages(), advice.legitimateFailing(), advice.spoofingMessages(), advice.spoofingSources());
                for (PolicyAdvice.Step step : List.of(advice.quarantine(), advice.reject())) {
                    out.printf("%-12s %s: %s%n", step.policy() + ":", step.ready() ? "ready" : "not ready", step.reason());
                }
                if (!findings.isEmpty()) {
                    out.println();
                    out.println("What fails (legitimate-failing: lost under a stricter policy; authenticates-as-other-domain: yours only if you use that service)");
                    largestFindings.printTable(out);
                    shown.forEach((kind, count) -> {
                        if (count > TABLE_FINDINGS_PER_KIND) {
                            out.printf("... and %d more %s findings (--json or --csv lists them all)%n", count - TABLE_FINDINGS_PER_KIND, kind.label());
                        }
                    });
                }
                if (!advice.parkedRecords().isEmpty()) {
                    out.println();
                    out.println("Parked-domain records to publish (nothing legitimate sends as " + advice.domain() + "):");
                    advice.parkedRecords().forEach(r -> out.println("  " + r));
                }
            }
        }
        return 0;
    }

    private static String policyText(PolicyAdvice advice) {
        return advice.published().map(p -> "p=" + p.p() + p.sp().map(sp -> " sp=" + sp).orElse("") + p.pct().map(pct -> " pct=" + pct).orElse("")
                + " (reported by " + p.reporter() + ", period ending " + p.seenAt() + ")").orElse("no report shows a policy for the domain itself");
    }

    private static Map<String, Object> json(PolicyAdvice advice, DmarcTable findings) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("domain", advice.domain());
        object.put("published", advice.published().map(p -> {
            Map<String, Object> policy = new LinkedHashMap<>();
            policy.put("p", p.p());
            policy.put("sp", p.sp().orElse(null));
            policy.put("pct", p.pct().orElse(null));
            policy.put("reporter", p.reporter());
            policy.put("seenAt", p.seenAt().toString());
            return policy;
        }).orElse(null));
        object.put("messages", advice.messages());
        object.put("legitimateMessages", advice.legitimateMessages());
        object.put("legitimateFailing", advice.legitimateFailing());
        object.put("spoofingMessages", advice.spoofingMessages());
        object.put("spoofingSources", advice.spoofingSources());
        for (PolicyAdvice.Step step : List.of(advice.quarantine(), advice.reject())) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("ready", step.ready());
            s.put("reason", step.reason());
            object.put(step.policy(), s);
        }
        object.put("findings", findings.objects());
        object.put("parkedRecords", advice.parkedRecords());
        return object;
    }
}
