package dev.sekisho.dmarc;

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

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The resolver adapter to the TxtLookup seam, through the real resolver against the in-process DNS server. */
class DnsTxtLookupTest {
    private static TestDnsServer server;
    private static NetworkResolver network;
    private static NetworkResolver impatient;

    @BeforeAll
    static void start() throws Exception {
        server = TestDnsServer.start(Zone.empty()
                .txt("_dmarc.example.com", "v=DMARC1; p=reject; ", "rua=mailto:d@example.com")
                .txt("_dmarc.example.com", "google-site-verification=abc")
                .a("nodata.example.com", "192.0.2.1")
                .servfail("_dmarc.broken.example", Type.TXT)
                .drop("_dmarc.silent.example", Type.TXT)
                // The tree walk: no record at the author domain, one at the organisational domain.
                .txt("_dmarc.example.org", "v=DMARC1; p=quarantine; sp=reject; np=reject")
                .a("mail.news.example.org", "192.0.2.2"));
        // Answers come back at once, so a generous deadline costs nothing and holds on a loaded machine;
        // only the query the server drops waits out its (short) deadline.
        network = new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort())).withTimeout(Duration.ofSeconds(5)));
        impatient = new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort())).withTimeout(Duration.ofMillis(300)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static DnsTxtLookup lookup() {
        return new DnsTxtLookup(network);
    }

    @Test
    void recordsAreJoinedFromTheirCharacterStringsOnePerRecord() {
        assertThat(lookup().txt("_dmarc.example.com")).isInstanceOfSatisfying(TxtLookup.Answer.Records.class, r ->
                assertThat(r.texts()).containsExactlyInAnyOrder("v=DMARC1; p=reject; rua=mailto:d@example.com", "google-site-verification=abc"));
    }

    @Test
    void noDataIsNoRecordsAndNxdomainIsNoSuchDomain() {
        assertThat(lookup().txt("nodata.example.com")).isInstanceOf(TxtLookup.Answer.NoRecords.class);
        assertThat(lookup().txt("_dmarc.nowhere.example")).isInstanceOf(TxtLookup.Answer.NoSuchDomain.class);
    }

    @Test
    void cachedNoDataIsStillNoRecords() {
        DnsResolver cached = new CachingResolver(network, new MutableClock(java.time.Instant.parse("2026-12-01T00:00:00Z")));
        DnsTxtLookup lookup = new DnsTxtLookup(cached);
        assertThat(lookup.txt("nodata.example.com")).isInstanceOf(TxtLookup.Answer.NoRecords.class);
        assertThat(lookup.txt("nodata.example.com")).isInstanceOf(TxtLookup.Answer.NoRecords.class);
        assertThat(lookup.txt("_dmarc.nowhere.example")).isInstanceOf(TxtLookup.Answer.NoSuchDomain.class);
        assertThat(lookup.txt("_dmarc.nowhere.example")).isInstanceOf(TxtLookup.Answer.NoSuchDomain.class);
    }

    @Test
    void serverFailureAndTimeoutAreTemporaryFailuresNamingTheQuery() {
        assertThat(lookup().txt("_dmarc.broken.example")).isInstanceOfSatisfying(TxtLookup.Answer.TemporaryFailure.class, f ->
                assertThat(f.reason()).startsWith("server failure at _dmarc.broken.example TXT: SERVFAIL"));
        assertThat(new DnsTxtLookup(impatient).txt("_dmarc.silent.example")).isInstanceOfSatisfying(TxtLookup.Answer.TemporaryFailure.class, f ->
                assertThat(f.reason()).startsWith("timeout at _dmarc.silent.example TXT after"));
    }

    @Test
    void aNameThatCannotBeADnsNameIsNoSuchDomainWithoutAQuery() {
        int before = server.totalQueries();
        assertThat(lookup().txt("a..example.com")).isInstanceOf(TxtLookup.Answer.NoSuchDomain.class);
        assertThat(lookup().txt("x".repeat(64) + ".example.com")).isInstanceOf(TxtLookup.Answer.NoSuchDomain.class);
        assertThat(server.totalQueries()).isEqualTo(before);
    }

    @Test
    void discoveryFetchesAndWalksTheTreeThroughTheResolver() {
        DmarcDiscovery discovery = new DmarcDiscovery(lookup());
        assertThat(discovery.fetch("example.com")).isInstanceOfSatisfying(DmarcDiscovery.Fetch.Found.class, f -> {
            assertThat(f.record().policy()).isEqualTo(Policy.REJECT);
            assertThat(f.record().aggregateReports()).extracting(ReportUri::text).containsExactly("mailto:d@example.com");
        });
        DmarcDiscovery.Discovery walk = discovery.discover("mail.news.example.org");
        assertThat(walk).isInstanceOfSatisfying(DmarcDiscovery.Discovery.Found.class, f -> {
            assertThat(f.policyDomain()).isEqualTo("example.org");
            assertThat(f.source()).isEqualTo(DmarcDiscovery.Source.ORGANIZATIONAL_DOMAIN);
            assertThat(f.applicablePolicy(true)).isEqualTo(Policy.REJECT);
        });
        assertThat(walk.queried()).containsExactly("_dmarc.mail.news.example.org", "_dmarc.news.example.org", "_dmarc.example.org", "_dmarc.org");
        assertThat(discovery.discover("broken.example")).isInstanceOf(DmarcDiscovery.Discovery.TemporaryFailure.class);
    }
}
