package dev.sekisho.audit.site;

import dev.sekisho.audit.site.SiteVerdict.Judgement;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static dev.sekisho.audit.site.SiteLab.DEAD;
import static dev.sekisho.audit.site.SiteLab.MAIL;
import static dev.sekisho.audit.site.SiteLab.NS1;
import static dev.sekisho.audit.site.SiteLab.NS2;
import static dev.sekisho.audit.site.SiteLab.NS3;
import static dev.sekisho.audit.site.SiteLab.wellRun;
import static org.assertj.core.api.Assertions.assertThat;

class SiteInspectorTest {

    private static Reason reason(ReasonCode code, String subject, String evidence) {
        return new Reason(code, subject, evidence);
    }

    @Test
    void aWellRunDomainHasNoReasonsAndItsMxIsOnlyGreetedAndLeft() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("good.test"), NS1, NS2).start()) {
            SiteVerdict verdict = lab.inspect("Good.Test.");

            assertThat(verdict.domain()).isEqualTo("good.test");
            assertThat(verdict.reasons()).isEmpty();
            assertThat(verdict.problems()).isEmpty();
            assertThat(verdict.judgement()).isEqualTo(Judgement.WELL_RUN);
            assertThat(verdict.wellRun()).isTrue();
            // Connect, read the 220, QUIT: never a command that could start a mail transaction.
            assertThat(lab.smtp().received()).containsExactly("QUIT");
            // Every authoritative server was asked directly.
            assertThat(lab.servers().server(NS1).queries("good.test", Type.SOA)).isEqualTo(1);
            assertThat(lab.servers().server(NS2).queries("good.test", Type.SOA)).isEqualTo(1);
        }
    }

    @Test
    void aServerWhoseUdpAnswersAreTruncatedIsAskedAgainOverTcp() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("big.test"), NS1, NS2);
        plan.server(NS2).truncateAllUdp(); // RFC 1035 4.2.1: a truncated UDP answer is retried over TCP
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("big.test").judgement()).isEqualTo(Judgement.WELL_RUN);
            assertThat(lab.servers().server(NS2).queries("big.test", Type.SOA, TestDnsServer.Transport.TCP)).isEqualTo(1);
        }
    }

    @Test
    void anMxThatAcceptsTheConnectionButNeverGreetsStillAnswers() throws IOException {
        // Only the connect decides (RFC 5321 3.1 asks for the greeting, but a slow banner is not a dead MX).
        try (java.net.ServerSocket silent = new java.net.ServerSocket()) {
            silent.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.22"), 0));
            String zone = wellRun("slow.test").replace("mail.slow.test. 300 IN A 127.0.0.20", "mail.slow.test. 300 IN A 127.0.0.22");
            try (SiteLab lab = SiteLab.serving(zone, NS1, NS2).start()) {
                SiteInspector inspector = lab.inspector(java.time.InstantSource.system(), silent.getLocalPort());
                assertThat(inspector.inspect("slow.test").reasons()).isEmpty();
            }
        }
    }

    @Test
    void aHostNameIsJudgedWithTheZoneItIsIn() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("good.test"), NS1, NS2).start()) {
            SiteVerdict verdict = lab.inspect("mail.good.test");

            assertThat(verdict.domain()).isEqualTo("mail.good.test");
            assertThat(verdict.judgement()).isEqualTo(Judgement.WELL_RUN);
            assertThat(lab.servers().server(NS2).queries("good.test", Type.SOA)).isEqualTo(1);
        }
    }

    @Test
    void internationalisedNamesAreAskedAboutAsALabels() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("xn--r8jz45g.test"), NS1, NS2).start()) {
            SiteVerdict verdict = lab.inspect("例え.test");
            assertThat(verdict.domain()).isEqualTo("xn--r8jz45g.test");
            assertThat(verdict.judgement()).isEqualTo(Judgement.WELL_RUN);
        }
    }

    @Test
    void aNameThatCannotBeADomainNameIsTheCallersError() {
        SiteInspector inspector = new SiteInspector((name, type) -> {
            throw new AssertionError("no lookup for a bad name");
        }, SiteInspector.Settings.defaults());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> inspector.inspect("a..b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a domain name: empty label in a..b");
    }

    // ---- lame name servers (RFC 1912 2.8; RFC 1034 4.2.2: every NS must serve the zone) ----

    @Test
    void aNameServerThatNeverAnswersIsLame() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("lame.test"), NS1, NS2);
        plan.server(NS2).drop("lame.test");
        try (SiteLab lab = plan.start()) {
            SiteVerdict verdict = lab.inspect("lame.test");

            assertThat(verdict.judgement()).isEqualTo(Judgement.BROKEN);
            assertThat(verdict.reasons()).containsExactly(reason(ReasonCode.NS_NO_RESPONSE, lab.at("ns2.lame.test", NS2),
                    "SOA lame.test: no answer within 500 ms"));
            assertThat(verdict.problems()).isEmpty();
        }
    }

    @Test
    void aNameServerAddressWhereNoServerListensIsLame() throws IOException {
        String zone = wellRun("lame.test").replace("ns2.lame.test. 300 IN A 127.0.0.3", "ns2.lame.test. 300 IN A 127.0.0.9");
        try (SiteLab lab = SiteLab.serving(zone, NS1).start()) {
            SiteVerdict verdict = lab.inspect("lame.test");

            assertThat(verdict.judgement()).isEqualTo(Judgement.BROKEN);
            // Over UDP the ICMP port-unreachable comes back at once; no deadline is waited for.
            assertThat(verdict.reasons()).containsExactly(reason(ReasonCode.NS_NO_RESPONSE, lab.at("ns2.lame.test", "127.0.0.9"),
                    "SOA lame.test: no answer (port unreachable)"));
        }
    }

    @Test
    void aNameServerThatAnswersWithoutAuthorityIsLame() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("lame.test"), NS1, NS2);
        plan.server(NS2).notAuthoritative();
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("lame.test").reasons()).containsExactly(reason(ReasonCode.NS_NOT_AUTHORITATIVE,
                    lab.at("ns2.lame.test", NS2), "SOA lame.test: NOERROR without AA (not authoritative)"));
        }
    }

    @Test
    void aNameServerThatRefusesTheZoneIsLame() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("lame.test"), NS1, NS2);
        plan.server(NS2).refuse("lame.test");
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("lame.test").reasons()).containsExactly(reason(ReasonCode.NS_UNEXPECTED_RCODE,
                    lab.at("ns2.lame.test", NS2), "SOA lame.test: REFUSED"));
        }
    }

    // ---- SOA MNAME (RFC 1035 3.3.13) ----

    private static String withMaster(String domain) {
        return wellRun(domain).replace("SOA ns1." + domain + ".", "SOA master." + domain + ".")
                + "master." + domain + ". 300 IN A 127.0.0.4\n";
    }

    @Test
    void anMnameThatDoesNotAnswerMakesTheSiteBroken() throws IOException {
        SiteLab plan = SiteLab.serving(withMaster("primary.test"), NS1, NS2, NS3);
        plan.server(NS3).drop("primary.test");
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("primary.test").reasons()).containsExactly(reason(ReasonCode.MNAME_NO_RESPONSE,
                    lab.at("master.primary.test", NS3), "SOA primary.test: no answer within 500 ms"));
        }
    }

    @Test
    void anMnameThatIsNotAuthoritativeMakesTheSiteBroken() throws IOException {
        SiteLab plan = SiteLab.serving(withMaster("primary.test"), NS1, NS2, NS3);
        plan.server(NS3).notAuthoritative();
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("primary.test").reasons()).containsExactly(reason(ReasonCode.MNAME_NOT_AUTHORITATIVE,
                    lab.at("master.primary.test", NS3), "SOA primary.test: NOERROR without AA (not authoritative)"));
        }
    }

    @Test
    void anMnameWithoutAddressMakesTheSiteBroken() throws IOException {
        String zone = wellRun("primary.test").replace("SOA ns1.primary.test.", "SOA gone.primary.test.");
        try (SiteLab lab = SiteLab.serving(zone, NS1, NS2).start()) {
            assertThat(lab.inspect("primary.test").reasons()).containsExactly(reason(ReasonCode.MNAME_NO_ADDRESS, "gone.primary.test",
                    "A gone.primary.test via resolver: no such domain (NXDOMAIN); AAAA gone.primary.test via resolver: no such domain (NXDOMAIN)"));
        }
    }

    // ---- servers that disagree (RFC 1034 4.2.1, RFC 2181 5) ----

    @Test
    void serversWithDifferentSoaSerialsDisagree() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("drift.test"), NS1, NS2);
        plan.authoritative.put(NS2, Zone.parse(wellRun("drift.test").replace("hostmaster.drift.test. 1 ", "hostmaster.drift.test. 2 ")));
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("drift.test").reasons()).containsExactly(reason(ReasonCode.SOA_SERIAL_MISMATCH, "drift.test",
                    "SOA drift.test: serial 1 from " + lab.at("ns1.drift.test", NS1) + "; serial 2 from " + lab.at("ns2.drift.test", NS2)));
        }
    }

    @Test
    void serversWithDifferentNsSetsDisagree() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("drift.test"), NS1, NS2);
        plan.server(NS2).add(record("drift.test. 300 IN NS ns3.drift.test."));
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("drift.test").reasons()).containsExactly(reason(ReasonCode.NS_SET_MISMATCH, "drift.test",
                    "NS drift.test: {ns1.drift.test, ns2.drift.test, ns3.drift.test} from " + lab.at("ns2.drift.test", NS2)
                            + "; {ns1.drift.test, ns2.drift.test} from " + lab.at("ns1.drift.test", NS1)));
        }
    }

    @Test
    void serversWithDifferentMxSetsDisagree() throws IOException {
        String zone = wellRun("drift.test") + "backup.drift.test. 300 IN A 127.0.0.20\n";
        SiteLab plan = SiteLab.serving(zone, NS1, NS2);
        plan.server(NS2).add(record("drift.test. 300 IN MX 20 backup.drift.test."));
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("drift.test").reasons()).containsExactly(reason(ReasonCode.MX_SET_MISMATCH, "drift.test",
                    "MX drift.test: {10 mail.drift.test, 20 backup.drift.test} from " + lab.at("ns2.drift.test", NS2)
                            + "; {10 mail.drift.test} from " + lab.at("ns1.drift.test", NS1)));
        }
    }

    @Test
    void aServerWithoutTheMxOthersHaveDisagrees() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("drift.test"), NS1, NS2);
        plan.authoritative.put(NS2, Zone.parse(wellRun("drift.test").replace("drift.test. 300 IN MX 10 mail.drift.test.\n", "")));
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("drift.test").reasons()).containsExactly(reason(ReasonCode.MX_SET_MISMATCH, "drift.test",
                    "MX drift.test: no MX from " + lab.at("ns2.drift.test", NS2) + "; {10 mail.drift.test} from " + lab.at("ns1.drift.test", NS1)));
        }
    }

    @Test
    void serversWithDifferentAddressesForTheMxHostDisagree() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("drift.test"), NS1, NS2);
        plan.authoritative.put(NS2, Zone.parse(wellRun("drift.test")
                .replace("mail.drift.test. 300 IN A 127.0.0.20", "mail.drift.test. 300 IN A 127.0.0.22")));
        try (SiteLab lab = plan.start()) {
            assertThat(lab.inspect("drift.test").reasons()).containsExactly(reason(ReasonCode.MX_ADDRESS_MISMATCH, "mail.drift.test",
                    "A/AAAA mail.drift.test: {127.0.0.20} from " + lab.at("ns1.drift.test", NS1) + "; {127.0.0.22} from "
                            + lab.at("ns2.drift.test", NS2)));
        }
    }

    // ---- MX hosts (RFC 5321 5.1) ----

    @Test
    void anMxHostWithoutAddressMakesTheSiteBroken() throws IOException {
        String zone = wellRun("nomx.test").replace("mail.nomx.test. 300 IN A 127.0.0.20\n", "");
        try (SiteLab lab = SiteLab.serving(zone, NS1, NS2).start()) {
            assertThat(lab.inspect("nomx.test").reasons()).containsExactly(reason(ReasonCode.MX_NO_ADDRESS, "mail.nomx.test",
                    "A mail.nomx.test via resolver: no such domain (NXDOMAIN); AAAA mail.nomx.test via resolver: no such domain (NXDOMAIN)"));
        }
    }

    @Test
    void anMxThatDoesNotAcceptConnectionsOnTheSmtpPortMakesTheSiteBroken() throws IOException {
        String zone = wellRun("deadmx.test") + "deadmx.test. 300 IN MX 20 backup.deadmx.test.\nbackup.deadmx.test. 300 IN A " + DEAD + "\n";
        try (SiteLab lab = SiteLab.serving(zone, NS1, NS2).start()) {
            // The primary answers; the backup does not: seed 003 2.1 counts any MX that never answers.
            assertThat(lab.inspect("deadmx.test").reasons()).containsExactly(reason(ReasonCode.MX_NOT_ANSWERING,
                    "backup.deadmx.test@" + DEAD + ":" + lab.smtpPort(), "TCP connect to the SMTP port: connection refused"));
            assertThat(lab.smtp().received()).containsExactly("QUIT");
        }
    }

    @Test
    void domainsSharingAnMxAddressCauseOneConnectWhileItsResultIsFresh() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("one.test") + wellRun("two.test"), NS1, NS2).start()) {
            MutableClock clock = MutableClock.at("2026-12-02T04:00:00Z");
            SiteInspector inspector = lab.inspector(clock);

            assertThat(inspector.inspect("one.test").wellRun()).isTrue();
            assertThat(inspector.inspect("two.test").wellRun()).isTrue();
            assertThat(lab.smtp().received()).containsExactly("QUIT");

            clock.advance(SiteInspector.PROBE_REUSE);
            assertThat(inspector.inspect("two.test").wellRun()).isTrue();
            assertThat(lab.smtp().received()).containsExactly("QUIT", "QUIT");
        }
    }

    @Test
    void anMxThatIsAnAliasIsReported() throws IOException {
        String zone = wellRun("alias.test").replace("mail.alias.test. 300 IN A 127.0.0.20", "mail.alias.test. 300 IN CNAME real.alias.test.")
                + "real.alias.test. 300 IN A " + MAIL + "\n";
        try (SiteLab lab = SiteLab.serving(zone, NS1, NS2).start()) {
            assertThat(lab.inspect("alias.test").reasons()).containsExactly(reason(ReasonCode.MX_IS_ALIAS, "mail.alias.test",
                    "A/AAAA mail.alias.test via resolver: an alias (CNAME) of real.alias.test"));
        }
    }

    // ---- special-purpose addresses in public DNS (RFC 6890 and the IANA registries) ----

    @Test
    void aPrivateNameServerAddressIsReportedWithItsRegistryRowAndNeverQueried() throws IOException {
        String zone = wellRun("private.test").replace("ns2.private.test. 300 IN A 127.0.0.3", "ns2.private.test. 300 IN A 192.168.1.53");
        try (SiteLab lab = SiteLab.serving(zone, NS1).start()) {
            assertThat(lab.inspect("private.test").reasons()).containsExactly(reason(ReasonCode.LOCAL_USE_ADDRESS,
                    "NS ns2.private.test 192.168.1.53", "A ns2.private.test via resolver: 192.168.1.53 is in 192.168.0.0/16 \"Private-Use\" "
                            + "[RFC1918] (IANA IPv4 Special-Purpose Address Registry, Globally Reachable: False)"));
        }
    }

    @Test
    void aPrivateMxAddressIsReportedAndNotConnectedTo() throws IOException {
        String zone = wellRun("private.test").replace("mail.private.test. 300 IN A 127.0.0.20", "mail.private.test. 300 IN A 10.0.0.25");
        try (SiteLab lab = SiteLab.serving(zone, NS1, NS2).start()) {
            assertThat(lab.inspect("private.test").reasons()).containsExactly(reason(ReasonCode.LOCAL_USE_ADDRESS,
                    "MX mail.private.test 10.0.0.25", "A mail.private.test via resolver: 10.0.0.25 is in 10.0.0.0/8 \"Private-Use\" "
                            + "[RFC1918] (IANA IPv4 Special-Purpose Address Registry, Globally Reachable: False)"));
            assertThat(lab.smtp().received()).isEmpty();
        }
    }

    @Test
    void documentationAddressesOfTheDomainItselfAreReported() throws IOException {
        String zone = wellRun("doc.test") + "doc.test. 300 IN A 192.0.2.80\ndoc.test. 300 IN AAAA 2001:db8::80\n";
        try (SiteLab lab = SiteLab.serving(zone, NS1, NS2).start()) {
            assertThat(lab.inspect("doc.test").reasons()).containsExactly(
                    reason(ReasonCode.DOCUMENTATION_ADDRESS, "domain doc.test 192.0.2.80", "A doc.test via resolver: 192.0.2.80 is in "
                            + "192.0.2.0/24 \"Documentation (TEST-NET-1)\" [RFC5737] (IANA IPv4 Special-Purpose Address Registry, Globally Reachable: False)"),
                    reason(ReasonCode.DOCUMENTATION_ADDRESS, "domain doc.test 2001:db8::80", "AAAA doc.test via resolver: "
                            + "2001:db8::80 is in 2001:db8::/32 \"Documentation\" [RFC3849] (IANA IPv6 Special-Purpose Address Registry, Globally Reachable: False)"));
        }
    }

    @Test
    void aLoopbackMxAddressIsReported() throws IOException {
        String zone = wellRun("loop.test").replace("mail.loop.test. 300 IN A 127.0.0.20", "mail.loop.test. 300 IN A 127.1.0.25");
        try (SiteLab lab = SiteLab.serving(zone, NS1, NS2).start()) {
            assertThat(lab.inspect("loop.test").reasons()).containsExactly(reason(ReasonCode.LOCAL_USE_ADDRESS,
                    "MX mail.loop.test 127.1.0.25", "A mail.loop.test via resolver: 127.1.0.25 is in 127.0.0.0/8 \"Loopback\" "
                            + "[RFC1122], Section 3.2.1.3 (IANA IPv4 Special-Purpose Address Registry, Globally Reachable: False [1])"));
        }
    }

    // ---- what cannot be judged ----

    @Test
    void aDomainThatDoesNotExistIsBroken() throws IOException {
        try (SiteLab lab = SiteLab.serving(wellRun("good.test"), NS1, NS2).start()) {
            SiteVerdict verdict = lab.inspect("missing.good.test");
            assertThat(verdict.reasons()).containsExactly(reason(ReasonCode.NO_SUCH_DOMAIN, "missing.good.test",
                    "NS missing.good.test via resolver: no such domain (NXDOMAIN)"));
        }
    }

    @Test
    void aResolverFailureLeavesTheSiteUndeterminedNotBroken() throws IOException {
        SiteLab plan = SiteLab.serving(wellRun("flaky.test"), NS1, NS2);
        plan.recursive.servfail("flaky.test", Type.NS);
        try (SiteLab lab = plan.start()) {
            SiteVerdict verdict = lab.inspect("flaky.test");
            assertThat(verdict.judgement()).isEqualTo(Judgement.UNDETERMINED);
            assertThat(verdict.reasons()).isEmpty();
            assertThat(verdict.problems()).containsExactly("NS flaky.test via resolver: SERVFAIL from " + lab.resolverServer().hostPort());
        }
    }

    /** One record in master-file syntax. */
    static Record record(String text) {
        try (Master master = new Master(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), Name.root, 300)) {
            return master.nextRecord();
        } catch (IOException e) {
            throw new IllegalArgumentException("bad record: " + text, e);
        }
    }
}
