package dev.sekisho.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.audit.BoundedConcurrency;
import dev.sekisho.audit.overlap.CustomerFile;
import dev.sekisho.audit.overlap.CustomerOverlap;
import dev.sekisho.audit.overlap.OverlapVerdict;
import dev.sekisho.audit.overlap.ProviderSpf;
import dev.sekisho.audit.overlap.SpfOverlapAudit;
import dev.sekisho.dmarc.DmarcRecord;
import dev.sekisho.dns.DnsResolver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sekisho audit spf-overlap}: which hosting customers' sending infrastructure the provider's own SPF
 * record also authorises, so that a tenant can send mail that passes SPF (and DMARC) as the provider (seed 000).
 */
@Command(name = "spf-overlap", mixinStandardHelpOptions = true,
        description = {"For every customer domain, expand its SPF record into networks and intersect them with each provider domain's:",
                "full (all of the customer's networks pass SPF as the provider), partial, or none; with the provider's DMARC policy.",
                "Exit code: 0 no overlap, 1 some customer overlaps, 2 bad options or a domain that could not be checked."})
public final class AuditSpfOverlapCommand implements Callable<Integer> {
    @Option(names = "--provider", required = true, arity = "1..*", paramLabel = "DOMAIN",
            description = "The provider's domain(s) whose SPF record authorises the shared hosts (repeatable).")
    List<String> providers;
    @Option(names = "--customers", required = true, paramLabel = "FILE",
            description = "Customer domains, one per line; # starts a comment.")
    Path customersFile;
    @Mixin
    AuditOptions options = new AuditOptions();
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SpfOverlapAudit audit;
        List<String> customers;
        BoundedConcurrency concurrency;
        try {
            options.validate();
            DnsResolver resolver = options.resolver();
            audit = new SpfOverlapAudit(resolver);
            concurrency = new BoundedConcurrency(options.concurrency);
            customers = CustomerFile.read(customersFile);
        } catch (IOException e) {
            err.println("sekisho audit spf-overlap: cannot read " + customersFile + ": " + e.getMessage());
            err.flush();
            return 2;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("sekisho audit spf-overlap: " + e.getMessage());
            err.flush();
            return 2;
        }
        List<ProviderSpf> read = providers.stream().map(audit::provider).toList();
        boolean providerFailed = false;
        for (ProviderSpf p : read) {
            if (p.error().isPresent()) {
                err.println("sekisho audit spf-overlap: provider " + p.domain() + ": " + p.error().get());
                providerFailed = true;
            }
        }
        if (providerFailed) {
            // Every verdict would be measured against an unknown set of networks: stop rather than mislead.
            err.flush();
            return 2;
        }
        List<CustomerOverlap> results = audit.customers(customers, read, concurrency, AuditProgress.onTerminal(err, customers.size(), "customers"));
        if (options.json) out.println(json(read, results));
        else if (options.csv) csv(out, read, results);
        else table(out, read, results);
        out.flush();
        for (CustomerOverlap r : results) {
            r.error().ifPresent(e -> err.println("sekisho audit spf-overlap: " + r.customer() + ": " + e));
        }
        err.flush();
        if (results.stream().anyMatch(r -> r.error().isPresent())) return 2;
        return results.stream().anyMatch(r -> r.verdict().map(v -> v != OverlapVerdict.NONE).orElse(false)) ? 1 : 0;
    }

    private static String pct(ProviderSpf p) {
        return p.dmarc().record().map(DmarcRecord::percent).map(String::valueOf).orElse("");
    }

    private static void table(PrintWriter out, List<ProviderSpf> providers, List<CustomerOverlap> results) {
        out.println("providers:");
        for (ProviderSpf p : providers) {
            out.printf("  %s: DMARC %s (mail failing DMARC is %s)%n", p.domain(), p.dmarc().summary(), p.dmarc().failingMail());
            out.printf("    networks: %s%n", p.networks().isEmpty() ? "(none)" : String.join(" ", p.networks().cidrs()));
            p.problems().forEach(problem -> out.printf("    problem: %s%n", problem));
        }
        out.println();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"CUSTOMER", "VERDICT", "PROVIDER", "OVERLAP", "CUSTOMER NETWORKS"});
        for (CustomerOverlap r : results) {
            if (r.error().isPresent()) {
                rows.add(new String[]{r.customer(), "error", "", "", r.error().get()});
                continue;
            }
            for (CustomerOverlap.ProviderOverlap o : r.providers()) {
                rows.add(new String[]{r.customer(), o.verdict().label(), o.provider(), o.overlap().isEmpty() ? "-" : String.join(" ", o.overlap().cidrs()),
                        r.networks().isEmpty() ? "(none)" : String.join(" ", r.networks().cidrs())});
            }
        }
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) widths[i] = Math.min(Math.max(widths[i], row[i].length()), 48);
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) line.append(String.format("%-" + widths[i] + "s  ", row[i]));
            out.println(line.append(row[4]).toString().stripTrailing());
        }
        Map<OverlapVerdict, Integer> counts = new EnumMap<>(OverlapVerdict.class);
        int errors = 0;
        for (CustomerOverlap r : results) {
            if (r.error().isPresent()) errors++;
            else counts.merge(r.verdict().orElse(OverlapVerdict.NONE), 1, Integer::sum);
        }
        out.printf("%n%d customers: %d full, %d partial, %d none, %d could not be checked%n", results.size(),
                counts.getOrDefault(OverlapVerdict.FULL, 0), counts.getOrDefault(OverlapVerdict.PARTIAL, 0),
                counts.getOrDefault(OverlapVerdict.NONE, 0), errors);
    }

    private static void csv(PrintWriter out, List<ProviderSpf> providers, List<CustomerOverlap> results) {
        Csv.row(out, List.of("customer", "provider", "verdict", "overlap", "customer_networks", "provider_dmarc", "provider_pct",
                "notes", "error"));
        Map<String, ProviderSpf> byDomain = new LinkedHashMap<>();
        providers.forEach(p -> byDomain.put(p.domain(), p));
        for (CustomerOverlap r : results) {
            if (r.error().isPresent()) {
                Csv.row(out, List.of(r.customer(), "", "error", "", "", "", "", "", r.error().get()));
                continue;
            }
            for (CustomerOverlap.ProviderOverlap o : r.providers()) {
                ProviderSpf p = byDomain.get(o.provider());
                Csv.row(out, List.of(r.customer(), o.provider(), o.verdict().label(), String.join(" ", o.overlap().cidrs()),
                        String.join(" ", r.networks().cidrs()), p.dmarc().summary(), pct(p), String.join("; ", r.notes()), ""));
            }
        }
    }

    static String json(List<ProviderSpf> providers, List<CustomerOverlap> results) {
        List<Map<String, Object>> ps = new ArrayList<>();
        for (ProviderSpf p : providers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("domain", p.domain());
            m.put("record", p.expansion().record().orElse(null));
            m.put("networks", p.networks().cidrs());
            m.put("problems", p.problems());
            Map<String, Object> dmarc = new LinkedHashMap<>();
            dmarc.put("summary", p.dmarc().summary());
            dmarc.put("p", p.dmarc().policy().map(x -> x.token()).orElse(null));
            dmarc.put("sp", p.dmarc().record().map(r -> r.subdomainPolicy().token()).orElse(null));
            dmarc.put("pct", p.dmarc().record().map(DmarcRecord::percent).orElse(null));
            dmarc.put("failingMail", p.dmarc().failingMail());
            dmarc.put("error", p.dmarc().error().orElse(null));
            m.put("dmarc", dmarc);
            ps.add(m);
        }
        List<Map<String, Object>> cs = new ArrayList<>(results.size());
        for (CustomerOverlap r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("customer", r.customer());
            m.put("verdict", r.verdict().map(OverlapVerdict::label).orElse(null));
            m.put("networks", r.networks().cidrs());
            m.put("providers", r.providers().stream().map(o -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("provider", o.provider());
                x.put("verdict", o.verdict().label());
                x.put("overlap", o.overlap().cidrs());
                return x;
            }).toList());
            m.put("notes", r.notes());
            m.put("error", r.error().orElse(null));
            cs.add(m);
        }
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("providers", ps);
        object.put("customers", cs);
        try {
            return new ObjectMapper().writeValueAsString(object);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write JSON", e);
        }
    }
}
