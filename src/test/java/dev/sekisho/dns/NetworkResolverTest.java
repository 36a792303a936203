package dev.sekisho.dns;

import dev.sekisho.testing.dns.TestDnsServer;
import dev.sekisho.testing.dns.Zone;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkResolverTest implements DnsResolverContract {

    @Override
    public DnsResolver resolver(NetworkResolver.Settings network) {
        return new NetworkResolver(network);
    }

    @Test
    void theNextServerIsAskedWhenOneDoesNotAnswerOrFails() throws Exception {
        try (TestDnsServer silent = TestDnsServer.start(Zone.empty().a("example.com", "192.0.2.1").drop("example.com"));
             TestDnsServer failing = TestDnsServer.start(Zone.empty().a("example.com", "192.0.2.1").servfail("example.com"));
             TestDnsServer good = TestDnsServer.start(Zone.empty().a("example.com", "192.0.2.1"))) {
            NetworkResolver resolver = new NetworkResolver(
                    NetworkResolver.Settings.of(List.of(silent.hostPort(), failing.hostPort(), good.hostPort())).withTimeout(Duration.ofMillis(900)));
            assertThat(resolver.lookup("example.com", RecordType.A)).isInstanceOf(DnsOutcome.Answer.class);
            assertThat(silent.queries("example.com", Type.A)).isEqualTo(1);
            assertThat(failing.queries("example.com", Type.A)).isEqualTo(1);
        }
    }

    @Test
    void whenEveryServerFailsTheFailureIsReported() throws Exception {
        try (TestDnsServer failing = TestDnsServer.start(Zone.empty().servfail("example.com"))) {
            NetworkResolver resolver = new NetworkResolver(NetworkResolver.Settings.of(List.of(failing.hostPort(), failing.hostPort())));
            assertThat(resolver.lookup("example.com", RecordType.A)).isInstanceOf(DnsOutcome.ServerFailure.class);
            assertThat(failing.queries("example.com", Type.A)).isEqualTo(2);
        }
    }

    @Test
    void aSlotInFlightIsGivenBackWhateverTheOutcome() throws Exception {
        Zone zone = Zone.empty().a("ok.example.com", "192.0.2.1").drop("slow.example.com").servfail("bad.example.com");
        try (TestDnsServer server = TestDnsServer.start(zone)) {
            NetworkResolver resolver = new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort()))
                    .withTimeout(Duration.ofMillis(200)).withMaxInFlight(1));
            assertThat(resolver.lookup("slow.example.com", RecordType.A)).isInstanceOf(DnsOutcome.Timeout.class);
            assertThat(resolver.lookup("bad.example.com", RecordType.A)).isInstanceOf(DnsOutcome.ServerFailure.class);
            assertThat(resolver.lookup("none.example.com", RecordType.A)).isInstanceOf(DnsOutcome.NoSuchDomain.class);
            assertThat(resolver.lookup("ok.example.com", RecordType.A)).isInstanceOf(DnsOutcome.Answer.class);
        }
    }

    @Test
    void aPortWithNothingListeningIsAFailureNotAnException() {
        // Port 9 (discard) on loopback: nothing listens there in the test environment, or it never answers.
        NetworkResolver resolver = new NetworkResolver(new NetworkResolver.Settings(List.of(new InetSocketAddress("127.0.0.1", 9)),
                Duration.ofMillis(300), 4, 8));
        assertThat(resolver.lookup("example.com", RecordType.A).isTemporaryFailure()).isTrue();
    }

    @Test
    void resolverAddressesAreHostAndOptionalPort() {
        assertThat(ResolverAddress.parse("192.0.2.53")).isEqualTo(new InetSocketAddress("192.0.2.53", 53));
        assertThat(ResolverAddress.parse("127.0.0.1:5353")).isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(ResolverAddress.parse("[::1]:5353").getPort()).isEqualTo(5353);
        assertThat(ResolverAddress.parse("2001:db8::53").getPort()).isEqualTo(53);
        assertThatThrownBy(() -> ResolverAddress.parse("dns.example.com")).hasMessageContaining("the host must be an IP address, was \"dns.example.com\"");
        assertThatThrownBy(() -> ResolverAddress.parse("127.0.0.1:99999")).hasMessageContaining("port must be 1..65535, was 99999");
        assertThatThrownBy(() -> ResolverAddress.parse("")).hasMessageContaining("empty");
        assertThat(ResolverAddress.format(ResolverAddress.parse("[2001:db8::53]:5353"))).as("RFC 5952, as in the docs").isEqualTo("[2001:db8::53]:5353");
        assertThat(ResolverAddress.format(ResolverAddress.parse("192.0.2.53"))).isEqualTo("192.0.2.53:53");
    }

    @Test
    void settingsRejectNonsenseWithTheValueNamed() {
        assertThatThrownBy(() -> new NetworkResolver.Settings(List.of(), Duration.ofSeconds(1), 1, 1)).hasMessageContaining("at least one");
        assertThatThrownBy(() -> NetworkResolver.Settings.of(List.of("127.0.0.1")).withTimeout(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> NetworkResolver.Settings.of(List.of("127.0.0.1")).withMaxInFlight(0)).hasMessageContaining("was 0");
    }

    @Test
    void noMoreQueriesThanTheBoundAreOnTheWire() throws Exception {
        Zone zone = Zone.empty().a("ok.example.com", "192.0.2.1").drop("slow.example.com");
        try (TestDnsServer server = TestDnsServer.start(zone)) {
            NetworkResolver resolver = new NetworkResolver(NetworkResolver.Settings.of(List.of(server.hostPort()))
                    .withTimeout(Duration.ofSeconds(2)).withMaxInFlight(1));
            var slow = java.util.concurrent.CompletableFuture.supplyAsync(() -> resolver.lookup("slow.example.com", RecordType.A),
                    java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            awaitCondition(() -> server.queries("slow.example.com", Type.A) == 1);
            assertThat(resolver.queriesInFlight()).isEqualTo(1);

            var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> resolver.lookup("ok.example.com", RecordType.A),
                    java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            awaitCondition(() -> resolver.lookupsWaitingForSlot() == 1);
            // the second lookup waits for the slot: it has not reached the server while the first holds it
            assertThat(server.queries("ok.example.com", Type.A)).isZero();
            assertThat(slow.join()).isInstanceOf(DnsOutcome.Timeout.class);
            assertThat(second.join()).isInstanceOfAny(DnsOutcome.Answer.class, DnsOutcome.Timeout.class);
            assertThat(resolver.queriesInFlight()).isZero();
        }
    }

    /** Waits for a condition another thread brings about (not for time to pass); gives up after 10 s so a bug cannot hang the build. */
    private static void awaitCondition(java.util.function.BooleanSupplier condition) {
        long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > giveUp) throw new AssertionError("condition not reached");
            Thread.onSpinWait();
        }
    }
}
