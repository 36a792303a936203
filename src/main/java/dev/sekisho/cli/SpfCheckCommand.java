package dev.sekisho.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sekisho.spf.SpfEvaluation;
import dev.sekisho.spf.SpfEvaluator;
import dev.sekisho.spf.SpfResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sekisho spf check}: the SPF result a receiver would reach for one connection, with the trail that led to it. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Evaluate SPF (RFC 7208) for a client IP, MAIL FROM and HELO, and show how the result was reached.",
                "Exit code: 0 pass, 1 any other result, 2 bad options."})
public final class SpfCheckCommand implements Callable<Integer> {
    @Option(names = "--ip", required = true, paramLabel = "IP", description = "The SMTP client's address.")
    String ip;
    @Option(names = "--sender", required = true, paramLabel = "ADDR",
            description = "The MAIL FROM address; empty (\"\") for a bounce, which checks postmaster@HELO.")
    String sender;
    @Option(names = "--helo", required = true, paramLabel = "NAME", description = "The HELO/EHLO name.")
    String helo;
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
        InetAddress client;
        SpfEvaluator evaluator;
        try {
            client = ipLiteral(ip);
            evaluator = new SpfEvaluator(dns.resolver());
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("sekisho spf check: " + e.getMessage());
            err.flush();
            return 2;
        }
        SpfEvaluation evaluation = evaluator.checkMailFrom(client, sender, helo);
        if (json) {
            out.println(json(evaluation));
        } else {
            out.printf("result:      %s%n", evaluation.result().label());
            out.printf("domain:      %s%n", evaluation.domain());
            evaluation.mechanism().ifPresent(m -> out.printf("mechanism:   %s%n", m));
            evaluation.explanation().ifPresent(e -> out.printf("explanation: %s%n", e));
            evaluation.problem().ifPresent(p -> out.printf("problem:     %s%n", p));
            out.printf("lookups:     %d (limit 10), void lookups: %d (limit 2)%n", evaluation.dnsLookups(), evaluation.voidLookups());
            out.println("trail:");
            evaluation.trail().forEach(step -> out.println("  " + step));
        }
        out.flush();
        return evaluation.result() == SpfResult.PASS ? 0 : 1;
    }

    /** The client address: only an IP literal, never a name to resolve. */
    static InetAddress ipLiteral(String text) {
        String t = text.trim();
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) throw new IllegalArgumentException("--ip must be an IPv4 or IPv6 address, was '" + text + "'");
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--ip must be an IPv4 or IPv6 address, was '" + text + "'");
        }
    }

    static String json(SpfEvaluation evaluation) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("result", evaluation.result().label());
        object.put("domain", evaluation.domain());
        object.put("mechanism", evaluation.mechanism().orElse(null));
        evaluation.explanation().ifPresent(e -> object.put("explanation", e));
        evaluation.problem().ifPresent(p -> object.put("problem", p));
        object.put("lookups", evaluation.dnsLookups());
        object.put("voidLookups", evaluation.voidLookups());
        List<Map<String, Object>> trail = evaluation.trail().stream().map(step -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("depth", step.depth());
            s.put("domain", step.domain());
            s.put("kind", step.kind().name().toLowerCase(java.util.Locale.ROOT));
            s.put("detail", step.detail());
            return s;
        }).toList();
        object.put("trail", trail);
        try {
            return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
