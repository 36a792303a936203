package dev.sekisho.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import dev.sekisho.testing.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sekisho audit domain} and {@code sekisho audit spf-overlap}, run in-process against the in-process DNS server. */
class AuditCommandsTest {
    private static TestDnsServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestDnsServer.start(Zone.empty()
                .mx("good.example", 10, "mx.good.example").a("mx.good.example", "100.20.30.25")
                .txt("good.example", "v=spf1 mx -all")
                .txt("_dmarc.good.example", "v=DMARC1; p=reject; rua=mailto:dmarc@good.example")
                .txt("_mta-sts.good.example", "v=STSv1; id=1;")
                .txt("_smtp._tls.good.example", "v=TLSRPTv1; rua=mailto:tls@good.example")
                .txt("parked.example", "verification=1")
                .txt("slow.example", "v=spf1 -all").mx("slow.example", 0, ".").drop("_dmarc.slow.example", Type.TXT)
                // Seed 000: the provider and its customers.
                .txt("service.example.com", "v=spf1 ip4:192.0.2.0/24 ~all")
                .txt("_dmarc.service.example.com", "v=DMARC1; p=quarantine;")
                .txt("normal.example.jp", "v=spf1 ip4:192.0.2.0/24 ~all")
                .txt("malicious.example.net", "v=spf1 +a:spf.example.com +a:malicious.example.net ~all")
                .a("spf.example.com", "192.0.2.1").a("malicious.example.net", "192.0.2.100")
                .txt("customer.example.net", "v=spf1 a:customer.example.net ~all").a("customer.example.net", "203.0.113.1")
                .txt("slowcustomer.example", "v=spf1 -all").drop("slowcustomer.example", Type.TXT));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static Path seedCustomers() throws URISyntaxException {
        return Path.of(AuditCommandsTest.class.getResource("/audit/seed-000-customers.txt").toURI());
    }

    @Test
    void aCleanDomainExitsZeroWithItsInformationInTheTable() {
        CliRun run = run("audit", "domain", "good.example", "--resolver", server.hostPort(), "--timeout", "500ms", "--no-mta-sts-fetch");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("good.example (receives mail): 2 info\n")
                .contains("  info            dmarc    dmarc-alignment: alignment: DKIM relaxed, SPF relaxed\n")
                .contains("  info            bimi     bimi-absent: no BIMI record at default._bimi.good.example\n");
    }

    @Test
    void findingsExitOneAndCarryTheRecordToPublish() {
        CliRun run = run("audit", "domain", "parked.example", "--resolver", server.hostPort(), "--timeout", "500ms");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("parked.example (no mail): 2 error, 1 warning, 1 info")
                .contains("  error           spf      spf-missing: ")
                .contains("                           publish: parked.example. IN TXT \"v=spf1 -all\"")
                .contains("publish: _dmarc.parked.example. IN TXT \"v=DMARC1; p=reject;\"")
                .contains("publish: parked.example. IN MX 0 .");
    }

    @Test
    void jsonHasEveryDomainWithRankedFindingsAndTheirRecords() throws Exception {
        CliRun run = run("audit", "domain", "parked.example", "good.example", "--resolver", server.hostPort(), "--json", "--no-mta-sts-fetch");
        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode domains = new ObjectMapper().readTree(run.out()).path("domains");
        assertThat(domains.size()).isEqualTo(2);
        JsonNode parked = domains.get(0);
        assertThat(parked.path("domain").asText()).isEqualTo("parked.example");
        assertThat(parked.path("mail").asText()).isEqualTo("no-mail");
        assertThat(parked.path("parked").asBoolean()).isTrue();
        JsonNode first = parked.path("findings").get(0);
        assertThat(first.path("severity").asText()).isEqualTo("error");
        assertThat(first.path("code").asText()).isEqualTo("spf-missing");
        assertThat(first.path("publish").path("value").asText()).isEqualTo("v=spf1 -all");
        assertThat(first.path("publish").path("zoneLine").asText()).isEqualTo("parked.example. IN TXT \"v=spf1 -all\"");
        assertThat(domains.get(1).path("findings").size()).isEqualTo(2);
    }

    @Test
    void csvHasOneRowPerFindingQuotedAsRfc4180Says() {
        CliRun run = run("audit", "domain", "parked.example", "--resolver", server.hostPort(), "--csv");
        String[] lines = run.out().split("\r\n");
        assertThat(lines[0]).isEqualTo("domain,mail,severity,area,code,message,publish");
        assertThat(lines).hasSize(5);
        assertThat(lines[1]).startsWith("parked.example,no-mail,error,spf,spf-missing,no SPF record: anyone can send as parked.example;")
                .endsWith(",\"parked.example. IN TXT \"\"v=spf1 -all\"\"\"");
    }

