package dev.sekisho.audit.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.testing.CliRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.sekisho.audit.site.SiteLab.NS1;
import static dev.sekisho.audit.site.SiteLab.NS2;
import static dev.sekisho.audit.site.SiteLab.wellRun;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sekisho audit site}, run in-process as a user types it. */
class AuditSiteCommandTest {

    /** {@code sekisho audit site ARGS...}. */
    private static CliRun run(String... args) {
        String[] full = new String[args.length + 2];
        full[0] = "audit";
        full[1] = "site";
        System.arraycopy(args, 0, full, 2, args.length);
        return CliRun.of(full);
    }

    /** Two domains served by the same two servers, the second of which answers without authority for both. */
    private static SiteLab twoLameSites() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("good.test") + wellRun("lame.test"), NS1, NS2);
        plan.server(NS2).notAuthoritative();
        return plan.start();
    }

    private static String[] args(SiteLab lab, String... more) {
        List<String> args = new ArrayList<>(List.of("--resolver", lab.resolverServer().hostPort(), "--dns-port", String.valueOf(lab.dnsPort()),
                "--smtp-port", String.valueOf(lab.smtpPort()), "--timeout", "500ms", "--treat-as-global", "127.0.0.0/24"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void aWellRunDomainExitsZeroWithAOneLineTable() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("good.test"), NS1, NS2).start()) {
            CliRun run = run(args(lab, "good.test"));
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).isEqualTo("""
                    DOMAIN     VERDICT   REASON  SUBJECT  EVIDENCE
                    good.test  well run
                    """);
        }
    }

    @Test
    void aBrokenDomainExitsOneAndTheTableGivesEachReasonWithItsEvidence() throws IOException {
        try (SiteLab lab = twoLameSites()) {
            CliRun run = run(args(lab, "good.test", "lame.test"));
            assertThat(run.exitCode()).isEqualTo(1);
            String ns2 = "ns2.lame.test@127.0.0.3:" + lab.dnsPort();
            String good2 = "ns2.good.test@127.0.0.3:" + lab.dnsPort();
            String column = "%-" + ns2.length() + "s"; // the port's digits vary
            assertThat(run.out()).isEqualTo(String.format("""
                    DOMAIN     VERDICT  REASON                COLUMN  EVIDENCE
                    good.test  broken   NS_NOT_AUTHORITATIVE  COLUMN  SOA good.test: NOERROR without AA (not authoritative)
                    lame.test  broken   NS_NOT_AUTHORITATIVE  COLUMN  SOA lame.test: NOERROR without AA (not authoritative)
                    """.replace("COLUMN", column), "SUBJECT", good2, ns2));
        }
    }

    @Test
    void jsonHasOneObjectPerDomainWithCodeTagSubjectAndEvidence() throws IOException {
        try (SiteLab lab = twoLameSites()) {
            CliRun run = run(args(lab, "--json", "lame.test", "bad..name"));
            assertThat(run.exitCode()).isEqualTo(2); // one domain could not be checked at all
            JsonNode array = new ObjectMapper().readTree(run.out());
            assertThat(array).hasSize(2);
            JsonNode lame = array.get(0);
            assertThat(lame.get("domain").asText()).isEqualTo("lame.test");
            assertThat(lame.get("verdict").asText()).isEqualTo("broken");
            assertThat(lame.get("checkedAt").asText()).isNotEmpty();
            JsonNode reason = lame.get("reasons").get(0);
            assertThat(reason.get("code").asText()).isEqualTo("NS_NOT_AUTHORITATIVE");
            assertThat(reason.get("zonemasterTag").asText()).isEqualTo("B02_NS_NOT_AUTH");
            assertThat(reason.get("subject").asText()).isEqualTo("ns2.lame.test@127.0.0.3:" + lab.dnsPort());
            assertThat(reason.get("evidence").asText()).isEqualTo("SOA lame.test: NOERROR without AA (not authoritative)");
            assertThat(lame.get("problems")).isEmpty();
            JsonNode bad = array.get(1);
            assertThat(bad.get("domain").asText()).isEqualTo("bad..name");
            assertThat(bad.get("verdict").asText()).isEqualTo("error");
            assertThat(bad.get("error").asText()).isEqualTo("not a domain name: empty label in bad..name");
        }
    }

    @Test
    void csvHasOneRowPerReasonProblemOrError() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("good.test") + wellRun("flaky.test"), NS1, NS2);
        plan.recursive.servfail("flaky.test", org.xbill.DNS.Type.NS);
        try (SiteLab lab = plan.start()) {
            CliRun run = run(args(lab, "--csv", "good.test", "flaky.test"));
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.out()).isEqualTo("domain,verdict,kind,code,subject,detail\r\n"
                    + "good.test,well run,,,,\r\n"
                    + "flaky.test,undetermined,problem,,,NS flaky.test via resolver: SERVFAIL from " + lab.resolverServer().hostPort() + "\r\n");
        }
    }

    @Test
    void badOptionsExitTwoWithTheOptionNamed() {
        assertThat(run("--resolver", "127.0.0.1:1", "--timeout", "soon", "example.test")).satisfies(r -> {
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).contains("--timeout must be a duration");
        });
        assertThat(run("--resolver", "127.0.0.1:1", "--treat-as-global", "lab", "example.test").err())
                .contains("--treat-as-global: not a CIDR block: 'lab'");
        assertThat(run("--resolver", "127.0.0.1:1", "--concurrency", "0", "example.test").err())
                .contains("--concurrency must be at least 1, was 0");
        assertThat(run("--json", "--csv", "example.test").exitCode()).isEqualTo(2);
        assertThat(run().exitCode()).isEqualTo(2);
    }
}
