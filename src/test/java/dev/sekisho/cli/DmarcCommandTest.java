package dev.sekisho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.Sekisho;
import dev.sekisho.store.AggregateReportXml;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The dmarc subcommands in-process, on corpus samples and small generated reports, with exact numbers. */
class DmarcCommandTest {
    private static final Path CORPUS = Path.of("src/test/resources/reports/corpus");
    private static final long T0 = 1_700_000_000L;
    private static final long DAY = 86_400;

    @TempDir
    Path dir;
    private Path db;
    private String out;
    private String err;

    @BeforeEach
    void setUp() {
        db = dir.resolve("reports.db");
    }

    private int run(String... args) {
        // These tests are about reading, storing and analysing: an import looks nothing up (no DNS leaves the machine).
        // DmarcEnrichmentCommandTest covers enrichment with the test DNS server.
        if (args.length > 1 && args[1].equals("import")) {
            args = java.util.Arrays.copyOf(args, args.length + 1);
            args[args.length - 1] = "--no-enrich";
        }
        CommandLine cli = Sekisho.commandLine();
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    private JsonNode json() throws Exception {
        return new ObjectMapper().readTree(out);
    }

    /**
     * example.com as two receivers saw it: its own server, an ESP that signs aligned, a CRM service that was never
     * set up for the domain, a forwarder, a mailing list that broke the signature, and a spoofer (the seed's address).
     */
    private void importExampleCom() throws Exception {
        Path a = Files.write(dir.resolve("a.xml"), new AggregateReportXml("google.example", "a-1", "example.com", T0, T0 + DAY)
                .record("192.0.2.10", 100, "none", "pass", "pass", "example.com", "example.com", "example.com=pass", "example.com=pass", "")
                .record("198.51.100.20", 40, "none", "pass", "fail", "example.com", "bounce.esp.example", "example.com=pass",
                        "bounce.esp.example=pass", "")
                .record("198.51.100.30", 10, "none", "fail", "fail", "example.com", "bounce.crm.example", "crm.example=pass",
                        "bounce.crm.example=pass", "")
                .record("203.0.113.5", 8, "none", "pass", "fail", "example.com", "example.com", "example.com=pass", "example.com=fail", "")
                .record("203.0.113.6", 2, "none", "fail", "fail", "example.com", "example.com", "example.com=fail", "example.com=softfail",
                        "forwarded")
                .record("49.72.81.163", 12, "none", "fail", "fail", "example.com", "example.com", "", "example.com=permerror", "")
                .record("192.0.2.10", 5, "none", "fail", "fail", "example.com", "example.com", "example.com=fail", "example.com=temperror", "")
                .bytes());
        Path b = Files.write(dir.resolve("b.xml"), new AggregateReportXml("other.example", "b-1", "example.com", T0 + DAY, T0 + 2 * DAY)
                .record("49.72.81.163", 6, "reject", "fail", "fail", "example.com", "example.com", "", "example.com=permerror", "")
                .record("192.0.2.10", 50, "none", "pass", "pass", "example.com", "example.com", "example.com=pass", "example.com=pass", "")
                .bytes());
        assertThat(run("dmarc", "import", a.toString(), b.toString(), "--db", db.toString())).as(err).isZero();
    }

    // ---- import ---------------------------------------------------------------------------------

    @Test
    void importParseOnlyReadsEveryRecordAndOpensNoStore() throws Exception {
        Path a = Files.write(dir.resolve("a.xml"), new AggregateReportXml("google.example", "a-1", "example.com", T0, T0 + DAY)
                .record("192.0.2.10", 100, "none", "pass", "pass", "example.com", "example.com", "example.com=pass", "example.com=pass", "")
                .record("198.51.100.20", 40, "none", "pass", "fail", "example.com", "bounce.esp.example", "example.com=pass",
                        "bounce.esp.example=pass", "")
                .bytes());

        assertThat(run("dmarc", "import", a.toString(), "--db", db.toString(), "--parse-only")).as(err).isZero();

        assertThat(out).contains("read:       1 files, 1 reports (1 aggregate, 0 failure, 0 TLS), 2 records, 140 messages")
                .contains("stored:     0 reports (0 aggregate, 0 failure, 0 TLS), 0 records, 0 messages")
                .contains("store:      none (--parse-only)");
        assertThat(db).doesNotExist();
    }

    @Test
    void importStoresACorpusFolderAndCountsEverythingThenCountsDuplicatesOnTheSecondRun() throws Exception {
        Path folder = CORPUS.resolve("cry-inc-dmarc-report-viewer");
        assertThat(run("dmarc", "import", folder.toString(), "--db", db.toString())).as(err).isZero();
        assertThat(out).contains("read:       16 files, 16 reports (10 aggregate, 0 failure, 6 TLS), 11 records, 14 messages")
                .contains("stored:     16 reports (10 aggregate, 0 failure, 6 TLS), 11 records, 14 messages")
                .contains("duplicates: 0 reports already stored")
                .contains("skipped:    0 records, 0 inputs rejected")
                .contains("store:      " + db.toAbsolutePath());
        assertThat(err).isEmpty();

        assertThat(run("dmarc", "import", folder.toString(), "--db", db.toString(), "--json")).isZero();
        JsonNode again = json();
        assertThat(again.path("read").path("aggregateReports").asLong()).isEqualTo(10);
        assertThat(again.path("stored").path("aggregateReports").asLong()).isZero();
        assertThat(again.path("stored").path("records").asLong()).isZero();
        assertThat(again.path("duplicates").path("aggregateReports").asLong()).isEqualTo(10);
        assertThat(again.path("duplicates").path("tlsReports").asLong()).isEqualTo(6);
    }

    @Test
    void importOfARejectedInputStoresTheRestNamesTheProblemAndExitsWithOne() throws Exception {
        assertThat(run("dmarc", "import", CORPUS.resolve("parsedmarc-removed/at-13a2624/aggregate/invalid_xml.xml").toString(),
                CORPUS.resolve("cry-inc-dmarc-report-viewer/dmarc-reports/outlook.xml").toString(), "--db", db.toString(), "--csv")).isEqualTo(1);
        assertThat(out).startsWith("section,name,value\r\n")
                .contains("read,rejectedInputs,1\r\n", "stored,aggregateReports,1\r\n", "stored,records,2\r\n", "stored,messages,3\r\n")
                .contains("problem,xml-malformed,").contains("invalid_xml.xml (line 5, column 18): xml-malformed");
    }

    @Test
    void importOfAFailureReportAndItsCopyWithOtherLineEndingsStoresOne() {
        assertThat(run("dmarc", "import", CORPUS.resolve("parsedmarc/failure/dmarc_ruf_report_linkedin.eml").toString(),
                CORPUS.resolve("parsedmarc/failure/dmarc_ruf_report_linkedin.crlf.eml").toString(), "--db", db.toString())).isZero();
        assertThat(out).contains("stored:     1 reports (0 aggregate, 1 failure, 0 TLS)")
                .contains("duplicates: 1 reports already stored (0 aggregate, 1 failure, 0 TLS)");
    }

    // ---- summary --------------------------------------------------------------------------------

    @Test
    void summaryCountsDispositionsPassRatesAndTopSources() throws Exception {
        importExampleCom();
        assertThat(run("dmarc", "summary", "--domain", "example.com", "--db", db.toString(), "--top", "3")).as(err).isZero();
        assertThat(out).contains("233 messages from 6 sources, From domain example.com and its subdomains")
                .containsPattern("none\\s+227\\s+97\\.4%").containsPattern("quarantine\\s+0\\s+0\\.0%").containsPattern("reject\\s+6\\s+2\\.6%")
                .containsPattern("dmarc\\s+198\\s+85\\.0%").containsPattern("spf-aligned\\s+150\\s+64\\.4%").containsPattern("spf\\s+200\\s+85\\.8%")
                .containsPattern("dkim-aligned\\s+198\\s+85\\.0%").containsPattern("dkim\\s+208\\s+89\\.3%")
                .containsPattern("192\\.0\\.2\\.10\\s+155\\s+66\\.5%").containsPattern("198\\.51\\.100\\.20\\s+40\\s+17\\.2%")
                .containsPattern("49\\.72\\.81\\.163\\s+18\\s+7\\.7%").doesNotContain("198.51.100.30")
                .containsPattern("IP\\s+MESSAGES\\s+SHARE\\s+REVERSE_DNS\\s+RDNS_STATUS\\s+BASE_DOMAIN\\s+COUNTRY\\s+ASN\\s+AS_ORG");

        assertThat(run("dmarc", "summary", "--domain", "example.com", "--since", "2023-11-16", "--db", db.toString(), "--json")).isZero();
        JsonNode since = json();
        assertThat(since.path("messages").asLong()).isEqualTo(56); // only report b ends after 2023-11-16T00:00Z
        assertThat(since.path("since").asText()).isEqualTo("2023-11-16T00:00:00Z");
        assertThat(since.path("topSources").get(0).path("ip").asText()).isEqualTo("192.0.2.10");
        assertThat(since.path("topSources").get(0).path("messages").asLong()).isEqualTo(50);
        assertThat(since.path("topSources").get(0).path("share").asDouble()).isEqualTo(0.8929);
        assertThat(since.path("topSources").get(0).path("reverse_dns").isNull()).isTrue();
        assertThat(since.path("rates").get(0).path("passed").asLong()).isEqualTo(50);

        assertThat(run("dmarc", "summary", "--domain", "other.example", "--db", db.toString(), "--csv")).isZero();
        assertThat(out).isEqualTo("section,item,messages,share,reverse_dns,rdns_status,base_domain,country,asn,as_org\r\n"
                + "disposition,none,0,0.0000,,,,,,\r\ndisposition,quarantine,0,0.0000,,,,,,\r\ndisposition,reject,0,0.0000,,,,,,\r\n"
                + "pass,dmarc,0,0.0000,,,,,,\r\npass,spf-aligned,0,0.0000,,,,,,\r\npass,spf,0,0.0000,,,,,,\r\n"
                + "pass,dkim-aligned,0,0.0000,,,,,,\r\npass,dkim,0,0.0000,,,,,,\r\n");
    }

    @Test
    void summaryWithoutADomainCoversTheWholeCorpus() throws Exception {
        assertThat(run("dmarc", "import", CORPUS.resolve("opendmarc/testfiles").toString(), "--db", db.toString())).isEqualTo(1);
        assertThat(run("dmarc", "summary", "--db", db.toString(), "--json")).isZero();
        // 163.com 92 + 126.com 183934 + yeah.net 21679; bad.com broke off and was rolled back.
        assertThat(json().path("messages").asLong()).isEqualTo(92 + 183_934 + 21_679);
    }

    // ---- sources --------------------------------------------------------------------------------

    @Test
    void sourcesAreClassifiedWithVolumesAndFirstAndLastSeen() throws Exception {
        importExampleCom();
        assertThat(run("dmarc", "sources", "--domain", "example.com", "--db", db.toString(), "--csv")).as(err).isZero();
        assertThat(out).isEqualTo("ip,class,messages,dmarc_pass,dmarc_fail,from_domains,first_seen,last_seen,"
                + "reverse_dns,rdns_status,base_domain,country,asn,as_org\r\n"
                + "192.0.2.10,authorised,155,150,5,example.com,2023-11-14T22:13:20Z,2023-11-16T22:13:20Z,,,,,,\r\n"
                + "198.51.100.20,authorised,40,40,0,example.com,2023-11-14T22:13:20Z,2023-11-15T22:13:20Z,,,,,,\r\n"
                + "49.72.81.163,spoofing,18,0,18,example.com,2023-11-14T22:13:20Z,2023-11-16T22:13:20Z,,,,,,\r\n"
                + "198.51.100.30,spoofing,10,0,10,example.com,2023-11-14T22:13:20Z,2023-11-15T22:13:20Z,,,,,,\r\n"
                + "203.0.113.5,forwarded,8,8,0,example.com,2023-11-14T22:13:20Z,2023-11-15T22:13:20Z,,,,,,\r\n"
                + "203.0.113.6,forwarded,2,0,2,example.com,2023-11-14T22:13:20Z,2023-11-15T22:13:20Z,,,,,,\r\n");

        assertThat(run("dmarc", "sources", "--domain", "example.com", "--forwarder", "198.51.100.16/29", "--db", db.toString(), "--json")).isZero();
        JsonNode sources = json();
        assertThat(sources).hasSize(6);
        assertThat(sources.get(1).path("ip").asText()).isEqualTo("198.51.100.20");
        assertThat(sources.get(1).path("class").asText()).isEqualTo("forwarded");
        assertThat(sources.get(3).path("class").asText()).isEqualTo("spoofing"); // 198.51.100.30 is outside the /29

        assertThat(run("dmarc", "sources", "--domain", "example.com", "--db", db.toString())).isZero();
        assertThat(out).containsPattern("IP\\s+CLASS\\s+MESSAGES\\s+DMARC_PASS\\s+DMARC_FAIL\\s+FROM_DOMAINS\\s+FIRST_SEEN\\s+LAST_SEEN")
                .containsPattern("49\\.72\\.81\\.163\\s+spoofing\\s+18\\s+0\\s+18\\s+example\\.com");
    }

    // ---- advise ---------------------------------------------------------------------------------

    @Test
    void adviseHoldsBackWhileLegitimateSourcesFailAndSaysHowTheyFail() throws Exception {
        importExampleCom();
        assertThat(run("dmarc", "advise", "--domain", "example.com", "--db", db.toString())).as(err).isZero();
        assertThat(out).contains("published:   p=none pct=100 (reported by other.example, period ending 2023-11-16T22:13:20Z)")
                .contains("messages:    233: 205 legitimate (7 fail DMARC), 28 spoofing from 2 sources")
                .contains("quarantine:  not ready: 3.4% of legitimate mail (7 of 205 messages) fails DMARC; the limit is 1.0%: fix the sources listed first")
                .containsPattern("legitimate-failing\\s+192\\.0\\.2\\.10\\s+authorised\\s+5\\s+SPF temperror for example\\.com; DKIM fail for d=example\\.com")
                .containsPattern("legitimate-failing\\s+203\\.0\\.113\\.6\\s+forwarded\\s+2\\s+SPF softfail for example\\.com; DKIM fail for d=example\\.com")
                .containsPattern("authenticates-as-other-domain\\s+198\\.51\\.100\\.30\\s+spoofing\\s+10\\s+"
                        + "SPF not aligned: envelope domain bounce\\.crm\\.example; DKIM not aligned: signed by d=crm\\.example")
                .doesNotContain("Parked-domain");

        assertThat(run("dmarc", "advise", "--domain", "example.com", "--max-failing", "5", "--db", db.toString(), "--json")).isZero();
        JsonNode advice = json();
        assertThat(advice.path("quarantine").path("ready").asBoolean()).isTrue();
        assertThat(advice.path("reject").path("ready").asBoolean()).isFalse();
        assertThat(advice.path("reject").path("reason").asText()).startsWith("publish p=quarantine first");
        assertThat(advice.path("findings")).hasSize(3);
        assertThat(advice.path("legitimateFailing").asLong()).isEqualTo(7);
        assertThat(advice.path("published").path("p").asText()).isEqualTo("none");
    }

    @Test
    void adviseGivesTheParkedDomainRecordsWhenOnlySpoofersUseTheDomain() throws Exception {
        Path spoofed = Files.write(dir.resolve("parked.xml"), new AggregateReportXml("docomo.example", "0fa82be0", "aqz.example", T0, T0 + DAY)
                .record("49.72.81.163", 7, "none", "fail", "fail", "aqz.example", "aqz.example", "", "aqz.example=permerror", "")
                .record("49.64.241.80", 5, "none", "fail", "fail", "aqz.example", "aqz.example", "", "aqz.example=permerror", "").bytes());
        assertThat(run("dmarc", "import", spoofed.toString(), "--db", db.toString())).isZero();
        assertThat(run("dmarc", "advise", "--domain", "aqz.example", "--db", db.toString())).as(err).isZero();
        assertThat(out).contains("messages:    12: 0 legitimate (0 fail DMARC), 12 spoofing from 2 sources")
                .contains("quarantine:  ready: no legitimate source sends as aqz.example")
                .contains("  aqz.example. TXT \"v=spf1 -all\"\n", "  _dmarc.aqz.example. TXT \"v=DMARC1; p=reject; sp=reject\"\n",
                        "  aqz.example. MX 0 .\n");

        assertThat(run("dmarc", "advise", "--domain", "aqz.example", "--db", db.toString(), "--csv")).isZero();
        assertThat(out).contains("parked-record,\"_dmarc.aqz.example. TXT \"\"v=DMARC1; p=reject; sp=reject\"\"\",,,\r\n")
                .contains("step,reject,,,ready: no legitimate source sends as aqz.example: publish the parked-domain records\r\n");
    }

    @Test
    void adviseSaysRejectIsReadyUnderAFullQuarantineWithEveryLegitimateMessagePassing() throws Exception {
        Path report = Files.write(dir.resolve("q.xml"), new AggregateReportXml("r.example", "q-1", "ready.example", T0, T0 + DAY).policy("quarantine")
                .record("192.0.2.10", 10, "none", "pass", "pass", "ready.example", "ready.example", "ready.example=pass", "ready.example=pass", "")
                .record("198.51.100.99", 3, "quarantine", "fail", "fail", "ready.example", "ready.example", "", "ready.example=fail", "").bytes());
        assertThat(run("dmarc", "import", report.toString(), "--db", db.toString())).isZero();
        assertThat(run("dmarc", "advise", "--domain", "ready.example", "--db", db.toString())).isZero();
        assertThat(out).contains("quarantine:  ready: p=quarantine is already published")
                .contains("reject:      ready: 0.0% of legitimate mail (0 of 10 messages) fails DMARC; the limit is 1.0% under p=quarantine");
    }

    @Test
    void adviseWithoutReportsAboutTheDomainExitsWithOne() throws Exception {
        importExampleCom();
        assertThat(run("dmarc", "advise", "--domain", "unknown.example", "--db", db.toString())).isEqualTo(1);
        assertThat(err).contains("no aggregate reports about unknown.example in " + db.toAbsolutePath());
    }

    @Test
    void theAdviceTableShowsTheLargestFindingsOfEachKindAndCountsTheRest() throws Exception {
        AggregateReportXml report = new AggregateReportXml("r.example", "many", "many.example", T0, T0 + DAY)
                .record("192.0.2.1", 1000, "none", "pass", "pass", "many.example", "many.example", "many.example=pass", "many.example=pass", "");
        for (int i = 1; i <= DmarcAdviseCommand.TABLE_FINDINGS_PER_KIND + 5; i++) {
            report.record("198.51.100." + i, i, "none", "fail", "fail", "many.example", "spam" + i + ".example", "",
                    "spam" + i + ".example=pass", "");
        }
        Path file = Files.write(dir.resolve("many.xml"), report.bytes());
        assertThat(run("dmarc", "import", file.toString(), "--db", db.toString())).isZero();
        assertThat(run("dmarc", "advise", "--domain", "many.example", "--db", db.toString())).isZero();
        assertThat(out.lines().filter(l -> l.startsWith("authenticates-as-other-domain"))).hasSize(DmarcAdviseCommand.TABLE_FINDINGS_PER_KIND);
        assertThat(out).containsPattern("authenticates-as-other-domain\\s+198\\.51\\.100\\.25\\s+spoofing\\s+25\\s")
                .doesNotContain("198.51.100.5 ").contains("... and 5 more authenticates-as-other-domain findings (--json or --csv lists them all)");
        assertThat(run("dmarc", "advise", "--domain", "many.example", "--db", db.toString(), "--json")).isZero();
        assertThat(json().path("findings")).hasSize(DmarcAdviseCommand.TABLE_FINDINGS_PER_KIND + 5);
    }

    @Test
    void eachSubcommandExplainsItself() {
        assertThat(run("dmarc", "--help")).isZero();
        assertThat(out).contains("import", "summary", "sources", "advise");
        assertThat(run("dmarc", "advise", "--help")).isZero();
        assertThat(out).contains("--max-failing=PERCENT", "(default 1%)", "--forwarder=NETWORK", "--db=PATH|URL", "--json", "--csv");
        assertThat(run("dmarc", "summary", "--help")).isZero();
        assertThat(out).contains("--top=N", "(default 10)", "--since=DATE");
    }

    // ---- errors ---------------------------------------------------------------------------------

    @Test
    void badOptionsAreUsageErrorsThatNameTheValue() throws Exception {
        importExampleCom();
        assertThat(run("dmarc", "summary", "--since", "last tuesday", "--db", db.toString())).isEqualTo(2);
        assertThat(err).contains("--since must be a date (2024-05-01) or an instant (2024-05-01T12:00:00Z), was 'last tuesday'");
        assertThat(run("dmarc", "sources", "--domain", "not a domain", "--db", db.toString())).isEqualTo(2);
        assertThat(err).contains("--domain must be a domain name, was 'not a domain'");
        assertThat(run("dmarc", "sources", "--domain", "example.com", "--forwarder", "999.1.1.1/8", "--db", db.toString())).isEqualTo(2);
        assertThat(err).contains("not an IP address or network: '999.1.1.1/8'");
        assertThat(run("dmarc", "summary", "--json", "--csv", "--db", db.toString())).isEqualTo(2);
        assertThat(err).contains("choose one of --json and --csv");
        assertThat(run("dmarc", "sources", "--db", db.toString())).isEqualTo(2);
        assertThat(err).contains("Missing required option: '--domain=DOMAIN'");
        assertThat(run("dmarc")).isEqualTo(2);
        assertThat(err).contains("name a subcommand: import, summary, sources or advise");
    }

    @Test
    void questionsToAStoreThatDoesNotExistSayWhereTheyLooked() {
        Path missing = dir.resolve("nowhere/reports.db");
        assertThat(run("dmarc", "summary", "--db", missing.toString())).isEqualTo(1);
        assertThat(err).contains("no report store at " + missing.toAbsolutePath() + ": import reports first");
        assertThat(run("dmarc", "sources", "--domain", "example.com", "--db", "jdbc:sqlite:" + missing)).isEqualTo(1);
        assertThat(err).contains("no report store at " + missing.toAbsolutePath());
        assertThat(missing).doesNotExist();
    }
}
