package dev.sekisho.audit.site;

import dev.sekisho.audit.site.SiteVerdict.Judgement;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.io.IOException;

import static dev.sekisho.audit.site.SiteLab.NS1;
import static dev.sekisho.audit.site.SiteLab.NS2;
import static dev.sekisho.audit.site.SiteLab.NS3;
import static dev.sekisho.audit.site.SiteLab.NS4;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Zonemaster's test-zone scenarios (../shared/corpus/dns-hygiene/test-zone-specs, zonemaster/zonemaster
 * @ 12fee9d6) that match a site-health check, with the zone shape reproduced on 127.0.0.x: the addresses
 * Zonemaster gives as globally reachable become 127.0.0.2-5 (treated as reachable by the lab), the
 * others are kept as they are. Each test names the scenario and the tags Zonemaster must raise; the
 * matching {@link ReasonCode}s are asserted exactly. docs/audit-site.md lists the mapping.
 */
class ZonemasterScenarioTest {

    private static Reason reason(ReasonCode code, String subject, String evidence) {
        return new Reason(code, subject, evidence);
    }

    /** A zone with the given NS names and address records for them, as master-file lines; no MX, as in the Zonemaster zones. */
    private static String zone(String apex, String... lines) {
        StringBuilder text = new StringBuilder(apex + ". 300 IN SOA ns1." + apex + ". admin." + apex + ". 2025111300 21600 3600 604800 86400\n");
        for (String line : lines) text.append(line.replace("@", apex + ".")).append('\n');
        return text.toString();
    }

    /** BASIC02 (test-zone-specs/Basic-TP/basic02.md): is there at least one working name server? Together with CONNECTIVITY01 for the servers that fail. */
    @Nested
    class Basic02 {
        private static final String TWO_NS = """
                @ 300 IN NS ns1.@
                @ 300 IN NS ns2.@
                ns1.@ 300 IN A 127.0.0.2
                ns2.@ 300 IN A 127.0.0.3""";

        @Test
        void good1_AuthResponseSoa_isWellRun() throws IOException {
            String apex = "good-1.basic02.xa";
            try (SiteLab lab = SiteLab.serving(zone(apex, TWO_NS.split("\n")), NS1, NS2).start()) {
                SiteVerdict verdict = lab.inspect(apex);
                assertThat(verdict.reasons()).isEmpty();
                assertThat(verdict.judgement()).isEqualTo(Judgement.WELL_RUN);
            }
        }

        @Test
        void good2_outOfBailiwickNameServers_isWellRun() throws IOException {
            String apex = "good-2.basic02.xa";
            String text = zone(apex, "@ 300 IN NS ns1.good-2.basic02.xb.", "@ 300 IN NS ns2.good-2.basic02.xb.",
                    "ns1.good-2.basic02.xb. 300 IN A 127.0.0.2", "ns2.good-2.basic02.xb. 300 IN A 127.0.0.3")
                    .replace("SOA ns1." + apex, "SOA ns1.good-2.basic02.xb");
            try (SiteLab lab = SiteLab.serving(text, NS1, NS2).start()) {
                assertThat(lab.inspect(apex).judgement()).isEqualTo(Judgement.WELL_RUN);
            }
        }

        @Test
        void mixed1_oneGoodServerAmongANonRespondingAServfailingAndANonAuthoritativeOne() throws IOException {
            // BASIC02 raises B02_AUTH_RESPONSE_SOA only (one server works: no NO_WORKING_NS); CONNECTIVITY01 raises
            // CN01_NO_RESPONSE_UDP (ns2), CN01_UNEXPECTED_RCODE_SOA_QUERY_UDP (ns3), CN01_SOA_RECORD_NOT_AA_UDP (ns4).
            String apex = "mixed-1.basic02.xa";
            String text = zone(apex, "@ 300 IN NS ns1.@", "@ 300 IN NS ns2.@", "@ 300 IN NS ns3.@", "@ 300 IN NS ns4.@",
                    "ns1.@ 300 IN A 127.0.0.2", "ns2.@ 300 IN A 127.0.0.3", "ns3.@ 300 IN A 127.0.0.4", "ns4.@ 300 IN A 127.0.0.5");
            SiteLab plan = SiteLab.serving(text, NS1, NS2, NS3, NS4);
            plan.server(NS2).drop(apex);
            plan.server(NS3).servfail(apex);
            plan.server(NS4).notAuthoritative();
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(
                        reason(ReasonCode.NS_NO_RESPONSE, lab.at("ns2." + apex, NS2), "SOA " + apex + ": no answer within 500 ms"),
                        reason(ReasonCode.NS_UNEXPECTED_RCODE, lab.at("ns3." + apex, NS3), "SOA " + apex + ": SERVFAIL"),
                        reason(ReasonCode.NS_NOT_AUTHORITATIVE, lab.at("ns4." + apex, NS4), "SOA " + apex + ": NOERROR without AA (not authoritative)"));
            }
        }

