package dev.sekisho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.store.AggregateReportXml;
import dev.sekisho.testing.CliRun;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dmarc import with enrichment, then summary and sources, in-process on SQLite: reverse DNS from the in-process DNS
 * server (one confirmed, one unconfirmed, one SERVFAIL, one timeout, one without PTR) and GeoIP from generated MMDB files.
 */
class DmarcEnrichmentCommandTest {
    private static final long T0 = 1_700_000_000L;

    @TempDir
    Path dir;
    private TestDnsServer dns;
    private Path db;
    private Path report;
    private Path country;
    private Path asn;

    @BeforeEach
    void setUp() throws Exception {
        dns = TestDnsServer.start(Zone.empty()
                .ptr("10.2.0.192.in-addr.arpa", "mail.example.com").a("mail.example.com", "192.0.2.10")
                .ptr("20.100.51.198.in-addr.arpa", "mail.bank.example").a("mail.bank.example", "203.0.113.99")
                .servfail("5.113.0.203.in-addr.arpa")
                .drop("6.113.0.203.in-addr.arpa"));
        db = dir.resolve("reports.db");
        report = Files.write(dir.resolve("a.xml"), new AggregateReportXml("google.example", "a-1", "example.com", T0, T0 + 86_400)
                .record("192.0.2.10", 100, "none", "pass", "pass", "example.com", "example.com", "example.com=pass", "example.com=pass", "")
                .record("198.51.100.20", 40, "none", "fail", "fail", "example.com", "bank.example", "", "bank.example=pass", "")
                .record("198.51.100.30", 12, "none", "fail", "fail", "example.com", "example.com", "", "example.com=fail", "")
                .record("203.0.113.5", 8, "none", "fail", "fail", "example.com", "example.com", "", "example.com=fail", "")
                .record("203.0.113.6", 2, "none", "fail", "fail", "example.com", "example.com", "", "example.com=fail", "")
                .bytes());
        country = new MmdbWriter("GeoLite2-Country").network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("DE")).write(dir.resolve("country.mmdb"));
        asn = new MmdbWriter("GeoLite2-ASN").network("192.0.2.0/24", MmdbWriter.asn(64_496, "Example Transit"))
                .network("198.51.100.0/24", MmdbWriter.asn(64_500, "Bulk Sender, Inc.")).write(dir.resolve("asn.mmdb"));
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private CliRun importWith(String... extra) {
        List<String> args = new ArrayList<>(List.of("dmarc", "import", report.toString(), "--db", db.toString(),
                "--resolver", dns.hostPort(), "--timeout", "1s"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonNode json(CliRun run) throws Exception {
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void importLooksUpEverySourceAndSummaryAndSourcesShowWhatWasFound() throws Exception {
        CliRun imported = importWith("--geoip-country", country.toString(), "--geoip-asn", asn.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("enriched:   5 sources looked up (dns,geo): reverse DNS 1 confirmed, 1 unconfirmed, 1 no-ptr, "
                + "2 unknown; GeoIP 3 found, 2 not in the databases\n");

        CliRun summary = CliRun.of("dmarc", "summary", "--db", db.toString());
        assertThat(summary.exitCode()).as(summary.err()).isZero();
        assertThat(summary.out()).containsPattern("192\\.0\\.2\\.10\\s+100\\s+61\\.7%\\s+mail\\.example\\.com\\s+confirmed\\s+example\\.com\\s+JP\\s+64496\\s+Example Transit")
                .containsPattern("198\\.51\\.100\\.20\\s+40\\s+24\\.7%\\s+mail\\.bank\\.example\\s+unconfirmed\\s+-\\s+DE\\s+64500\\s+Bulk Sender, Inc\\.")
                .containsPattern("198\\.51\\.100\\.30\\s+12\\s+7\\.4%\\s+-\\s+no-ptr\\s+-\\s+DE")
                .containsPattern("203\\.0\\.113\\.5\\s+8\\s+4\\.9%\\s+-\\s+unknown\\s+-\\s+-\\s+-\\s+-");

        CliRun sources = CliRun.of("dmarc", "sources", "--domain", "example.com", "--db", db.toString(), "--json");
        assertThat(sources.exitCode()).as(sources.err()).isZero();
        JsonNode first = json(sources).get(0);
        assertThat(first.path("ip").asText()).isEqualTo("192.0.2.10");
        assertThat(first.path("reverse_dns").asText()).isEqualTo("mail.example.com");
        assertThat(first.path("rdns_status").asText()).isEqualTo("confirmed");
        assertThat(first.path("base_domain").asText()).isEqualTo("example.com");
        assertThat(first.path("country").asText()).isEqualTo("JP");
        assertThat(first.path("asn").asLong()).isEqualTo(64_496);
        assertThat(first.path("as_org").asText()).isEqualTo("Example Transit");
        JsonNode timedOut = json(sources).get(4);
        assertThat(timedOut.path("ip").asText()).isEqualTo("203.0.113.6");
        assertThat(timedOut.path("rdns_status").asText()).isEqualTo("unknown");
        assertThat(timedOut.path("reverse_dns").isNull()).isTrue();

        CliRun csv = CliRun.of("dmarc", "sources", "--domain", "example.com", "--db", db.toString(), "--csv");
        assertThat(csv.out()).contains("198.51.100.20,spoofing,40,0,40,example.com,2023-11-14T22:13:20Z,2023-11-15T22:13:20Z,"
                + "mail.bank.example,unconfirmed,,DE,64500,\"Bulk Sender, Inc.\"\r\n");
    }

    @Test
    void aSecondImportLooksUpOnlyWhatWasUnknown() throws Exception {
        assertThat(importWith("--no-enrich").out()).contains("enriched:   off (--no-enrich)");
        assertThat(dns.totalQueries()).isZero();

        CliRun first = importWith("--json", "--enrich", "dns");
        JsonNode enrichment = json(first).path("enrichment");
        assertThat(enrichment.path("parts").toString()).isEqualTo("[\"dns\"]");
        assertThat(enrichment.path("due").asInt()).isEqualTo(5);
        assertThat(enrichment.path("reverseDns").path("unknown").asInt()).isEqualTo(2);
        dns.resetCounts();

        CliRun again = importWith("--json", "--enrich", "dns");
        enrichment = json(again).path("enrichment");
        assertThat(enrichment.path("due").asInt()).as("the SERVFAIL and the timeout are asked again").isEqualTo(2);
        assertThat(dns.queries("10.2.0.192.in-addr.arpa", Type.PTR)).isZero();
        assertThat(dns.queries("5.113.0.203.in-addr.arpa", Type.PTR)).isPositive();
        assertThat(json(again).path("duplicates").path("aggregateReports").asInt()).isEqualTo(1);
    }

    @Test
    void withoutADatabaseGeoSaysSoOnceAndDnsStillRuns() throws Exception {
        CliRun run = importWith();
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("enriched:   5 sources looked up (dns): reverse DNS 1 confirmed")
                .containsOnlyOnce("GeoIP: no database configured");
    }

    @Test
    void theGeoipSectionOfTheConfigurationNamesTheDatabases() throws Exception {
        Path config = Files.writeString(dir.resolve("sekisho.yaml"), "geoip:\n  country-database: country.mmdb\n  asn-database: "
                + asn + "\nservices:\n  mx:\n    checks: [restrictions]\n");
        CliRun run = importWith("--enrich", "geo", "--config", config.toString(), "--csv");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("enriched,geoFound,3\r\n", "enriched,geoMissing,2\r\n");
        assertThat(dns.totalQueries()).isZero();
    }

    @Test
    void aDatabaseThatCannotBeReadStopsTheImportBeforeAnythingIsStored() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.mmdb"), "not a database");
        CliRun run = importWith("--geoip-country", broken.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("sekisho dmarc import: cannot open the country database " + broken + ": ");
        assertThat(db).doesNotExist();

        CliRun badPart = importWith("--enrich", "dns,whois");
        assertThat(badPart.exitCode()).isEqualTo(2);
        assertThat(badPart.err()).contains("not an enrichment part: 'whois' (dns, geo, or none)");
    }
}
