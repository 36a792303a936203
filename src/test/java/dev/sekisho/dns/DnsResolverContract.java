package dev.sekisho.dns;

import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link DnsResolver} must do, checked against the in-process DNS server over real sockets.
 * An implementation's test class implements this and builds its resolver on the network settings given.
 */
public interface DnsResolverContract {

    Duration DEADLINE = Duration.ofMillis(700);

    DnsResolver resolver(NetworkResolver.Settings network);

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static NetworkResolver.Settings settings(TestDnsServer server) {
        return NetworkResolver.Settings.of(List.of(server.hostPort())).withTimeout(DEADLINE);
    }

    interface ServerTest {
        void run(TestDnsServer server, DnsResolver resolver) throws Exception;
    }

    private void with(Zone zone, ServerTest test) throws Exception {
        try (TestDnsServer server = TestDnsServer.start(zone)) {
            test.run(server, resolver(settings(server)));
        }
    }

    @Test
    default void answersCarryDecodedRecordsAndTheirTtl() throws Exception {
        Zone zone = Zone.empty().ttl(Duration.ofSeconds(120))
                .a("mail.example.com", "192.0.2.1", "192.0.2.2")
                .aaaa("mail.example.com", "2001:db8::25")
                .mx("example.com", 10, "mail.example.com")
                .txt("example.com", "v=spf1 ", "-all")
                .ptr("1.2.0.192.in-addr.arpa", "mail.example.com");
        with(zone, (server, resolver) -> {
            DnsOutcome a = resolver.lookup("mail.example.com", RecordType.A);
            assertThat(a).isInstanceOfSatisfying(DnsOutcome.Answer.class, answer -> {
                assertThat(answer.records(DnsRecord.Address.class)).extracting(DnsRecord.Address::address)
                        .containsExactlyInAnyOrder(ip("192.0.2.1"), ip("192.0.2.2"));
                assertThat(answer.ttl()).isEqualTo(Duration.ofSeconds(120));
                assertThat(answer.cnameChain()).isEmpty();
            });
            assertThat(resolver.lookup("mail.example.com", RecordType.AAAA)).isInstanceOfSatisfying(DnsOutcome.Answer.class,
                    answer -> assertThat(answer.records()).containsExactly(new DnsRecord.Address(ip("2001:db8::25"))));
            assertThat(resolver.lookup("example.com.", RecordType.MX)).isInstanceOfSatisfying(DnsOutcome.Answer.class,
                    answer -> assertThat(answer.records()).containsExactly(new DnsRecord.Mx(10, "mail.example.com")));
            assertThat(resolver.lookup("Example.COM", RecordType.TXT)).isInstanceOfSatisfying(DnsOutcome.Answer.class, answer -> {
                assertThat(answer.name()).isEqualTo("Example.COM");
                assertThat(answer.records(DnsRecord.Txt.class)).singleElement().satisfies(txt -> {
                    assertThat(txt.strings()).containsExactly("v=spf1 ", "-all");
                    assertThat(txt.text()).isEqualTo("v=spf1 -all");
                });
            });
            assertThat(resolver.lookup("1.2.0.192.in-addr.arpa", RecordType.PTR)).isInstanceOfSatisfying(DnsOutcome.Answer.class,
                    answer -> assertThat(answer.records()).containsExactly(new DnsRecord.Ptr("mail.example.com")));
        });
    }

    @Test
    default void aNameWithoutRecordsOfTheTypeIsNoDataWithTheNegativeTtlOfTheSoa() throws Exception {
        with(Zone.empty().negativeTtl(Duration.ofSeconds(45)).a("example.com", "192.0.2.1"), (server, resolver) -> {
            assertThat(resolver.lookup("example.com", RecordType.TXT))
                    .isEqualTo(new DnsOutcome.NoData("example.com", RecordType.TXT, Duration.ofSeconds(45)));
            // an empty non-terminal exists too (RFC 8020): no data, not no such domain
            assertThat(resolver.lookup("com", RecordType.TXT)).isInstanceOf(DnsOutcome.NoData.class);
        });
    }

    @Test
    default void aNameThatDoesNotExistIsNoSuchDomain() throws Exception {
        with(Zone.empty().negativeTtl(Duration.ofSeconds(30)).a("example.com", "192.0.2.1"), (server, resolver) ->
                assertThat(resolver.lookup("nothing.example.com", RecordType.A))
                        .isEqualTo(new DnsOutcome.NoSuchDomain("nothing.example.com", RecordType.A, Duration.ofSeconds(30))));
    }

    @Test
    default void servfailIsAServerFailureNotNoData() throws Exception {
        with(Zone.empty().a("broken.example.com", "192.0.2.1").servfail("broken.example.com"), (server, resolver) -> {
            DnsOutcome outcome = resolver.lookup("broken.example.com", RecordType.A);
            assertThat(outcome).isInstanceOfSatisfying(DnsOutcome.ServerFailure.class,
                    f -> assertThat(f.reason()).contains("SERVFAIL"));
            assertThat(outcome.isTemporaryFailure()).isTrue();
        });
    }