        @Test
        void nsBroken1_authoritativeAnswersWithoutSoa_NsBrokenAndNoWorkingNs() throws IOException {
            String apex = "ns-broken-1.basic02.xa";
            String text = zone(apex, TWO_NS.split("\n"));
            String withoutSoa = text.substring(text.indexOf('\n') + 1); // RCODE NOERROR, AA set, no SOA in the answer
            SiteLab plan = SiteLab.serving(text, NS1, NS2);
            plan.authoritative.put(NS1, dev.sekisho.testing.dns.Zone.parse(withoutSoa));
            plan.authoritative.put(NS2, dev.sekisho.testing.dns.Zone.parse(withoutSoa));
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(
                        reason(ReasonCode.NS_NO_SOA, lab.at("ns1." + apex, NS1), "SOA " + apex + ": NOERROR with AA but no SOA in the answer"),
                        reason(ReasonCode.NS_NO_SOA, lab.at("ns2." + apex, NS2), "SOA " + apex + ": NOERROR with AA but no SOA in the answer"),
                        noWorkingNs(apex, 2));
            }
        }

        @Test
        void nsNotAuth1_noAuthoritativeAnswer_NsNotAuthAndNoWorkingNs() throws IOException {
            String apex = "ns-not-auth-1.basic02.xa";
            SiteLab plan = SiteLab.serving(zone(apex, TWO_NS.split("\n")), NS1, NS2);
            plan.server(NS1).notAuthoritative();
            plan.server(NS2).notAuthoritative();
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(
                        reason(ReasonCode.NS_NOT_AUTHORITATIVE, lab.at("ns1." + apex, NS1), "SOA " + apex + ": NOERROR without AA (not authoritative)"),
                        reason(ReasonCode.NS_NOT_AUTHORITATIVE, lab.at("ns2." + apex, NS2), "SOA " + apex + ": NOERROR without AA (not authoritative)"),
                        noWorkingNs(apex, 2));
            }
        }

        @Test
        void nsNoIp2And3_outOfBailiwickNamesWithoutAddress_NsNoIpAddrAndNoWorkingNs() throws IOException {
            // NS-NO-IP-2: the names exist without address records; NS-NO-IP-3: the names do not exist.
            String apex = "ns-no-ip-2.basic02.xa";
            String text = zone(apex, "@ 300 IN NS ns1.ns-no-ip-2.basic02.xb.", "@ 300 IN NS ns2.ns-no-ip-3.basic02.xb.",
                    "ns1.ns-no-ip-2.basic02.xb. 300 IN TXT \"a name without addresses\"");
            try (SiteLab lab = SiteLab.serving(text, NS1).start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(
                        reason(ReasonCode.NS_NO_ADDRESS, "ns1.ns-no-ip-2.basic02.xb",
                                "A ns1.ns-no-ip-2.basic02.xb via resolver: no data; AAAA ns1.ns-no-ip-2.basic02.xb via resolver: no data"),
                        reason(ReasonCode.NS_NO_ADDRESS, "ns2.ns-no-ip-3.basic02.xb", "A ns2.ns-no-ip-3.basic02.xb via resolver: no such domain "
                                + "(NXDOMAIN); AAAA ns2.ns-no-ip-3.basic02.xb via resolver: no such domain (NXDOMAIN)"),
                        noWorkingNs(apex, 0));
            }
        }

        @Test
        void nsNoResponse1_noServerAnswers_NsNoResponseAndNoWorkingNs() throws IOException {
            String apex = "ns-no-response-1.basic02.xa";
            SiteLab plan = SiteLab.serving(zone(apex, TWO_NS.split("\n")), NS1, NS2);
            plan.server(NS1).drop(apex);
            plan.server(NS2).drop(apex);
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(
                        reason(ReasonCode.NS_NO_RESPONSE, lab.at("ns1." + apex, NS1), "SOA " + apex + ": no answer within 500 ms"),
                        reason(ReasonCode.NS_NO_RESPONSE, lab.at("ns2." + apex, NS2), "SOA " + apex + ": no answer within 500 ms"),
                        noWorkingNs(apex, 2));
            }
        }

        @Test
        void unexpectedRcode1_UnexpectedRcodeAndNoWorkingNs() throws IOException {
            String apex = "unexpected-rcode-1.basic02.xa";
            SiteLab plan = SiteLab.serving(zone(apex, TWO_NS.split("\n")), NS1, NS2);
            plan.server(NS1).refuse(apex);
            plan.server(NS2).refuse(apex, Type.SOA);
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(
                        reason(ReasonCode.NS_UNEXPECTED_RCODE, lab.at("ns1." + apex, NS1), "SOA " + apex + ": REFUSED"),
                        reason(ReasonCode.NS_UNEXPECTED_RCODE, lab.at("ns2." + apex, NS2), "SOA " + apex + ": REFUSED"),
                        noWorkingNs(apex, 2));
            }
        }

        @Test
        void noDelegation_NoDelegation() throws IOException {
            try (SiteLab lab = SiteLab.serving(zone("basic02.xa", TWO_NS.split("\n")), NS1, NS2).start()) {
                assertThat(lab.inspect("no-delegation.basic02.xa").reasons()).containsExactly(reason(ReasonCode.NO_SUCH_DOMAIN,
                        "no-delegation.basic02.xa", "NS no-delegation.basic02.xa via resolver: no such domain (NXDOMAIN)"));
            }
        }

        private Reason noWorkingNs(String apex, int asked) {
            String names = apex.startsWith("ns-no-ip") ? "ns1.ns-no-ip-2.basic02.xb, ns2.ns-no-ip-3.basic02.xb" : "ns1." + apex + ", ns2." + apex;
            return reason(ReasonCode.NO_WORKING_NS, apex, "none of the " + asked + " name server addresses that could be asked answered SOA "
                    + apex + " authoritatively (" + names + ")");
        }
    }

    /** ADDRESS01 (test-zone-specs/Address-TP/address01.md): name server addresses must be globally reachable. */
    @Nested
    class Address01 {
        private static final String REGISTRY4 = "IANA IPv4 Special-Purpose Address Registry";
        private static final String REGISTRY6 = "IANA IPv6 Special-Purpose Address Registry";

        @Test
        void mixedLocalDoc1_LocalUseAndDocumentationBesideAReachableAddress() throws IOException {
            String apex = "mixed-local-doc-1.address01.xa";
            String text = zone(apex, "@ 300 IN NS ns1.@", "@ 300 IN NS ns2.@",
                    "ns1.@ 300 IN A 192.168.11.31", "ns1.@ 300 IN A 127.0.0.2", // 2001:7fe::53 (i.root-servers.net) in the scenario
                    "ns2.@ 300 IN A 127.0.0.3", "ns2.@ 300 IN AAAA 2001:db8::127:11:1:32");
            try (SiteLab lab = SiteLab.serving(text, NS1, NS2).start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(
                        reason(ReasonCode.LOCAL_USE_ADDRESS, "NS ns1." + apex + " 192.168.11.31", "A ns1." + apex + " via resolver: 192.168.11.31 is in "
                                + "192.168.0.0/16 \"Private-Use\" [RFC1918] (" + REGISTRY4 + ", Globally Reachable: False)"),
                        reason(ReasonCode.DOCUMENTATION_ADDRESS, "NS ns2." + apex + " 2001:db8::127:11:1:32", "AAAA ns2." + apex
                                + " via resolver: 2001:db8::127:11:1:32 is in 2001:db8::/32 \"Documentation\" [RFC3849] (" + REGISTRY6
                                + ", Globally Reachable: False)"));
            }
        }

        @Test
        void mixedAll1_LocalUseDocumentationAndNotGloballyReachable() throws IOException {
            String apex = "mixed-all-1.address01.xa";
            String text = zone(apex, "@ 300 IN NS ns1.@", "@ 300 IN NS ns2.@",
                    "ns1.@ 300 IN A 172.16.0.31", "ns1.@ 300 IN A 127.0.0.2",
                    "ns2.@ 300 IN A 203.0.113.32", "ns2.@ 300 IN AAAA 2002::127:11:1:32");
            try (SiteLab lab = SiteLab.serving(text, NS1).start()) {
                SiteVerdict verdict = lab.inspect(apex);
                assertThat(verdict.reasons()).extracting(Reason::code, Reason::subject).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.LOCAL_USE_ADDRESS, "NS ns1." + apex + " 172.16.0.31"),
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.DOCUMENTATION_ADDRESS, "NS ns2." + apex + " 203.0.113.32"),
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.NOT_GLOBALLY_REACHABLE_ADDRESS, "NS ns2." + apex + " 2002::127:11:1:32"));
                assertThat(verdict.reasons().get(2).evidence()).isEqualTo("AAAA ns2." + apex + " via resolver: 2002::127:11:1:32 is in 2002::/16 "
                        + "\"6to4\" [RFC3056] (" + REGISTRY6 + ", Globally Reachable: N/A [3])");
            }
        }

        @Test
        void allNonReachable_NoGloballyReachableAddressSoNoWorkingNameServer() throws IOException {
            String apex = "all-non-reachable.address01.xa";
            String text = zone(apex, "@ 300 IN NS ns1.@", "@ 300 IN NS ns2.@", "@ 300 IN NS ns3.@",
                    "ns1.@ 300 IN A 10.0.0.31", "ns1.@ 300 IN AAAA 2001:2::127:11:1:31",
                    "ns2.@ 300 IN A 203.0.113.32", "ns2.@ 300 IN AAAA fc00::127:11:1:32",
                    "ns3.@ 300 IN A 192.0.0.33", "ns3.@ 300 IN AAAA 3fff::127:11:1:33");
            try (SiteLab lab = SiteLab.serving(text, NS1).start()) {
                SiteVerdict verdict = lab.inspect(apex);
                assertThat(verdict.reasons()).extracting(Reason::code, Reason::subject).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.NO_WORKING_NS, apex),
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.LOCAL_USE_ADDRESS, "NS ns1." + apex + " 10.0.0.31"),
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.LOCAL_USE_ADDRESS, "NS ns2." + apex + " fc00::127:11:1:32"),
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.DOCUMENTATION_ADDRESS, "NS ns2." + apex + " 203.0.113.32"),
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.DOCUMENTATION_ADDRESS, "NS ns3." + apex + " 3fff::127:11:1:33"),
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.NOT_GLOBALLY_REACHABLE_ADDRESS, "NS ns1." + apex + " 2001:2::127:11:1:31"),
                        org.assertj.core.groups.Tuple.tuple(ReasonCode.NOT_GLOBALLY_REACHABLE_ADDRESS, "NS ns3." + apex + " 192.0.0.33"));
                // Nothing was sent to any of those addresses: the lab's only server saw no query.
                assertThat(lab.servers().server(NS1).totalQueries()).isZero();
            }
        }

        @Test
        void noNameServers_NoNameServersFound() throws IOException {
            try (SiteLab lab = SiteLab.serving(zone("address01.xa", "@ 300 IN NS ns1.@", "ns1.@ 300 IN A 127.0.0.2"), NS1).start()) {
                assertThat(lab.inspect("no-name-servers.address01.xa").reasons()).extracting(Reason::code)
                        .containsExactly(ReasonCode.NO_SUCH_DOMAIN);
            }
        }
    }

    /**
     * CONSISTENCY06 (test-zone-specs/Consistency-TP/consistency06.md): one SOA MNAME on every server. A server
     * that does not answer is no disagreement (NO_RESPONSE, not MULTIPLE_SOA_MNAMES), but is lame here, and
     * when it is the MNAME, ZONE01 reports it too.
     */
    @Nested
    class Consistency06 {
        private static final String TWO_NS = """
                @ 300 IN NS ns1.@
                @ 300 IN NS ns2.@
                ns1.@ 300 IN A 127.0.0.2
                ns2.@ 300 IN A 127.0.0.3""";

        @Test
        void oneSoaMname1_isWellRun() throws IOException {
            String apex = "one-soa-mname-1.consistency06.xa";
            try (SiteLab lab = SiteLab.serving(zone(apex, TWO_NS.split("\n")), NS1, NS2).start()) {
                assertThat(lab.inspect(apex).judgement()).isEqualTo(Judgement.WELL_RUN);
            }
        }

        @Test
        void oneSoaMname2_theMnameServerDoesNotRespond_noMnameDisagreement() throws IOException {
            String apex = "one-soa-mname-2.consistency06.xa";
            SiteLab plan = SiteLab.serving(zone(apex, TWO_NS.split("\n")), NS1, NS2);
            plan.server(NS1).drop(apex);
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(
                        reason(ReasonCode.NS_NO_RESPONSE, lab.at("ns1." + apex, NS1), "SOA " + apex + ": no answer within 500 ms"),
                        reason(ReasonCode.MNAME_NO_RESPONSE, lab.at("ns1." + apex, NS1), "SOA " + apex + ": no answer within 500 ms"));
            }
        }

        @Test
        void oneSoaMname3_aServerAnswersWithoutSoa_noMnameDisagreement() throws IOException {
            String apex = "one-soa-mname-3.consistency06.xa";
            String text = zone(apex, TWO_NS.split("\n"));
            SiteLab plan = SiteLab.serving(text, NS1, NS2);
            plan.authoritative.put(NS1, dev.sekisho.testing.dns.Zone.parse(text.substring(text.indexOf('\n') + 1)));
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).extracting(Reason::code)
                        .containsExactly(ReasonCode.NS_NO_SOA, ReasonCode.MNAME_NO_SOA);
            }
        }

        @Test
        void multipleSoaMnames1_eachServerNamesItself() throws IOException {
            String apex = "multiple-soa-mnames-1.consistency06.xa";
            String text = zone(apex, TWO_NS.split("\n"));
            SiteLab plan = SiteLab.serving(text, NS1, NS2);
            plan.authoritative.put(NS2, dev.sekisho.testing.dns.Zone.parse(text.replace("SOA ns1.", "SOA ns2.")));
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).containsExactly(reason(ReasonCode.SOA_MNAME_MISMATCH, apex, "SOA " + apex
                        + ": MNAME ns1." + apex + " from " + lab.at("ns1." + apex, NS1) + "; MNAME ns2." + apex + " from " + lab.at("ns2." + apex, NS2)));
            }
        }

        @Test
        void multipleSoaMnames2_andAThirdServerThatDoesNotRespond() throws IOException {
            String apex = "multiple-soa-mnames-2.consistency06.xa";
            String text = zone(apex, (TWO_NS + "\n@ 300 IN NS ns3.@\nns3.@ 300 IN A 127.0.0.4").split("\n"));
            SiteLab plan = SiteLab.serving(text, NS1, NS2, NS3);
            plan.authoritative.put(NS2, dev.sekisho.testing.dns.Zone.parse(text.replace("SOA ns1.", "SOA ns2.")));
            plan.server(NS3).drop(apex);
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).extracting(Reason::code)
                        .containsExactly(ReasonCode.NS_NO_RESPONSE, ReasonCode.SOA_MNAME_MISMATCH);
            }
        }

        @Test
        void noResponse_noServerAnswers() throws IOException {
            String apex = "no-response.consistency06.xa";
            SiteLab plan = SiteLab.serving(zone(apex, TWO_NS.split("\n")), NS1, NS2);
            plan.server(NS1).drop(apex);
            plan.server(NS2).drop(apex);
            try (SiteLab lab = plan.start()) {
                assertThat(lab.inspect(apex).reasons()).extracting(Reason::code)
                        .containsExactly(ReasonCode.NS_NO_RESPONSE, ReasonCode.NS_NO_RESPONSE, ReasonCode.NO_WORKING_NS);
            }
        }
    }
}