    @Test
    void aDomainThatCouldNotBeCheckedIsAnErrorLineAndExitTwoButTheOthersAreStillReported() {
        CliRun run = run("audit", "domain", "good.example", "slow.example", "not..a.domain", "--resolver", server.hostPort(), "--timeout", "300ms",
                "--no-mta-sts-fetch");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).contains("good.example (receives mail)").contains("slow.example (null mx): 1 could not check, 2 info")
                .contains("not..a.domain: NOT CHECKED: not a domain name: \"not..a.domain\"");
        assertThat(run.err().lines().toList()).containsExactly(
                run.err().lines().filter(l -> l.startsWith("sekisho audit domain: slow.example: could not check DMARC: timeout at _dmarc.slow.example TXT after ")).findFirst().orElseThrow(),
                "sekisho audit domain: not..a.domain: not a domain name: \"not..a.domain\"");
    }

    @Test
    void badOptionsExitTwoNamingTheOption() {
        assertThat(run("audit", "domain", "good.example", "--json", "--csv", "--resolver", server.hostPort()).err())
                .contains("--json and --csv exclude each other");
        CliRun concurrency = run("audit", "domain", "good.example", "--concurrency", "0", "--resolver", server.hostPort());
        assertThat(concurrency.exitCode()).isEqualTo(2);
        assertThat(concurrency.err()).contains("--concurrency must be at least 1, was 0");
        assertThat(run("audit", "domain", "good.example", "--resolver", "dns.example").exitCode()).isEqualTo(2);
        assertThat(run("audit").exitCode()).isEqualTo(2);
    }

    @Test
    void spfOverlapTableShowsTheSeedCustomersVerdictsAndTheProvidersPolicy() throws Exception {
        CliRun run = run("audit", "spf-overlap", "--provider", "service.example.com", "--customers", seedCustomers().toString(),
                "--resolver", server.hostPort());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("  service.example.com: DMARC p=quarantine sp=quarantine pct=100 (mail failing DMARC is quarantined)\n")
                .contains("    networks: 192.0.2.0/24\n");
        assertThat(run.out().lines().filter(l -> !l.isBlank()).skip(3).toList()).containsExactly(
                "CUSTOMER               VERDICT  PROVIDER             OVERLAP                      CUSTOMER NETWORKS",
                "normal.example.jp      full     service.example.com  192.0.2.0/24                 192.0.2.0/24",
                "malicious.example.net  full     service.example.com  192.0.2.1/32 192.0.2.100/32  192.0.2.1/32 192.0.2.100/32",
                "customer.example.net   none     service.example.com  -                            203.0.113.1/32",
                "3 customers: 2 full, 0 partial, 1 none, 0 could not be checked");
    }

    @Test
    void spfOverlapJsonAndCsv(@TempDir Path dir) throws Exception {
        Path customers = Files.writeString(dir.resolve("customers.txt"), "customer.example.net\n");
        CliRun json = run("audit", "spf-overlap", "--provider", "service.example.com", "--customers", customers.toString(),
                "--resolver", server.hostPort(), "--json");
        assertThat(json.exitCode()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.path("providers").get(0).path("dmarc").path("p").asText()).isEqualTo("quarantine");
        assertThat(root.path("providers").get(0).path("networks").get(0).asText()).isEqualTo("192.0.2.0/24");
        assertThat(root.path("customers").get(0).path("verdict").asText()).isEqualTo("none");
        assertThat(root.path("customers").get(0).path("networks").get(0).asText()).isEqualTo("203.0.113.1/32");

        CliRun csv = run("audit", "spf-overlap", "--provider", "service.example.com", "--customers", seedCustomers().toString(),
                "--resolver", server.hostPort(), "--csv");
        assertThat(csv.out().split("\r\n")).containsExactly(
                "customer,provider,verdict,overlap,customer_networks,provider_dmarc,provider_pct,notes,error",
                "normal.example.jp,service.example.com,full,192.0.2.0/24,192.0.2.0/24,p=quarantine sp=quarantine pct=100,100,,",
                "malicious.example.net,service.example.com,full,192.0.2.1/32 192.0.2.100/32,192.0.2.1/32 192.0.2.100/32,p=quarantine sp=quarantine pct=100,100,,",
                "customer.example.net,service.example.com,none,,203.0.113.1/32,p=quarantine sp=quarantine pct=100,100,,");
    }

    @Test
    void spfOverlapErrorsAreLinesAndExitTwo(@TempDir Path dir) throws Exception {
        Path customers = Files.writeString(dir.resolve("customers.txt"), "slowcustomer.example\nnormal.example.jp\n");
        CliRun run = run("audit", "spf-overlap", "--provider", "service.example.com", "--customers", customers.toString(),
                "--resolver", server.hostPort(), "--timeout", "300ms");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).contains("normal.example.jp     full     service.example.com  192.0.2.0/24")
                .contains("slowcustomer.example  error                                       could not check: TXT lookup of slowcustomer.example failed (timeout");
        assertThat(run.err()).startsWith("sekisho audit spf-overlap: slowcustomer.example: could not check: TXT lookup of slowcustomer.example failed (timeout");

        CliRun provider = run("audit", "spf-overlap", "--provider", "slowcustomer.example", "--customers", customers.toString(),
                "--resolver", server.hostPort(), "--timeout", "300ms");
        assertThat(provider.exitCode()).isEqualTo(2);
        assertThat(provider.err()).startsWith("sekisho audit spf-overlap: provider slowcustomer.example: could not check: TXT lookup of slowcustomer.example failed");
        assertThat(provider.out()).isEmpty();

        CliRun missing = run("audit", "spf-overlap", "--provider", "service.example.com", "--customers", dir.resolve("none.txt").toString(),
                "--resolver", server.hostPort());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("sekisho audit spf-overlap: cannot read " + dir.resolve("none.txt"));
    }
}
