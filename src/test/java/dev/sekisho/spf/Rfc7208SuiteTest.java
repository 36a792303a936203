package dev.sekisho.spf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The open-spf.org RFC 7208 conformance suite (src/test/resources/spf/rfc7208-tests.yml), every test,
 * and the older RFC 4408 suite beside it,
 * through the real resolver against the in-process DNS server serving each scenario's zone data.
 */
class Rfc7208SuiteTest {
    private static final List<TestDnsServer> SERVERS = new ArrayList<>();
    /** Timeouts in the suite cost one deadline each; loopback answers take well under a millisecond. */
    private static final Duration DEADLINE = Duration.ofMillis(400);
    private static final int[] SPF_QUERY_TYPES = {Type.A, Type.AAAA, Type.MX, Type.TXT, Type.PTR, Type.SPF, Type.CNAME};

    @AfterAll
    static void stopServers() {
        SERVERS.forEach(TestDnsServer::close);
    }

    @TestFactory
    List<DynamicNode> rfc7208() throws IOException {
        return suite("/spf/rfc7208-tests.yml");
    }

    /** The older RFC 4408 suite, which RFC 7208 evaluation also passes (where 4408 and 7208 differ, it lists both results). */
    @TestFactory
    List<DynamicNode> rfc4408() throws IOException {
        return suite("/spf/rfc4408-tests.yml");
    }

    static List<DynamicNode> suite(String resource) throws IOException {
        List<DynamicNode> scenarios = new ArrayList<>();
        try (InputStream in = Rfc7208SuiteTest.class.getResourceAsStream(resource);
             MappingIterator<JsonNode> documents = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(in)) {
            while (documents.hasNext()) {
                JsonNode scenario = documents.next();
                if (scenario == null || scenario.isNull() || !scenario.has("tests")) continue;
                scenarios.add(scenario(scenario));
            }
        }
        return scenarios;
    }

    private static DynamicContainer scenario(JsonNode scenario) throws IOException {
        String description = scenario.path("description").asText();
        TestDnsServer server = TestDnsServer.start(zone(scenario.path("zonedata")));
        SERVERS.add(server);
        SpfEvaluator evaluator = new SpfEvaluator(new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort())).withTimeout(DEADLINE)),
                SpfEvaluator.Settings.rfc7208().withDefaultExplanation("DEFAULT").withClock(MutableClock.at("2026-03-01T00:00:00Z")));
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = scenario.path("tests").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> test = it.next();
            tests.add(DynamicTest.dynamicTest(description + " / " + test.getKey(), () -> run(evaluator, test.getValue())));
        }
        return DynamicContainer.dynamicContainer(description, tests);
    }

    private static void run(SpfEvaluator evaluator, JsonNode test) throws IOException {
        SpfEvaluation evaluation = evaluator.checkMailFrom(InetAddress.getByName(test.path("host").asText()),
                test.path("mailfrom").asText(), test.path("helo").asText());
        List<String> allowed = new ArrayList<>();
        if (test.path("result").isArray()) test.path("result").forEach(r -> allowed.add(r.asText()));
        else allowed.add(test.path("result").asText());
        String trail = String.join("\n", evaluation.trail().stream().map(Object::toString).toList());
        assertThat(evaluation.result().label()).as("result; problem %s; trail:%n%s", evaluation.problem(), trail).isIn(allowed);
        if (test.has("explanation")) {
            assertThat(evaluation.explanation()).as("explanation; trail:%n%s", trail).contains(test.path("explanation").asText());
        }
    }

    /**
     * The scenario's zone data as the suite's drivers read it: a type listed as SPF is also served as TXT
     * unless the name lists TXT itself (the suite predates RFC 7208 dropping type SPF); "NONE" stands for
     * no record; TIMEOUT makes every query time out except for the types with records listed before it.
     */
    private static Zone zone(JsonNode zonedata) {
        Zone zone = Zone.empty();
        for (Iterator<Map.Entry<String, JsonNode>> it = zonedata.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            List<JsonNode> records = new ArrayList<>();
            entry.getValue().forEach(records::add);
            boolean hasTxt = records.stream().anyMatch(r -> r.has("TXT"));
            if (!hasTxt) {
                List<JsonNode> generated = new ArrayList<>();
                for (JsonNode r : records) {
                    if (r.has("SPF")) generated.add(new ObjectMapper().createObjectNode().set("TXT", r.get("SPF")));
                }
                records.addAll(generated);
            }
            Set<Integer> typesBeforeTimeout = new HashSet<>();
            for (JsonNode record : records) {
                if (record.isTextual() && record.asText().equals("TIMEOUT")) {
                    for (int type : SPF_QUERY_TYPES) if (!typesBeforeTimeout.contains(type)) zone.drop(name, type);
                    break;
                }
                Map.Entry<String, JsonNode> typed = record.fields().next();
                String type = typed.getKey();
                JsonNode value = typed.getValue();
                if (value.isTextual() && value.asText().equals("NONE")) continue; // listed as absent: still times out
                typesBeforeTimeout.add(Type.value(type));
                switch (type) {
                    case "A" -> zone.a(name, value.asText());
                    case "AAAA" -> zone.aaaa(name, value.asText());
                    case "MX" -> zone.mx(name, value.get(0).asInt(), value.get(1).asText());
                    case "PTR" -> zone.ptr(name, value.asText());
                    case "CNAME" -> zone.cname(name, value.asText());
                    case "TXT" -> zone.txt(name, strings(value));
                    case "SPF" -> zone.spfType(name, strings(value));
                    default -> throw new IllegalArgumentException("record type " + type + " in the suite's zone data");
                }
            }
        }
        return zone;
    }

    private static String[] strings(JsonNode value) {
        if (!value.isArray()) return new String[]{value.asText()};
        List<String> strings = new ArrayList<>();
        value.forEach(s -> strings.add(s.asText()));
        return strings.toArray(String[]::new);
    }
}
