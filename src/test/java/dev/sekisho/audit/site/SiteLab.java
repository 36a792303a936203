package dev.sekisho.audit.site;

import dev.sekisho.audit.SpecialPurposeAddressRegistry;
import dev.sekisho.dns.NetworkResolver;
import dev.sekisho.testing.dns.LoopbackDnsServers;
import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;

import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small internet on 127.0.0.0/8 for site inspections: a recursive resolver on 127.0.0.1 (the view
 * every resolver would give), one authoritative server per address (127.0.0.2, 127.0.0.3...) on one
 * shared port, each with its own copy of the zone so a test can make one of them misbehave, a fake
 * SMTP server on {@link #MAIL} and nothing at all on {@link #DEAD}.
 */
final class SiteLab implements AutoCloseable {
    static final String NS1 = "127.0.0.2";
    static final String NS2 = "127.0.0.3";
    static final String NS3 = "127.0.0.4";
    static final String NS4 = "127.0.0.5";
    static final String MAIL = "127.0.0.20";
    static final String DEAD = "127.0.0.21";
    /** Deadline of each authoritative query and SMTP connect: only servers that deliberately stay silent reach it. */
    static final Duration TIMEOUT = Duration.ofMillis(500);

    final Zone recursive;
    final Map<String, Zone> authoritative = new LinkedHashMap<>();
    private TestDnsServer resolverServer;
    private LoopbackDnsServers servers;
    private FakeSmtpServer smtp;

    private SiteLab(Zone recursive) {
        this.recursive = recursive;
    }

    /**
     * A well-run domain: NS ns1 (127.0.0.2) and ns2 (127.0.0.3), SOA MNAME ns1, serial 1, MX 10 mail
     * (127.0.0.20, where the fake SMTP server listens), served alike by the resolver and by both servers.
     */
    static String wellRun(String domain) {
        return """
                D. 300 IN SOA ns1.D. hostmaster.D. 1 3600 600 86400 300
                D. 300 IN NS ns1.D.
                D. 300 IN NS ns2.D.
                ns1.D. 300 IN A 127.0.0.2
                ns2.D. 300 IN A 127.0.0.3
                D. 300 IN MX 10 mail.D.
                mail.D. 300 IN A 127.0.0.20
                """.replace("D.", domain + ".");
    }

    /** The resolver and the servers on the given addresses all serve this master-file text (each its own copy). */
    static SiteLab serving(String zoneText, String... serverAddresses) {
        SiteLab lab = new SiteLab(Zone.parse(zoneText));
        for (String address : serverAddresses) lab.authoritative.put(address, Zone.parse(zoneText));
        return lab;
    }

    /** The zone of the server on this address, to change before {@link #start()}. */
    Zone server(String address) {
        Zone zone = authoritative.get(address);
        if (zone == null) throw new IllegalArgumentException("no server planned on " + address);
        return zone;
    }

    SiteLab start() throws IOException {
        resolverServer = TestDnsServer.start(recursive);
        servers = LoopbackDnsServers.start(authoritative);
        smtp = FakeSmtpServer.start(MAIL);
        return this;
    }

    int dnsPort() {
        return servers.port();
    }

    int smtpPort() {
        return smtp.port();
    }

    LoopbackDnsServers servers() {
        return servers;
    }

    FakeSmtpServer smtp() {
        return smtp;
    }

    TestDnsServer resolverServer() {
        return resolverServer;
    }

    /** {@code host@address:dnsPort}, as reasons name an authoritative server. */
    String at(String host, String address) {
        return host + "@" + address + ":" + dnsPort();
    }

    SiteInspector inspector(InstantSource clock) {
        return inspector(clock, smtpPort());
    }

    /** An inspector that connects to the MX hosts on this port instead of the fake SMTP server's. */
    SiteInspector inspector(InstantSource clock, int smtpPort) {
        NetworkResolver resolver = new NetworkResolver(NetworkResolver.Settings.of(List.of(resolverServer.hostPort()))
                .withTimeout(Duration.ofSeconds(2)));
        // 127.0.0.0/24 stands for the public internet here; the rest of 127/8 is still loopback, for the loopback cases.
        return new SiteInspector(resolver, new SiteInspector.Settings(dnsPort(), smtpPort, TIMEOUT,
                List.of(SpecialPurposeAddressRegistry.parseBlock("127.0.0.0/24"))), SpecialPurposeAddressRegistry.bundled(), clock);
    }

    SiteVerdict inspect(String name) {
        return inspector(InstantSource.system()).inspect(name);
    }

    @Override
    public void close() throws IOException {
        if (resolverServer != null) resolverServer.close();
        if (servers != null) servers.close();
        if (smtp != null) smtp.close();
    }
}