    @Test
    default void aServerThatDoesNotAnswerIsATimeoutWithinTheDeadline() throws Exception {
        with(Zone.empty().a("slow.example.com", "192.0.2.1").drop("slow.example.com", Type.A), (server, resolver) -> {
            long started = System.nanoTime();
            DnsOutcome outcome = resolver.lookup("slow.example.com", RecordType.A);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(outcome).isInstanceOf(DnsOutcome.Timeout.class);
            assertThat(outcome.isTemporaryFailure()).isTrue();
            assertThat(took).isGreaterThanOrEqualTo(DEADLINE).isLessThan(DEADLINE.multipliedBy(3));
            // only the dropped type times out
            assertThat(resolver.lookup("slow.example.com", RecordType.TXT)).isInstanceOf(DnsOutcome.NoData.class);
        });
    }

    @Test
    default void aTruncatedUdpAnswerIsAskedAgainOverTcp() throws Exception {
        with(Zone.empty().txt("big.example.com", "v=spf1 -all").truncateUdp("big.example.com"), (server, resolver) -> {
            assertThat(resolver.lookup("big.example.com", RecordType.TXT)).isInstanceOf(DnsOutcome.Answer.class);
            assertThat(server.queries("big.example.com", Type.TXT, TestDnsServer.Transport.UDP)).isEqualTo(1);
            assertThat(server.queries("big.example.com", Type.TXT, TestDnsServer.Transport.TCP)).isEqualTo(1);
        });
    }

    @Test
    default void anAnswerTooLargeForUdpArrivesWhole() throws Exception {
        Zone zone = Zone.empty();
        for (int i = 0; i < 40; i++) zone.txt("large.example.com", "record number " + i + " padded out to make the answer long");
        with(zone, (server, resolver) -> assertThat(resolver.lookup("large.example.com", RecordType.TXT))
                .isInstanceOfSatisfying(DnsOutcome.Answer.class, a -> assertThat(a.records()).hasSize(40)));
    }

    @Test
    default void cnameChainsAreFollowed() throws Exception {
        Zone zone = Zone.empty().cname("www.example.com", "web.example.com").cname("web.example.com", "host.example.net")
                .a("host.example.net", "192.0.2.80");
        with(zone, (server, resolver) -> {
            assertThat(resolver.lookup("www.example.com", RecordType.A)).isInstanceOfSatisfying(DnsOutcome.Answer.class, a -> {
                assertThat(a.name()).isEqualTo("www.example.com");
                assertThat(a.canonicalName()).isEqualTo("host.example.net");
                assertThat(a.cnameChain()).containsExactly("www.example.com", "web.example.com");
                assertThat(a.records()).containsExactly(new DnsRecord.Address(ip("192.0.2.80")));
            });
            assertThat(resolver.lookup("www.example.com", RecordType.MX)).isInstanceOf(DnsOutcome.NoData.class);
            assertThat(resolver.lookup("www.example.com", RecordType.CNAME)).isInstanceOfSatisfying(DnsOutcome.Answer.class,
                    a -> assertThat(a.records()).containsExactly(new DnsRecord.Cname("web.example.com")));
        });
    }

    @Test
    default void aCnameToANameThatDoesNotExistIsNoSuchDomain() throws Exception {
        with(Zone.empty().cname("alias.example.com", "gone.example.com"), (server, resolver) ->
                assertThat(resolver.lookup("alias.example.com", RecordType.A)).isInstanceOf(DnsOutcome.NoSuchDomain.class));
    }

    @Test
    default void cnameLoopsAndOverlongChainsAreServerFailures() throws Exception {
        Zone zone = Zone.empty().cname("loop1.example.com", "loop2.example.com").cname("loop2.example.com", "LOOP1.example.com");
        for (int i = 0; i < 12; i++) zone.cname("c" + i + ".example.com", "c" + (i + 1) + ".example.com");
        zone.a("c12.example.com", "192.0.2.12");
        with(zone, (server, resolver) -> {
            assertThat(resolver.lookup("loop1.example.com", RecordType.A)).isInstanceOfSatisfying(DnsOutcome.ServerFailure.class,
                    f -> assertThat(f.reason()).contains("CNAME loop"));
            assertThat(resolver.lookup("c0.example.com", RecordType.A)).isInstanceOfSatisfying(DnsOutcome.ServerFailure.class,
                    f -> assertThat(f.reason()).contains("CNAME chain longer than 8"));
            assertThat(resolver.lookup("c5.example.com", RecordType.A)).isInstanceOf(DnsOutcome.Answer.class);
        });
    }

    @Test
    default void aNameThatCannotBeADomainNameIsRefusedBeforeAnyQuery() throws Exception {
        with(Zone.empty(), (server, resolver) -> {
            assertThatThrownBy(() -> resolver.lookup("a..example.com", RecordType.A))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty label");
            assertThatThrownBy(() -> resolver.lookup("x".repeat(64) + ".example.com", RecordType.A))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 63");
            assertThat(server.totalQueries()).isZero();
        });
    }

}
