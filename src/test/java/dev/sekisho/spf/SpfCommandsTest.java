package dev.sekisho.spf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import dev.sekisho.testing.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** {@code sekisho spf check} and {@code sekisho spf expand}, run in-process against the in-process DNS server. */
class SpfCommandsTest {
    private static TestDnsServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestDnsServer.start(Zone.empty()
                .txt("example.com", "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all exp=why.example.com")
                .txt("why.example.com", "%{i} may not send for %{d}")
                .txt("_spf.example.net", "v=spf1 ip6:2001:db8::/32 a:relay.example.net ~all")
                .a("relay.example.net", "198.51.100.7")
                .mx("example.com", 10, "mx.example.com")
                .a("mx.example.com", "203.0.113.25")
                .txt("dynamic.example.org", "v=spf1 exists:%{i}.allow.example.org ptr -all")
                .txt("broken.example.org", "v=spf1 ip4:192.0.2.300 -all"));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void checkPrintsTheResultMechanismAndTrail() {
        CliRun run = run("spf", "check", "--ip", "192.0.2.10", "--sender", "alice@example.com", "--helo", "mail.example.com",
                "--resolver", server.hostPort(), "--timeout", "2s");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("result:      pass").contains("mechanism:   ip4:192.0.2.0/24")
                .contains("example.com record: v=spf1 ip4:192.0.2.0/24");
    }

    @Test
    void theResolverAndTimeoutCanComeFromTheConfigurationsDnsSection(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path config = dir.resolve("sekisho.yaml");
        java.nio.file.Files.writeString(config, """
                services:
                  mx:
                    checks: [restrictions]
                dns:
                  resolvers: ["%s"]
                  timeout: 2s
                """.formatted(server.hostPort()));
        CliRun run = run("spf", "check", "--ip", "192.0.2.10", "--sender", "alice@example.com", "--helo", "mail.example.com",
                "--config", config.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("result:      pass");

        java.nio.file.Files.writeString(config, "services:\n  mx:\n    checks: [restrictions]\ndns:\n  timeout: never\n");
        CliRun bad = run("spf", "check", "--ip", "192.0.2.10", "--sender", "alice@example.com", "--helo", "mail.example.com",
                "--config", config.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains(config + ":5: dns.timeout:");
    }

    @Test
    void checkAsJsonGivesResultExplanationMechanismLookupsAndTrail() throws Exception {
        CliRun run = run("spf", "check", "--ip", "203.0.113.99", "--sender", "bob@example.com", "--helo", "mail.example.com",
                "--resolver", server.hostPort(), "--json");
        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("result").asText()).isEqualTo("fail");
        assertThat(json.path("mechanism").asText()).isEqualTo("-all");
        assertThat(json.path("explanation").asText()).isEqualTo("203.0.113.99 may not send for example.com");
        assertThat(json.path("lookups").asInt()).isEqualTo(3); // include, a, mx
        assertThat(json.path("voidLookups").asInt()).isZero();
        assertThat(json.path("trail").size()).isGreaterThan(5);
        assertThat(json.path("trail").get(0).path("kind").asText()).isEqualTo("lookup");
    }

    @Test
    void checkThroughAnIncludeFindsTheIncludedNetwork() throws Exception {
        CliRun run = run("spf", "check", "--ip", "2001:db8::1", "--sender", "", "--helo", "example.com", "--resolver", server.hostPort(), "--json");
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("result").asText()).isEqualTo("pass");
        assertThat(json.path("mechanism").asText()).isEqualTo("include:_spf.example.net");
    }

    @Test
    void badOptionsAreUsageErrors() {
        CliRun badIp = run("spf", "check", "--ip", "mail.example.com", "--sender", "a@example.com", "--helo", "x.example.com",
                "--resolver", server.hostPort());
        assertThat(badIp.exitCode()).isEqualTo(2);
        assertThat(badIp.err()).contains("--ip must be an IPv4 or IPv6 address");
        CliRun badResolver = run("spf", "check", "--ip", "192.0.2.1", "--sender", "a@example.com", "--helo", "x.example.com",
                "--resolver", "dns.example.com");
        assertThat(badResolver.exitCode()).isEqualTo(2);
        assertThat(badResolver.err()).contains("the host must be an IP address");
        CliRun badTimeout = run("spf", "check", "--ip", "192.0.2.1", "--sender", "a@example.com", "--helo", "x.example.com",
                "--resolver", server.hostPort(), "--timeout", "soon");
        assertThat(badTimeout.exitCode()).isEqualTo(2);
        assertThat(badTimeout.err()).contains("must be a duration");
        assertThat(run("spf", "check", "--ip", "192.0.2.1").exitCode()).isEqualTo(2);
    }

    @Test
    void aBrokenRecordIsAPermerrorWithTheReason() throws Exception {
        CliRun run = run("spf", "check", "--ip", "192.0.2.1", "--sender", "a@broken.example.org", "--helo", "x.example.com",
                "--resolver", server.hostPort(), "--json");
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("result").asText()).isEqualTo("permerror");
        assertThat(json.path("problem").asText()).contains("not an IPv4 network");
    }

    @Test
    void expandListsNetworksThroughIncludesAndMx() throws Exception {
        CliRun run = run("spf", "expand", "example.com", "--resolver", server.hostPort(), "--json");
        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("authorised").toString()).contains("192.0.2.0/24", "203.0.113.25/32");
        assertThat(json.path("lookups").asInt()).isEqualTo(3);
        // the include matches only on the included record's pass: its ~all does not authorise anything
        assertThat(json.path("networks").toString()).contains("2001:db8::/32");
        assertThat(json.path("all").asText()).isEqualTo("fail");
    }

    @Test
    void expandListsWhatCannotBeExpandedStatically() {
        CliRun run = run("spf", "expand", "dynamic.example.org", "--resolver", server.hostPort());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("not expandable statically:").contains("exists:%{i}.allow.example.org").contains("ptr in dynamic.example.org");
    }

    @Test
    void expandReportsProblems() {
        CliRun gone = run("spf", "expand", "nothing.example.org", "--resolver", server.hostPort());
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.out()).contains("nothing.example.org does not exist (NXDOMAIN)");
        CliRun bare = run("spf", "expand", "relay.example.net", "--resolver", server.hostPort());
        assertThat(bare.exitCode()).isEqualTo(1);
        assertThat(bare.out()).contains("relay.example.net publishes no SPF record");
    }
}
