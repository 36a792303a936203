package dev.sekisho.audit.posture;

import com.sun.net.httpserver.HttpServer;
import dev.sekisho.dns.CachingResolver;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** The domain posture audit against zones served by the in-process DNS server; every finding asserted exactly. */
class DomainAuditTest {
    private static final String REACHABLE = "100.20.30.25"; // outside every IANA special-purpose block
    private static TestDnsServer dns;
    private static HttpServer policyServer;

    @BeforeAll
    static void start() throws Exception {
        Zone zone = Zone.empty();
        mail(zone, "good.example");
        zone.txt("good.example", "v=spf1 mx -all")
                .txt("_dmarc.good.example", "v=DMARC1; p=reject; rua=mailto:dmarc@good.example")
                .txt("_mta-sts.good.example", "v=STSv1; id=2026A;")
                .txt("_smtp._tls.good.example", "v=TLSRPTv1; rua=mailto:tls@good.example")
                .txt("default._bimi.good.example", "v=BIMI1; l=https://good.example/logo.svg");
        // Registered but without mail: the parked-domain advice.
        zone.txt("parked.example", "google-site-verification=abc");
        // Without mail, and saying so properly.
        zone.mx("nullmx.example", 0, ".").txt("nullmx.example", "v=spf1 -all").txt("_dmarc.nullmx.example", "v=DMARC1; p=reject;");
        // Without mail, but with an SPF that authorises and a DMARC that does not reject.
        zone.mx("halfparked.example", 0, ".").txt("halfparked.example", "v=spf1 ip4:100.20.30.0/24 ~all")
                .txt("_dmarc.halfparked.example", "v=DMARC1; p=none; rua=mailto:d@halfparked.example");
        spf(zone, "passall.example", "v=spf1 +all");
        spf(zone, "lookups.example", "v=spf1 " + "a:h.lookups.example ".repeat(11) + "-all");
        zone.a("h.lookups.example", REACHABLE);
        spf(zone, "void.example", "v=spf1 a:v1.void.example a:v2.void.example a:v3.void.example -all");
        spf(zone, "onevoid.example", "v=spf1 a:gone.onevoid.example -all");
        spf(zone, "ptr.example", "v=spf1 ptr ?all");
        spf(zone, "noall.example", "v=spf1 ip4:100.20.30.0/24");
        spf(zone, "syntax.example", "v=spf1 ip4:192.0.2.300 -all");
        spf(zone, "noinclude.example", "v=spf1 include:missing.noinclude.example -all");
        spf(zone, "multi.example", "v=spf1 -all");
        zone.txt("multi.example", "v=spf1 mx -all");
        mail(zone, "nospf.example");
        dmarc(zone, "nospf.example");
        // A record split into character-strings whose answer does not fit in 512 octets.
        mail(zone, "long.example");
        dmarc(zone, "long.example");
        zone.txt("long.example", splitRecord());
        zone.txt("long.example", "verification=" + "x".repeat(200));
        // MX trouble: a private address, a name that does not exist, an alias, an address literal.
        zone.mx("mxbad.example", 10, "mx1.mxbad.example").a("mx1.mxbad.example", "10.0.0.25")
                .mx("mxbad.example", 20, "mx2.mxbad.example")
                .mx("mxbad.example", 30, "alias.mxbad.example").cname("alias.mxbad.example", "real.mxbad.example").a("real.mxbad.example", REACHABLE)
                .mx("mxbad.example", 40, "192.0.2.25")
                .mx("mxbad.example", 50, "v6.mxbad.example").aaaa("v6.mxbad.example", "2001:db8::25")
                .txt("mxbad.example", "v=spf1 mx -all");
        dmarc(zone, "mxbad.example");
        // Addresses the registries do not mark globally reachable although not private: 6to4 (N/A), a deprecated block (blank).
        zone.mx("relay.example", 10, "mx.relay.example").aaaa("mx.relay.example", "2002:c000:204::25").a("mx.relay.example", "192.88.99.25")
                .txt("relay.example", "v=spf1 mx -all");
        dmarc(zone, "relay.example");
        zone.mx("nullmixed.example", 0, ".").mx("nullmixed.example", 10, "mx.nullmixed.example").a("mx.nullmixed.example", REACHABLE);
        zone.a("webonly.example", REACHABLE).txt("webonly.example", "v=spf1 a -all");
        dmarc(zone, "webonly.example");
        // DMARC trouble.
        mail(zone, "dmarcnone.example");
        zone.txt("dmarcnone.example", "v=spf1 mx -all")
                .txt("_dmarc.dmarcnone.example", "v=DMARC1; p=none; aspf=s; rua=mailto:reports@elsewhere.example,mailto:agg@authorised.example")
                .txt("dmarcnone.example._report._dmarc.authorised.example", "v=DMARC1");
        mail(zone, "norua.example");
        zone.txt("norua.example", "v=spf1 mx -all").txt("_dmarc.norua.example", "v=DMARC1; p=quarantine;");
        mail(zone, "twodmarc.example");
        zone.txt("twodmarc.example", "v=spf1 mx -all").txt("_dmarc.twodmarc.example", "v=DMARC1; p=reject").txt("_dmarc.twodmarc.example", "v=DMARC1; p=none");
        mail(zone, "sub.inherit.example");
        zone.txt("sub.inherit.example", "v=spf1 mx -all").txt("_dmarc.inherit.example", "v=DMARC1; p=reject; sp=none; rua=mailto:d@inherit.example");
        // Temporary failures: never "missing".
        mail(zone, "slow.example");
        zone.txt("slow.example", "v=spf1 mx -all").drop("slow.example", Type.TXT).servfail("_dmarc.slow.example", Type.TXT)
                .drop("_mta-sts.slow.example", Type.TXT).drop("_smtp._tls.slow.example").drop("default._bimi.slow.example");
        zone.drop("mxslow.example", Type.MX).txt("mxslow.example", "v=spf1 -all");
        // MTA-STS and TLS-RPT trouble.
        mail(zone, "sts.example");
        zone.txt("sts.example", "v=spf1 mx -all").txt("_mta-sts.sts.example", "v=STSv1; id=not-valid!")
                .txt("_smtp._tls.sts.example", "v=TLSRPTv1; rua=ftp://reports.sts.example");
        dmarc(zone, "sts.example");
        mail(zone, "fetch.example");
        zone.txt("fetch.example", "v=spf1 mx -all").txt("_mta-sts.fetch.example", "v=STSv1; id=20261201;").a("mta-sts.fetch.example", "127.0.0.1");
        dmarc(zone, "fetch.example");
        mail(zone, "nohost.example");
        zone.txt("nohost.example", "v=spf1 mx -all").txt("_mta-sts.nohost.example", "v=STSv1; id=1;");
        dmarc(zone, "nohost.example");
        dns = TestDnsServer.start(zone);

        policyServer = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        policyServer.createContext("/.well-known/mta-sts.txt", exchange -> {
            byte[] body = "version: STSv1\r\nmode: enforce\r\nmx: *.other.example\r\nmax_age: 86400\r\n".getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        policyServer.start();
    }

    @AfterAll
    static void stop() {
        dns.close();
        policyServer.stop(0);
    }

    private static void mail(Zone zone, String domain) {
        zone.mx(domain, 10, "mx." + domain).a("mx." + domain, REACHABLE);
    }

    private static void dmarc(Zone zone, String domain) {
        zone.txt("_dmarc." + domain, "v=DMARC1; p=reject; rua=mailto:dmarc@" + domain);
    }

    private static void spf(Zone zone, String domain, String record) {
        mail(zone, domain);
        dmarc(zone, domain);
        zone.txt(domain, record);
    }

    private static String[] splitRecord() {
        List<String> strings = new ArrayList<>();
        StringBuilder current = new StringBuilder("v=spf1 ");
        for (int i = 0; i < 40; i++) {
            String term = "ip4:100.20." + i + ".0/24 ";
            if (current.length() + term.length() > 250) {
                strings.add(current.toString());
                current = new StringBuilder();
            }
            current.append(term);
        }
        current.append("-all");
        strings.add(current.toString());
        return strings.toArray(String[]::new);
    }

    private static DnsResolver resolver() {
        NetworkResolver network = new NetworkResolver(NetworkResolver.Settings.of(List.of(dns.hostPort())).withTimeout(Duration.ofMillis(300)));
        return new CachingResolver(network, new MutableClock(Instant.parse("2026-12-01T00:00:00Z")));
    }

    private static DomainPosture audit(String domain) {
        return new DomainAudit(resolver(), Optional.empty()).audit(domain);
    }

    private static List<String> codes(DomainPosture posture, Area area) {
        return posture.findings().stream().filter(f -> f.area() == area).map(DomainFinding::code).toList();
    }

    private static DomainFinding finding(DomainPosture posture, String code) {
        return posture.findings().stream().filter(f -> f.code().equals(code)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + code + " in " + posture.findings()));
    }

    @Test
    void aWellRunDomainHasOnlyInformation() {
        DomainPosture posture = audit("good.example");
        assertThat(posture.mail()).isEqualTo(DomainPosture.MailStatus.RECEIVES_MAIL);
        assertThat(posture.findings()).extracting(DomainFinding::severity, DomainFinding::code).containsExactly(
                tuple(Severity.INFO, "dmarc-alignment"), tuple(Severity.INFO, "bimi-present"));
        assertThat(finding(posture, "dmarc-alignment").message()).isEqualTo("alignment: DKIM relaxed, SPF relaxed");
        assertThat(posture.hasProblems()).isFalse();
        assertThat(posture.incomplete()).isFalse();
    }

    @Test
    void aDomainWithoutMailGetsTheParkedDomainAdviceRankedBySeverity() {
        DomainPosture posture = audit("parked.example");
        assertThat(posture.mail()).isEqualTo(DomainPosture.MailStatus.NO_MAIL);
        assertThat(posture.parked()).isTrue();
        assertThat(posture.findings()).extracting(DomainFinding::severity, DomainFinding::code, f -> f.publish().map(RecordToPublish::zoneLine).orElse(""))
                .containsExactly(
                        tuple(Severity.ERROR, "spf-missing", "parked.example. IN TXT \"v=spf1 -all\""),
                        tuple(Severity.ERROR, "dmarc-missing", "_dmarc.parked.example. IN TXT \"v=DMARC1; p=reject;\""),
                        tuple(Severity.WARNING, "mx-missing-no-mail", "parked.example. IN MX 0 ."),
                        tuple(Severity.INFO, "no-mail-domain", ""));
    }

    @Test
    void aNullMxDomainWithTheParkedRecordsIsClean() {
        DomainPosture posture = audit("nullmx.example");
        assertThat(posture.mail()).isEqualTo(DomainPosture.MailStatus.NULL_MX);
        assertThat(posture.findings()).extracting(DomainFinding::code).containsExactly("no-mail-domain", "dmarc-alignment", "mx-null");
        assertThat(posture.hasProblems()).isFalse();
    }

    @Test
    void aNullMxDomainThatStillAuthorisesSendersIsToldToPublishTheParkedRecords() {
        DomainPosture posture = audit("halfparked.example");
        assertThat(posture.findings()).extracting(DomainFinding::code).containsExactly(
                "spf-parked-authorises", "dmarc-parked-not-reject", "no-mail-domain", "dmarc-alignment", "mx-null");
        assertThat(finding(posture, "spf-parked-authorises").publish()).contains(RecordToPublish.txt("halfparked.example", "v=spf1 -all"));
        assertThat(finding(posture, "dmarc-parked-not-reject").publish()).contains(RecordToPublish.txt("_dmarc.halfparked.example", "v=DMARC1; p=reject;"));
    }

    @Test
    void spfPassAllNeutralAllPtrAndMissingAll() {
        assertThat(codes(audit("passall.example"), Area.SPF)).containsExactly("spf-pass-all");
        DomainPosture ptr = audit("ptr.example");
        assertThat(codes(ptr, Area.SPF)).containsExactly("spf-ptr", "spf-neutral-all");
        assertThat(finding(ptr, "spf-ptr").message()).startsWith("ptr in ptr.example: ptr is slow and unreliable and SHOULD NOT be used (RFC 7208 5.5)");
        assertThat(codes(audit("noall.example"), Area.SPF)).containsExactly("spf-no-all");
    }

    @Test
    void spfLookupAndVoidLookupLimits() {
        DomainPosture lookups = audit("lookups.example");
        assertThat(codes(lookups, Area.SPF)).containsExactly("spf-too-many-lookups");
        assertThat(finding(lookups, "spf-too-many-lookups").message()).startsWith("evaluating the record needs 11 DNS lookups, more than 10 (RFC 7208 4.6.4)");
        DomainPosture voids = audit("void.example");
        assertThat(codes(voids, Area.SPF)).containsExactly("spf-too-many-void-lookups");
        assertThat(finding(voids, "spf-too-many-void-lookups").message()).startsWith("3 lookups find nothing, more than 2");
        assertThat(codes(audit("onevoid.example"), Area.SPF)).containsExactly("spf-void-lookup");
    }

    @Test
    void spfSyntaxMultipleRecordsMissingIncludeAndMissingRecord() {
        DomainPosture syntax = audit("syntax.example");
        assertThat(codes(syntax, Area.SPF)).containsExactly("spf-syntax");
        assertThat(finding(syntax, "spf-syntax").severity()).isEqualTo(Severity.ERROR);
        assertThat(codes(audit("multi.example"), Area.SPF)).containsExactly("spf-multiple-records");
        DomainPosture include = audit("noinclude.example");
        assertThat(codes(include, Area.SPF)).containsExactly("spf-broken");
        assertThat(finding(include, "spf-broken").message()).contains("include:missing.noinclude.example").contains("finds no SPF record");
        DomainPosture missing = audit("nospf.example");
        assertThat(codes(missing, Area.SPF)).containsExactly("spf-missing");
        assertThat(finding(missing, "spf-missing").publish()).contains(RecordToPublish.txt("nospf.example", "v=spf1 mx -all"));
        assertThat(finding(audit("webonly.example"), "mx-missing").severity()).isEqualTo(Severity.WARNING);
    }

    @Test
    void aRecordSplitIntoStringsIsReadJoinedAndATooLargeAnswerIsFlagged() {
        DomainPosture posture = audit("long.example");
        assertThat(codes(posture, Area.SPF)).containsExactly("spf-answer-too-large", "spf-split-record");
        assertThat(finding(posture, "spf-split-record").message()).startsWith("the record is published as 4 character-strings");
        assertThat(finding(posture, "spf-answer-too-large").message()).contains("more than 512 (RFC 7208 3.4)");
    }

    @Test
    void mxHostsThatCannotReceiveMail() {
        DomainPosture posture = audit("mxbad.example");
        assertThat(posture.findings()).filteredOn(f -> f.area() == Area.MX).extracting(DomainFinding::severity, DomainFinding::message).containsExactly(
                tuple(Severity.ERROR, "MX mx1.mxbad.example has address 10.0.0.25 in 10.0.0.0/8, Private-Use ([RFC1918]), which is not globally"
                        + " reachable (RFC 6890): senders on the internet cannot deliver to it"),
                tuple(Severity.ERROR, "MX mx2.mxbad.example does not exist (NXDOMAIN): mail to it cannot be delivered"),
                tuple(Severity.ERROR, "MX 192.0.2.25 is an IP address, not a host name (RFC 5321 5.1): senders look it up as a name and fail"),
                tuple(Severity.ERROR, "MX v6.mxbad.example has address 2001:db8::25 in 2001:db8::/32, Documentation ([RFC3849]), which is not"
                        + " globally reachable (RFC 6890): senders on the internet cannot deliver to it"),
                tuple(Severity.WARNING, "MX alias.mxbad.example is an alias (CNAME); RFC 2181 10.3 and RFC 5321 5.1 require the MX to name a host"
                        + " with its own A/AAAA records"));
        assertThat(codes(audit("nullmixed.example"), Area.MX)).containsExactly("mx-null-with-others");
    }

    @Test
    void mxAddressesInBlocksWithoutAGlobalReachabilityAreFlaggedAsTheSiteAuditDoes() {
        assertThat(audit("relay.example").findings()).filteredOn(f -> f.area() == Area.MX).extracting(DomainFinding::message).containsExactly(
                "MX mx.relay.example has address 192.88.99.25 in 192.88.99.0/24, Deprecated (6to4 Relay Anycast) ([RFC7526]), which is not"
                        + " globally reachable (RFC 6890): senders on the internet cannot deliver to it",
                "MX mx.relay.example has address 2002:c000:204::25 in 2002::/16, 6to4 ([RFC3056]), which is not"
                        + " globally reachable (RFC 6890): senders on the internet cannot deliver to it");
    }

    @Test
    void dmarcFindingsOfTheParserWithTheRecordToPublishAndExternalDestinations() {
        DomainPosture posture = audit("dmarcnone.example");
        assertThat(codes(posture, Area.DMARC)).containsExactly("dmarc-policy-none", "dmarc-external-destination-not-authorised",
                "dmarc-strict-alignment", "dmarc-alignment");
        assertThat(finding(posture, "dmarc-policy-none").publish()).contains(RecordToPublish.txt("_dmarc.dmarcnone.example",
                "v=DMARC1; p=quarantine; aspf=s; rua=mailto:reports@elsewhere.example,mailto:agg@authorised.example"));
        DomainFinding external = finding(posture, "dmarc-external-destination-not-authorised");
        assertThat(external.message()).startsWith("mailto:reports@elsewhere.example is in another organisation");
        assertThat(external.publish()).contains(RecordToPublish.txt("dmarcnone.example._report._dmarc.elsewhere.example", "v=DMARC1;"));
        assertThat(finding(posture, "dmarc-alignment").message()).isEqualTo("alignment: DKIM relaxed, SPF strict");

        DomainPosture norua = audit("norua.example");
        assertThat(codes(norua, Area.DMARC)).containsExactly("dmarc-no-aggregate-reports", "dmarc-alignment");
        assertThat(finding(norua, "dmarc-no-aggregate-reports").publish()).contains(RecordToPublish.txt("_dmarc.norua.example",
                "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@norua.example"));
        assertThat(codes(audit("twodmarc.example"), Area.DMARC)).containsExactly("dmarc-multiple-records");
    }

    @Test
    void aSubdomainWithoutItsOwnRecordIsJudgedByThePolicyThatApplies() {
        DomainPosture posture = audit("sub.inherit.example");
        DomainFinding inherited = finding(posture, "dmarc-inherited-weak");
        assertThat(inherited.severity()).isEqualTo(Severity.WARNING);
        assertThat(inherited.message()).isEqualTo("no record at _dmarc.sub.inherit.example; receivers apply sp=none from the record at"
                + " _dmarc.inherit.example (RFC 9989 4.10.1)");
    }

    @Test
    void temporaryFailuresAreCouldNotCheckNeverMissing() {
        DomainPosture posture = audit("slow.example");
        assertThat(posture.incomplete()).isTrue();
        assertThat(posture.findings()).extracting(DomainFinding::severity).containsOnly(Severity.COULD_NOT_CHECK);
        assertThat(posture.findings()).extracting(DomainFinding::code).containsExactly("spf-could-not-check", "dmarc-could-not-check",
                "mta-sts-could-not-check", "tls-rpt-could-not-check", "bimi-could-not-check");
        assertThat(finding(posture, "spf-could-not-check").message()).startsWith("could not check SPF: timeout at slow.example TXT after ");
        assertThat(finding(posture, "dmarc-could-not-check").message()).startsWith("could not check DMARC: server failure at _dmarc.slow.example TXT: SERVFAIL");

        DomainPosture mx = audit("mxslow.example");
        assertThat(mx.mail()).isEqualTo(DomainPosture.MailStatus.UNKNOWN);
        assertThat(finding(mx, "mx-could-not-check").message()).startsWith("could not check MX: timeout at mxslow.example MX after ");
    }

    @Test
    void domainsThatCannotBeAuditedSaySo() {
        DomainPosture invalid = audit("bad..example");
        assertThat(invalid.error()).contains("not a domain name: \"bad..example\"");
        assertThat(invalid.incomplete()).isTrue();
        assertThat(audit("localhost").error()).contains("not a domain name: \"localhost\" has a single label");
        DomainPosture nowhere = audit("nowhere.example");
        assertThat(nowhere.mail()).isEqualTo(DomainPosture.MailStatus.NO_SUCH_DOMAIN);
        assertThat(nowhere.findings()).extracting(DomainFinding::code).containsExactly("domain-does-not-exist");
    }

    @Test
    void mtaStsAndTlsRptRecordsAreChecked() {
        DomainPosture posture = audit("sts.example");
        assertThat(posture.findings()).filteredOn(f -> f.area() == Area.MTA_STS || f.area() == Area.TLS_RPT).extracting(DomainFinding::message)
                .containsExactly(
                        "id must be 1-32 letters and digits, was \"not-valid!\" (RFC 8461 3.1): senders assume there is no policy: v=STSv1; id=not-valid!",
                        "rua \"ftp://reports.sts.example\" is neither a mailto: address nor an https: URL (RFC 8460 3): v=TLSRPTv1; rua=ftp://reports.sts.example");
        DomainPosture none = audit("nospf.example");
        assertThat(finding(none, "mta-sts-missing").severity()).isEqualTo(Severity.INFO);
        assertThat(finding(none, "tls-rpt-missing").publish()).contains(RecordToPublish.txt("_smtp._tls.nospf.example",
                "v=TLSRPTv1; rua=mailto:tls-reports@nospf.example"));
        assertThat(finding(none, "bimi-absent").severity()).isEqualTo(Severity.INFO);
    }

    @Test
    void theMtaStsPolicyIsFetchedFromTheHostTheResolverNamesAndComparedWithTheMx() {
        DnsResolver resolver = resolver();
        MtaStsPolicyFetcher fetcher = new MtaStsPolicyFetcher(resolver,
                new MtaStsPolicyFetcher.Settings(Duration.ofSeconds(2), false, policyServer.getAddress().getPort()));
        DomainAudit audit = new DomainAudit(resolver, Optional.of(fetcher));
        DomainPosture posture = audit.audit("fetch.example");
        assertThat(posture.findings()).filteredOn(f -> f.area() == Area.MTA_STS).extracting(DomainFinding::severity, DomainFinding::message)
                .containsExactly(
                        tuple(Severity.ERROR, "MX mx.fetch.example matches no mx line of the policy (*.other.example): senders enforcing it will"
                                + " not deliver there (RFC 8461 4.1)"),
                        tuple(Severity.INFO, "max_age 86400 s is less than a week; RFC 8461 3.2 recommends weeks or more"));
        DomainPosture nohost = audit.audit("nohost.example");
        assertThat(finding(nohost, "mta-sts-policy-unavailable").message()).startsWith("the TXT record announces a policy, but http://mta-sts.nohost.example:")
                .contains("could not be fetched: mta-sts.nohost.example has no A or AAAA record");
    }

    @Test
    void manyDomainsAreAuditedConcurrentlyInInputOrder() {
        DomainAudit audit = new DomainAudit(resolver(), Optional.empty());
        List<String> domains = List.of("good.example", "parked.example", "bad..example", "slow.example", "nullmx.example");
        List<DomainPosture> postures = audit.auditAll(domains, new dev.sekisho.audit.BoundedConcurrency(3), done -> {
        });
        assertThat(postures).extracting(DomainPosture::domain).containsExactlyElementsOf(domains);
        assertThat(postures).extracting(DomainPosture::incomplete).containsExactly(false, false, true, true, false);
    }
}
