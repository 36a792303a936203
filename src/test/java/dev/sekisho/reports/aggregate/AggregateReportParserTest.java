package dev.sekisho.reports.aggregate;

import dev.sekisho.dmarc.AlignmentMode;
import dev.sekisho.dmarc.Policy;
import dev.sekisho.reports.Origin;
import dev.sekisho.reports.Problem;
import dev.sekisho.reports.ReportFormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AggregateReportParserTest {
    private static final String HEAD = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback>
              <report_metadata>
                <org_name>Example Receiver</org_name><email>dmarc@receiver.example</email>
                <report_id>r-1</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>
              </report_metadata>
              <policy_published><domain>Example.COM.</domain><adkim>s</adkim><p>reject</p><pct>50</pct></policy_published>
            """;

    private static String record(String ip, String count, String disposition, String dkimResult) {
        return """
                  <record>
                    <row><source_ip>%s</source_ip><count>%s</count>
                      <policy_evaluated><disposition>%s</disposition><dkim>fail</dkim><spf>pass</spf></policy_evaluated></row>
                    <identifiers><header_from>example.com</header_from></identifiers>
                    <auth_results><dkim><domain>example.com</domain><result>%s</result></dkim>
                      <spf><domain>example.com</domain><scope>mfrom</scope><result>pass</result></spf></auth_results>
                  </record>
                """.formatted(ip, count, disposition, dkimResult);
    }

    @Test
    void badRecordsAreSkippedWithTheirPositionAndTheRestOfTheReportIsKept() throws IOException {
        Collected c = parse(HEAD + record("192.0.2.1", "3", "none", "pass") + record("192.0.2.300", "1", "none", "pass")
                + record("192.0.2.2", "-4", "none", "pass") + record("192.0.2.3", "1", "discard", "pass")
                + record("192.0.2.4", "many", "none", "pass") + record("192.0.2.5", "1", "none", "maybe")
                + record("2001:db8::1", "7", "reject", "pass") + "</feedback>");
        assertThat(c.records).extracting(AggregateRecord::count).containsExactly(3L, 7L);
        assertThat(c.records).extracting(AggregateRecord::index).containsExactly(1, 7);
        assertThat(c.records.get(1).sourceIp().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(c.skipped).extracting(Problem::code)
                .containsExactly("invalid-source-ip", "invalid-count", "invalid-disposition", "invalid-count", "invalid-result");
        assertThat(c.skipped.get(0).position()).isEqualTo("record 2 (line 15)");
        assertThat(c.skipped.get(0).message()).contains("192.0.2.300");
        assertThat(c.skipped.get(1).message()).contains("-4 is negative");
        assertThat(c.skipped.get(2).message()).contains("\"discard\"");
        assertThat(c.skipped).allMatch(p -> p.scope() == Problem.Scope.RECORD);
    }

    @Test
    void theUsualIpv4FormIsReadDirectlyAndEveryOtherFormByTheGeneralParser() throws IOException {
        assertThat(AggregateReportParser.dottedQuad("192.0.2.255")).containsExactly(192, 0, 2, 255 - 256);
        assertThat(AggregateReportParser.dottedQuad("0.0.0.0")).containsExactly(0, 0, 0, 0);
        for (String other : List.of("192.0.2", "192.0.2.1.1", "192.0.2.256", "192.0.02.1", "192.0.2.", ".192.0.2", "192..2.1",
                "1921.0.2.1", "2001:db8::1", "192.0.2.1x")) {
            assertThat(AggregateReportParser.dottedQuad(other)).as(other).isNull();
        }
        // What the fast path declines still reads as before: a leading zero, and an address whose last part is too big.
        Collected c = parse(HEAD + record("192.0.02.1", "1", "none", "pass") + record("192.0.2.256", "1", "none", "pass")
                + record("::ffff:192.0.2.7", "1", "none", "pass") + "</feedback>");
        assertThat(c.skipped).extracting(Problem::code).containsExactly("invalid-source-ip");
        assertThat(c.records).hasSize(2);
    }

    @Test
    void hexGroupIpv6IsReadDirectlyAndEveryOtherFormByTheGeneralParser() throws Exception {
        assertThat(AggregateReportParser.hexGroups("2001:db8::1")).isEqualTo(InetAddress.getByName("2001:db8::1").getAddress());
        assertThat(AggregateReportParser.hexGroups("::")).isEqualTo(new byte[16]);
        for (String direct : List.of("::1", "1::", "2001:DB8:0:0:0:0:0:1", "fe80::1:2", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:0:102:304", "::102:304")) {
            assertThat(AggregateReportParser.hexGroups(direct)).as(direct).isNotNull();
        }
        for (String other : List.of("", ":", ":::", "1:2", "1::2::3", "1:::2", ":1::", "1::2:", "1:2:3:4:5:6:7:8:9",
                "1:2:3:4::5:6:7:8", "12345::1", "::g", "fe80::1%eth0", "[::1]", "2001:db8::/32", "::1.2.3.4",
                "::ffff:1.2.3.4", "::ffff:102:304", "0:0:0:0:0:ffff:102:304", "2001:db8::١", "192.0.2.1")) {
            assertThat(AggregateReportParser.hexGroups(other)).as(other).isNull();
        }
        // Whatever the fast path reads, it reads as the library does, to the same kind of address.
        java.util.Random random = new java.util.Random(5952);
        String alphabet = "0123456789abcdefABCDEF:::::::";
        int direct = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder text = new StringBuilder();
            int length = 2 + random.nextInt(24);
            for (int i = 0; i < length; i++) text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            byte[] fast = AggregateReportParser.hexGroups(text.toString());
            if (fast == null) continue;
            direct++;
            inet.ipaddr.IPAddress general = new inet.ipaddr.IPAddressString(text.toString()).getAddress();
            assertThat(general).as(text.toString()).isNotNull();
            InetAddress expected = general.toInetAddress();
            InetAddress actual = InetAddress.getByAddress(fast);
            assertThat(actual).as(text.toString()).isEqualTo(expected).hasSameClassAs(expected);
        }
        assertThat(direct).as("random texts the fast path read").isGreaterThan(1_000);
        Collected c = parse(HEAD + record("2001:DB8::7", "1", "none", "pass") + record("2001:db8::1:2::3", "1", "none", "pass")
                + record("::ffff:192.0.2.7", "1", "none", "pass") + "</feedback>");
        assertThat(c.skipped).extracting(Problem::code).containsExactly("invalid-source-ip");
        // The library keeps an IPv4-mapped address an IPv6 one, where the JDK would make it IPv4: hence left to the library.
        assertThat(c.records).extracting(r -> r.sourceIp().getHostAddress())
                .containsExactly("2001:db8:0:0:0:0:0:7", "0:0:0:0:0:ffff:c000:207");
    }

    @Test
    void resultWordsAreNormalisedForCaseAndWhiteSpace() throws IOException {
        Collected c = parse(HEAD + record(" 192.0.2.1 ", " 2 ", " Quarantine", "\n\tPASS ") + "</feedback>");
        AggregateRecord r = c.records.get(0);
        assertThat(r.count()).isEqualTo(2);
        assertThat(r.policyEvaluated().disposition()).isEqualTo(Disposition.QUARANTINE);
        assertThat(r.dkim().get(0).result()).isEqualTo(DkimResult.PASS);
        assertThat(r.spf().get(0).scope()).contains(SpfScope.MFROM);
    }

    @Test
    void metadataAndPolicyComeBeforeTheRecords() throws IOException {
        Collected c = parse(HEAD + record("192.0.2.1", "1", "none", "pass") + "</feedback>");
        assertThat(c.events).containsExactly("report", "record");
        AggregateReport report = c.report;
        assertThat(report.identity().reporter()).isEqualTo("example receiver");
        assertThat(report.identity().reportId()).isEqualTo("r-1");
        assertThat(report.metadata().begin()).isEqualTo(Instant.ofEpochSecond(1_700_000_000));
        PolicyPublished p = report.policy();
        assertThat(p.domain()).isEqualTo("example.com");
        assertThat(p.adkim()).contains(AlignmentMode.STRICT);
        assertThat(p.aspf()).isEmpty();
        assertThat(p.p()).isEqualTo(Policy.REJECT);
        assertThat(p.pct()).contains(50);
    }

    @Test
    void aReportWithoutRecordsIsStillAReport() throws IOException {
        Collected c = parse(HEAD + "</feedback>");
        assertThat(c.events).containsExactly("report");
    }

    @Test
    void aRecordBeforeThePolicyFailsTheReport() {
        String xml = HEAD.replaceFirst("(?s)<policy_published>.*</policy_published>", "") + record("192.0.2.1", "1", "none", "pass") + "</feedback>";
        assertThatThrownBy(() -> parse(xml)).isInstanceOf(ReportFormatException.class)
                .hasMessageContaining("no policy_published before its records")
                .extracting(e -> ((ReportFormatException) e).code()).isEqualTo("missing-element");
    }

    @Test
    void rfc9990ElementsAreRead() throws IOException {
        Collected c = parse("""
                <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0"><version>1.0</version>
                  <report_metadata><org_name>R</org_name><email>r@r.example</email><report_id>x</report_id>
                    <date_range><begin>1</begin><end>2</end></date_range><error>bad sp</error><generator>Gen 1.2</generator></report_metadata>
                  <policy_published><domain>d.example</domain><p>none</p><sp>quarantine</sp><np>reject</np>
                    <testing>y</testing><discovery_method>TreeWalk</discovery_method></policy_published>
                  <record><row><source_ip>192.0.2.9</source_ip><count>1</count><policy_evaluated><disposition>pass</disposition>
                    <dkim>pass</dkim><spf>fail</spf><reason><type>policy_test_mode</type><comment>t=y</comment></reason></policy_evaluated></row>
                    <identifiers><header_from>d.example</header_from><envelope_from>e.example</envelope_from><envelope_to>to.example</envelope_to></identifiers>
                    <auth_results><dkim><domain>d.example</domain><selector>s1</selector><result>pass</result><human_result>ok</human_result></dkim></auth_results>
                    <extensions><x>ignored</x></extensions></record>
                </feedback>""");
        assertThat(c.report.format()).isEqualTo(AggregateFormat.RFC9990);
        assertThat(c.report.metadata().generator()).contains("Gen 1.2");
        assertThat(c.report.metadata().errors()).containsExactly("bad sp");
        assertThat(c.report.policy().np()).contains(Policy.REJECT);
        assertThat(c.report.policy().testing()).contains(true);
        assertThat(c.report.policy().discoveryMethod()).contains("treewalk");
        AggregateRecord r = c.records.get(0);
        assertThat(r.policyEvaluated().disposition()).isEqualTo(Disposition.PASS);
        assertThat(r.policyEvaluated().reasons()).containsExactly(new AggregateRecord.Reason("policy_test_mode", Optional.of("t=y")));
        assertThat(r.identifiers()).isEqualTo(new AggregateRecord.Identifiers("d.example", Optional.of("e.example"), Optional.of("to.example")));
        assertThat(r.dkim()).containsExactly(new AggregateRecord.DkimAuth("d.example", Optional.of("s1"), DkimResult.PASS, Optional.of("ok")));
    }

    @Test
    void hardfailIsReadAsFail() throws IOException {
        Collected c = parse(HEAD + record("192.0.2.1", "1", "none", "pass").replace("<scope>mfrom</scope><result>pass", "<result>hardfail") + "</feedback>");
        assertThat(c.records.get(0).spf().get(0).result()).isEqualTo(SpfResult.FAIL);
    }

    @Test
    void anExternalEntityIsRefusedNamingTheDoctype() {
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE feedback [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
                <feedback><report_metadata><org_name>&secret;</org_name></report_metadata></feedback>""";
        assertThatThrownBy(() -> parse(xxe)).isInstanceOf(ReportFormatException.class)
                .hasMessageContaining("DOCTYPE")
                .satisfies(e -> {
                    assertThat(((ReportFormatException) e).code()).isEqualTo("doctype-refused");
                    assertThat(((ReportFormatException) e).position()).startsWith("line 2");
                });
    }

    @Test
    void billionLaughsIsRefusedBeforeAnyExpansion() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE feedback [<!ENTITY l0 \"lol\">");
        for (int i = 1; i < 10; i++) dtd.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
        String xml = dtd + "]><feedback>&l9;</feedback>";
        assertThatThrownBy(() -> parse(xml)).isInstanceOf(ReportFormatException.class)
                .extracting(e -> ((ReportFormatException) e).code()).isEqualTo("doctype-refused");
    }

    @Test
    void anotherDocumentIsNotAnAggregateReport() {
        assertThatThrownBy(() -> parse("<html><body><p>hi</p></body></html>")).isInstanceOf(ReportFormatException.class)
                .hasMessageContaining("root element is <html>")
                .extracting(e -> ((ReportFormatException) e).code()).isEqualTo("not-aggregate-report");
    }

    @Test
    void aTruncatedReportFailsAfterHandingOverTheRecordsBeforeTheBreak() {
        Collected c = new Collected();
        String xml = HEAD + record("192.0.2.1", "1", "none", "pass") + "<record><row><source_ip>192.0.2.2</sou";
        assertThatThrownBy(() -> AggregateReportParser.parse(in(xml), Origin.of("t.xml"), c))
                .isInstanceOf(ReportFormatException.class)
                .extracting(e -> ((ReportFormatException) e).code()).isIn("xml-malformed", "xml-truncated");
        assertThat(c.records).hasSize(1);
    }

    @Test
    void theDeclaredEncodingIsHonoured() throws IOException {
        byte[] latin1 = (HEAD.replace("UTF-8", "ISO-8859-1").replace("Example Receiver", "Réception") + "</feedback>")
                .getBytes(StandardCharsets.ISO_8859_1);
        Collected c = new Collected();
        AggregateReportParser.parse(new ByteArrayInputStream(latin1), Origin.of("l.xml"), c);
        assertThat(c.report.metadata().orgName()).isEqualTo("Réception");
    }

    /** A report of 50,000 records generated as it is read: nothing but the current record is held. */
    @Test
    void aLargeReportStreamsRecordByRecord() throws IOException {
        int records = 50_000;
        Enumeration<InputStream> parts = new Enumeration<>() {
            int i = -1;

            @Override
            public boolean hasMoreElements() {
                return i <= records;
            }

            @Override
            public InputStream nextElement() {
                i++;
                if (i == 0) return in(HEAD);
                if (i > records) return in("</feedback>");
                return in(record("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), "2", "none", "pass"));
            }
        };
        long[] seen = new long[2];
        AggregateReportParser.parse(new SequenceInputStream(parts), Origin.of("big.xml"),
                new AggregateReportHandler() {
                    @Override
                    public void report(AggregateReport report) {
                    }

                    @Override
                    public void record(AggregateReport report, AggregateRecord record) {
                        seen[0]++;
                        seen[1] += record.count();
                    }

                    @Override
                    public void recordSkipped(AggregateReport report, Problem problem) {
                        throw new AssertionError(problem.toString());
                    }
                });
        assertThat(seen).containsExactly(records, 2L * records);
    }

    /** A record is read straight from the stream; it must read what an element tree of it would. */
    @Test
    void aRecordReadsTheFirstOfEachElementItsOwnTextAndEveryRepeatedOne() throws IOException {
        Collected c = parse(HEAD + """
                  <record>
                    <row><unknown><source_ip>198.51.100.1</source_ip></unknown>
                      <source_ip> 192.0.2.<!-- split -->4<x>9</x><![CDATA[2]]> </source_ip><source_ip>192.0.2.99</source_ip><count>5</count><count>6</count>
                      <policy_evaluated><disposition>Reject</disposition><dkim>FAIL</dkim><spf>pass</spf>
                        <reason><type>Forwarded</type></reason><reason>  </reason><reason><comment> c </comment></reason>
                        <reason><type>local_policy</type><type>ignored</type><comment>why</comment></reason></policy_evaluated></row>
                    <row><source_ip>203.0.113.1</source_ip></row>
                    <identifiers><header_from>Mail.Example.</header_from><envelope_from>b.EXAMPLE</envelope_from></identifiers>
                    <identifiers><header_from>other.example</header_from></identifiers>
                    <auth_results>
                      <spf><domain>s1.example</domain><result>softfail</result></spf>
                      <dkim><domain>D1.example</domain><selector>a</selector><result>pass</result></dkim>
                      <dkim><result>temperror</result><human_result>timeout</human_result></dkim>
                      <spf><scope>helo</scope><result>HardFail</result></spf>
                    </auth_results>
                    <auth_results><dkim><domain>late.example</domain><result>pass</result></dkim></auth_results>
                  </record>
                </feedback>""");
        assertThat(c.skipped).isEmpty();
        AggregateRecord r = c.records.get(0);
        assertThat(r.index()).isEqualTo(1);
        assertThat(r.line()).isEqualTo(8);
        assertThat(r.sourceIp().getHostAddress()).isEqualTo("192.0.2.42");
        assertThat(r.count()).isEqualTo(5);
        assertThat(r.policyEvaluated()).isEqualTo(new AggregateRecord.PolicyEvaluated(Disposition.REJECT, DmarcResult.FAIL, DmarcResult.PASS,
                List.of(new AggregateRecord.Reason("forwarded", Optional.empty()), new AggregateRecord.Reason("", Optional.of("c")),
                        new AggregateRecord.Reason("local_policy", Optional.of("why")))));
        assertThat(r.identifiers()).isEqualTo(new AggregateRecord.Identifiers("mail.example", Optional.of("b.example"), Optional.empty()));
        assertThat(r.dkim()).containsExactly(
                new AggregateRecord.DkimAuth("d1.example", Optional.of("a"), DkimResult.PASS, Optional.empty()),
                new AggregateRecord.DkimAuth("", Optional.empty(), DkimResult.TEMPERROR, Optional.of("timeout")));
        assertThat(r.spf()).containsExactly(
                new AggregateRecord.SpfAuth("s1.example", Optional.empty(), SpfResult.SOFTFAIL),
                new AggregateRecord.SpfAuth("", Optional.of(SpfScope.HELO), SpfResult.FAIL));
    }

    @Test
    void eachMissingOrBadPartOfARecordIsNamed() throws IOException {
        String good = record("192.0.2.1", "1", "none", "pass");
        List<String> bad = List.of(
                good.replaceFirst("(?s)<row>.*</row>", ""),
                good.replace("<source_ip>192.0.2.1</source_ip>", "<source_ip> </source_ip><source_ip>192.0.2.1</source_ip>"),
                good.replace("<count>1</count>", ""),
                good.replace("<count>1</count>", "<count>1.5</count>"),
                good.replaceFirst("(?s)<policy_evaluated>.*</policy_evaluated>", ""),
                good.replace("<disposition>none</disposition>", ""),
                good.replace("<dkim>fail</dkim><spf>", "<dkim>softfail</dkim><spf>"),
                good.replace("<spf>pass</spf></policy_evaluated>", "</policy_evaluated>"),
                good.replaceFirst("(?s)<identifiers>.*</identifiers>", ""),
                good.replace("<header_from>example.com</header_from>", "<header_from/>"),
                good.replace("<result>pass</result></dkim>", "</dkim>"),
                good.replace("<scope>mfrom</scope><result>pass</result>", "<scope>mfrom</scope><result>passed</result>"),
                // The first problem in the record's order is the one told.
                good.replace("<count>1</count>", "<count>x</count>").replace("<header_from>example.com</header_from>", ""));
        Collected c = parse(HEAD + String.join("", bad) + "</feedback>");
        assertThat(c.records).isEmpty();
        assertThat(c.skipped).extracting(p -> p.code() + ": " + p.message()).containsExactly(
                "missing-element: the record has no row",
                "missing-element: the record has no source_ip",
                "missing-element: the record has no count",
                "invalid-count: count \"1.5\" is not a whole number",
                "missing-element: the record has no policy_evaluated",
                "missing-element: the record has no policy_evaluated/disposition",
                "invalid-dkim: policy_evaluated/dkim is \"softfail\", not pass or fail",
                "missing-element: the record has no policy_evaluated/spf",
                "missing-element: the record has no identifiers",
                "missing-element: the record has no identifiers/header_from",
                "missing-element: the record has no dkim/result",
                "invalid-result: spf/result is \"passed\", not none, neutral, pass, fail, softfail, temperror or permerror",
                "invalid-count: count \"x\" is not a whole number");
        assertThat(c.skipped.get(1).position()).isEqualTo("record 2 (line 14)"); // the first lost its two lines of row
    }

    private static Collected parse(String xml) throws IOException {
        Collected c = new Collected();
        AggregateReportParser.parse(in(xml), Origin.of("test.xml"), c);
        return c;
    }

    @Test
    void aReportWithALongNameOrOneThatFailsDoesNotLeaveItsNamesInTheParser() throws IOException {
        AggregateReportParser parser = new AggregateReportParser();
        String report = HEAD + record("192.0.2.1", "3", "none", "pass") + "</feedback>";
        parser.read(in(report), Origin.of("a.xml"), new Collected());
        var kept = parser.factoryForNextReport();
        parser.read(in(report), Origin.of("b.xml"), new Collected());
        assertThat(parser.factoryForNextReport()).as("an ordinary report: the names it learnt are kept").isSameAs(kept);

        String longName = "x".repeat(AggregateReportParser.MAX_SHARED_NAME_CHARS + 1);
        Collected withLongName = new Collected();
        parser.read(in(HEAD.replace("<feedback>", "<feedback><" + longName + "/>") + record("192.0.2.1", "3", "none", "pass") + "</feedback>"),
                Origin.of("c.xml"), withLongName);
        assertThat(withLongName.records).as("the report itself is read").hasSize(1);
        var afterLongName = parser.factoryForNextReport();
        assertThat(afterLongName).as("a name too long to keep: its factory is left behind").isNotSameAs(kept);

        String attributeName = "a".repeat(AggregateReportParser.MAX_SHARED_NAME_CHARS + 1);
        parser.read(in(HEAD.replace("<feedback>", "<feedback " + attributeName + "=\"1\">") + "</feedback>"), Origin.of("d.xml"), new Collected());
        var afterAttribute = parser.factoryForNextReport();
        assertThat(afterAttribute).as("so is an attribute's").isNotSameAs(afterLongName);

        assertThatThrownBy(() -> parser.read(in(HEAD + "<record><row>"), Origin.of("e.xml"), new Collected()))
                .isInstanceOf(ReportFormatException.class);
        assertThat(parser.factoryForNextReport()).as("a failed report: its factory is left behind").isNotSameAs(afterAttribute);
    }

    @Test
    void aRepeatedWordIsHandedOnAsOneStringAcrossReportsAndWordsOfTheSameHashStayApart() throws IOException {
        AggregateReportParser parser = new AggregateReportParser();
        // "Aa" and "BB" have the same String hash, so these two domains take the same remembered slot.
        assertThat("Aa.example".hashCode()).isEqualTo("BB.example".hashCode());
        String records = record("192.0.2.1", "1", "none", "pass").replace("<header_from>example.com", "<header_from>aa.example")
                + record("192.0.2.2", "1", "none", "pass").replace("<header_from>example.com", "<header_from>Aa.example")
                + record("192.0.2.3", "1", "none", "pass").replace("<header_from>example.com", "<header_from>BB.example")
                + record("192.0.2.4", "1", "none", "pass").replace("<header_from>example.com", "<header_from> Aa.example ");
        Collected first = new Collected();
        parser.read(in(HEAD + records + "</feedback>"), Origin.of("a.xml"), first);
        Collected second = new Collected();
        parser.read(in(HEAD.replace("r-1", "r-2") + records + "</feedback>"), Origin.of("b.xml"), second);

        assertThat(first.records).extracting(r -> r.identifiers().headerFrom())
                .containsExactly("aa.example", "aa.example", "bb.example", "aa.example");
        assertThat(first.records).extracting(r -> r.dkim().get(0).domain()).containsOnly("example.com");
        // The same text read again is the same String, in the next report too: later lookups find it by identity.
        String domain = first.records.get(0).dkim().get(0).domain();
        assertThat(first.records.get(3).dkim().get(0).domain()).isSameAs(domain);
        assertThat(second.records.get(0).dkim().get(0).domain()).isSameAs(domain);
        assertThat(second.records).extracting(r -> r.identifiers().headerFrom())
                .containsExactly("aa.example", "aa.example", "bb.example", "aa.example");
        // A text longer than what is remembered is read as it is.
        String longSelector = "s".repeat(RecordFields.REMEMBERED_CHARS + 1);
        Collected withLong = new Collected();
        parser.read(in(HEAD + record("192.0.2.9", "1", "none", "pass").replace("<result>pass</result></dkim>",
                "<selector>" + longSelector + "</selector><result>pass</result></dkim>") + "</feedback>"), Origin.of("c.xml"), withLong);
        assertThat(withLong.records.get(0).dkim().get(0).selector()).contains(longSelector);
    }

    @Test
    void aRememberedTextIsHandedOnOnlyForTheSameCharactersNotForTheSameWordInAnotherCase() throws IOException {
        // header_from is lowercased after the lookup, so it cannot tell whether the lookup matched ignoring case; the
        // selector, human_result and a reason's comment are kept as sent. "Aa", "BB" and "bb" take one slot ("Aa" and "BB"
        // have the same String hash), as do "aa" and "AA": each text meets the one before it in its slot, the same word
        // in another case among them.
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        assertThat(RecordFields.slot("bb".hashCode())).isEqualTo(RecordFields.slot("BB".hashCode()));
        assertThat(RecordFields.slot("AA".hashCode())).isEqualTo(RecordFields.slot("aa".hashCode()));
        List<String> texts = List.of("Aa", "BB", "bb", "BB", "Aa", "aa", "AA", "aa");
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            records.append(record("192.0.2." + (i + 1), "1", "none", "pass")
                    .replace("<spf>pass</spf></policy_evaluated>",
                            "<spf>pass</spf><reason><type>other</type><comment>" + text + "</comment></reason></policy_evaluated>")
                    .replace("<result>pass</result></dkim>",
                            "<selector>" + text + "</selector><result>pass</result><human_result>" + text + "</human_result></dkim>"));
        }
        Collected c = parse(HEAD + records + "</feedback>");

        assertThat(c.skipped).isEmpty();
        assertThat(c.records).extracting(r -> r.dkim().get(0).selector().orElseThrow()).containsExactlyElementsOf(texts);
        assertThat(c.records).extracting(r -> r.dkim().get(0).humanResult().orElseThrow()).containsExactlyElementsOf(texts);
        assertThat(c.records).extracting(r -> r.policyEvaluated().reasons().get(0).comment().orElseThrow()).containsExactlyElementsOf(texts);
    }

    @Test
    void aLongLeafDoesNotLeaveItsTextBufferToTheReportsAfterIt() throws IOException {
        AggregateReportParser parser = new AggregateReportParser();
        String shortSelector = "s".repeat(1000);
        Collected withShort = new Collected();
        parser.read(in(HEAD + recordWithSelector(shortSelector) + "</feedback>"), Origin.of("a.xml"), withShort);
        assertThat(withShort.records.get(0).dkim().get(0).selector()).contains(shortSelector);
        int kept = parser.leafTextCapacityForNextReport();
        assertThat(kept).as("a buffer grown by ordinary texts is kept").isBetween(shortSelector.length(), RecordFields.KEPT_TEXT_CHARS);

        // Far below the parser's bound on an element's text, far above what a report may leave behind.
        String longSelector = "L".repeat(200_000);
        Collected withLong = new Collected();
        parser.read(in(HEAD + recordWithSelector(longSelector) + record("192.0.2.2", "1", "none", "pass") + "</feedback>"),
                Origin.of("b.xml"), withLong);
        assertThat(withLong.records.get(0).dkim().get(0).selector()).contains(longSelector);
        assertThat(withLong.records.get(1).dkim().get(0).selector()).isEmpty();
        assertThat(parser.leafTextCapacityForNextReport()).as("the long leaf's buffer is given back").isLessThanOrEqualTo(RecordFields.KEPT_TEXT_CHARS);

        assertThatThrownBy(() -> parser.read(in(HEAD + recordWithSelector(longSelector) + "<record><row>"), Origin.of("c.xml"), new Collected()))
                .isInstanceOf(ReportFormatException.class);
        assertThat(parser.leafTextCapacityForNextReport()).as("also by a report that fails").isLessThanOrEqualTo(RecordFields.KEPT_TEXT_CHARS);

        // The buffer given back still reads a long leaf whole, and the short one after it.
        Collected again = new Collected();
        parser.read(in(HEAD + recordWithSelector(longSelector) + recordWithSelector(shortSelector) + "</feedback>"), Origin.of("d.xml"), again);
        assertThat(again.records).extracting(r -> r.dkim().get(0).selector().orElseThrow()).containsExactly(longSelector, shortSelector);
    }

    private static String recordWithSelector(String selector) {
        return record("192.0.2.1", "1", "none", "pass").replace("<result>pass</result></dkim>",
                "<selector>" + selector + "</selector><result>pass</result></dkim>");
    }

    private static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static final class Collected implements AggregateReportHandler {
        AggregateReport report;
        final List<String> events = new ArrayList<>();
        final List<AggregateRecord> records = new ArrayList<>();
        final List<Problem> skipped = new ArrayList<>();

        @Override
        public void report(AggregateReport report) {
            this.report = report;
            events.add("report");
        }

        @Override
        public void record(AggregateReport report, AggregateRecord record) {
            events.add("record");
            records.add(record);
        }

        @Override
        public void recordSkipped(AggregateReport report, Problem problem) {
            skipped.add(problem);
        }
    }
}
