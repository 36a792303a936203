package dev.sekisho.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.dns.DnsNames;
import dev.sekisho.spf.SpfExpander;
import dev.sekisho.spf.SpfExpansion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sekisho spf expand}: the networks a domain's SPF record authorises, and what stands in the way of knowing. */
@Command(name = "expand", mixinStandardHelpOptions = true,
        description = {"Expand a domain's SPF record into the networks it authorises, following include, redirect, a and mx;",
                "list what cannot be expanded statically (exists, ptr, macros) and report lookups needed, void lookups, loops and limits.",
                "Exit code: 0 expanded without problems, 1 problems found, 2 bad options."})
public final class SpfExpandCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain whose SPF record to expand.")
    String domain;
    @Mixin
    DnsOptions dns = new DnsOptions();
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SpfExpander expander;
        try {
            DnsNames.problem(domain).ifPresent(p -> {
                throw new IllegalArgumentException("DOMAIN: " + p);
            });
            expander = new SpfExpander(dns.resolver());
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("sekisho spf expand: " + e.getMessage());
            err.flush();
            return 2;
        }
        SpfExpansion expansion = expander.expand(domain);
        if (json) {
            out.println(json(expansion));
        } else {
            out.printf("domain:       %s%n", expansion.domain());
            out.printf("record:       %s%n", expansion.record().orElse("(none)"));
            out.printf("lookups:      %d needed (limit 10), void lookups: %d (limit 2)%n", expansion.lookups(), expansion.voidLookups());
            expansion.all().ifPresent(q -> out.printf("all:          %s (clients in no listed network get %s)%n", q.symbol() + "all", q.result().label()));
            out.println("networks:");
            if (expansion.networks().isEmpty()) out.println("  (none)");
            for (SpfExpansion.Network n : expansion.networks()) {
                out.printf("  %-43s %-9s %s in %s%s%n", n.cidr(), n.result().label(), n.term(), n.domain(),
                        n.via().size() > 1 ? " (via " + String.join(" > ", n.via()) + ")" : "");
            }
            out.printf("passes:       %s%n", expansion.passing().isEmpty() ? "(nothing)" : String.join(" ", expansion.passing().cidrs()));
            if (!expansion.unexpanded().isEmpty()) {
                out.println("not expandable statically:");
                expansion.unexpanded().forEach(u -> out.printf("  %s in %s: %s%n", u.term(), u.domain(), u.reason()));
            }
            if (!expansion.problems().isEmpty()) {
                out.println("problems:");
                expansion.problems().forEach(p -> out.println("  " + p));
            }
        }
        out.flush();
        return expansion.hasProblems() ? 1 : 0;
    }

    static String json(SpfExpansion expansion) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("domain", expansion.domain());
        object.put("record", expansion.record().orElse(null));
        object.put("lookups", expansion.lookups());
        object.put("voidLookups", expansion.voidLookups());
        object.put("all", expansion.all().map(q -> q.result().label()).orElse(null));
        object.put("authorised", expansion.authorised().stream().map(SpfExpansion.Network::cidr).distinct().toList());
        object.put("passing", expansion.passing().cidrs());
        List<Map<String, Object>> networks = expansion.networks().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("network", n.cidr());
            m.put("result", n.result().label());
            m.put("term", n.term());
            m.put("domain", n.domain());
            m.put("via", n.via());
            return m;
        }).toList();
        object.put("networks", networks);
        object.put("unexpanded", expansion.unexpanded().stream().map(u -> Map.of("domain", u.domain(), "term", u.term(), "reason", u.reason())).toList());
        object.put("problems", expansion.problems());
        try {
            return new ObjectMapper().writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
