package dev.sekisho.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sekisho.bench.LoadSettings.MixSize;

class LoadGeneratorTest {

    private DunnoServer dunnoServer;

    @BeforeEach
    void startDunnoServer() throws IOException {
        dunnoServer = DunnoServer.start(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    @AfterEach
    void stopDunnoServer() throws IOException {
        dunnoServer.close();
    }

    @Test
    void encodesARequestExactlyAsPostfix37SendsIt() {
        GeneratedRequest request = new GeneratedRequest("203.0.113.7", 32844, "smoke.example.org", "x@example.org",
                "greylist01@example.test", "1922.6b028ea8.414b4.0", "mx");

        assertThat(new String(request.encode(), StandardCharsets.UTF_8)).isEqualTo("""
                request=smtpd_access_policy
                protocol_state=RCPT
                protocol_name=ESMTP
                client_address=203.0.113.7
                client_name=unknown
                reverse_client_name=unknown
                client_port=32844
                helo_name=smoke.example.org
                sender=x@example.org
                recipient=greylist01@example.test
                recipient_count=0
                queue_id=
                instance=1922.6b028ea8.414b4.0
                size=0
                etrn_domain=
                stress=
                sasl_method=
                sasl_username=
                sasl_sender=
                ccert_subject=
                ccert_issuer=
                ccert_fingerprint=
                ccert_pubkey_fingerprint=
                encryption_protocol=
                encryption_cipher=
                encryption_keysize=0
                server_address=127.0.0.1
                server_port=25
                policy_context=mx

                """);
    }

    @Test
    void nullSenderIsAnEmptyValue() {
        GeneratedRequest bounce = new GeneratedRequest("198.51.100.1", 1025, "h", "", "u@example.test", "1.2.3.0", "mx");

        assertThat(new String(bounce.encode(), StandardCharsets.UTF_8)).contains("\nsender=\nrecipient=u@example.test\n");
    }

    @Test
    void repliesInPiecesAndWithOtherAttributesAreCountedByAction() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        try (ScriptedPolicyServer server = new ScriptedPolicyServer((connection, request) -> answered.getAndIncrement() % 2 == 0
                ? List.of(ascii("reason=greylis"), ascii("ted\r\naction=DEFER_IF"), ascii("_PERMIT Greylisted, try later\r"), ascii("\n\r\n"))
                : List.of(ascii("action=dunno\n"), ascii("\n")))) {
            LoadReport report = new LoadGenerator(fill(server.address(), 3, 300), Optional.empty(), 2).run();

            assertThat(report.errors()).isZero();
            assertThat(report.replies()).isEqualTo(300);
            assertThat(report.latency().count()).isEqualTo(300);
            assertThat(report.micros(0.5)).isPositive();
            assertThat(report.repliesByAction()).containsExactly(Map.entry("DEFER_IF_PERMIT", 150L), Map.entry("DUNNO", 150L));
            assertThat(server.requestsByConnection()).hasSize(3).allSatisfy(requests -> assertThat(requests).hasSize(100));
        }
    }

    @Test
    void garbageAndClosedConnectionsAreErrorsAndTheTripletIsSentAgainOnANewConnection() throws Exception {
        // Connection 0 answers two requests, then a greeting that is no policy reply; connection 1
        // answers one and then closes without a reply; connection 2 answers everything.
        try (ScriptedPolicyServer server = new ScriptedPolicyServer((connection, request) -> {
            if (connection == 0 && request == 2) return List.of(ascii("220 mail.example.test ESMTP\n\n"));
            if (connection == 1 && request == 1) return null;
            return List.of(ascii("action=DUNNO\n\n"));
        })) {
            LoadReport report = new LoadGenerator(fill(server.address(), 1, 20)).run();

            assertThat(report.errors()).isEqualTo(2);
            assertThat(report.replies()).isEqualTo(20);
            assertThat(report.repliesByAction()).containsExactly(Map.entry("DUNNO", 20L));
            TrafficMix mix = new TrafficMix(1, 5_000, 2_000, "mx");
            List<List<byte[]>> received = server.requestsByConnection();
            assertThat(received).hasSize(3);
            assertThat(received.get(0)).containsExactly(encodedTriplets(mix, 0, 3));
            assertThat(received.get(1)).containsExactly(encodedTriplets(mix, 2, 4));
            assertThat(received.get(2)).containsExactly(encodedTriplets(mix, 3, 20));
        }
    }

    @Test
    void eachConnectionSendsItsOwnPartOfTheSeededSequence() throws Exception {
        try (ScriptedPolicyServer server = new ScriptedPolicyServer((connection, request) -> List.of(ascii("action=DUNNO\n\n")))) {
            LoadSettings settings = new LoadSettings(server.address(), 3, Duration.ZERO, Duration.ofSeconds(30), 150, 0, 1,
                    new MixSize(5_000, 2_000), "mx", Duration.ofSeconds(5));
            LoadReport report = new LoadGenerator(settings, Optional.empty(), 2).run(); // connections 0 and 2 on one thread, 1 on the other

            assertThat(report.replies()).isEqualTo(150);
            // Connection i draws from the seed's i-th split, so its requests are that sequence's first ones, in order.
            TrafficMix mix = new TrafficMix(1, 5_000, 2_000, "mx");
            SplittableRandom seeds = new SplittableRandom(1);
            List<List<byte[]>> sequences = IntStream.range(0, 3).mapToObj(i -> {
                SplittableRandom random = seeds.split();
                return IntStream.range(0, 1_000).mapToObj(k -> mix.next(random).encode()).toList();
            }).toList();
            List<List<byte[]>> received = server.requestsByConnection();
            assertThat(received).hasSize(3);
            Set<Integer> matched = new HashSet<>();
            for (List<byte[]> requests : received) {
                assertThat(requests.size()).isBetween(50, 1_000);
                int sequence = IntStream.range(0, 3).filter(i -> Arrays.equals(sequences.get(i).get(0), requests.get(0))).findFirst().orElse(-1);
                assertThat(sequence).as("the first request is the first of one connection's sequence").isNotNegative();
                assertThat(requests).containsExactlyElementsOf(sequences.get(sequence).subList(0, requests.size()));
                matched.add(sequence);
            }
            assertThat(matched).containsExactlyInAnyOrder(0, 1, 2);
        }
    }

    @Test
    void dunnoServerAnswersEachRequestWithExactlyDunnoAndAnEmptyLine() throws IOException {
        byte[] request = new TrafficMix(7, 100, 100, "mx").next(new SplittableRandom(7)).encode();
        byte[] twoRequestsInOneWrite = new byte[request.length * 2];
        System.arraycopy(request, 0, twoRequestsInOneWrite, 0, request.length);
        System.arraycopy(request, 0, twoRequestsInOneWrite, request.length, request.length);

        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), dunnoServer.address().getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(request);
            assertThat(new String(in.readNBytes(14), StandardCharsets.US_ASCII)).isEqualTo("action=DUNNO\n\n");
            out.write(twoRequestsInOneWrite);
            assertThat(new String(in.readNBytes(28), StandardCharsets.US_ASCII)).isEqualTo("action=DUNNO\n\naction=DUNNO\n\n");
        }
    }

    @Test
    void boundedRunAgainstDunnoServerCountsEveryReply() throws Exception {
        LoadReport report = new LoadGenerator(settings(4, 2_000, 0)).run();

        assertThat(report.errors()).isZero();
        assertThat(report.replies()).isEqualTo(2_000);
        assertThat(report.repliesByAction()).containsExactly(Map.entry("DUNNO", 2_000L));
        assertThat(report.requestsPerSecond()).isPositive();
        assertThat(report.micros(0.5)).isPositive().isLessThanOrEqualTo(report.micros(0.99));
        assertThat(report.toKeyValues()).startsWith("target=127.0.0.1:" + dunnoServer.address().getPort() + " concurrency=4 ")
                .contains(" replies=2000 errors=0 ").endsWith(" actions=DUNNO:2000");
    }

    @Test
    void chargesTheTargetProcessTreesCpuToTheMeasuredRequests() throws Exception {
        // The DUNNO server runs in this JVM, so this process is the target.
        ProcessTreeCpu thisProcess = new ProcessTreeCpu(ProcessHandle.current().pid());

        LoadReport report = new LoadGenerator(settings(2, 5_000, 0), Optional.of(thisProcess), 1).run();

        assertThat(report.targetCpu()).hasValueSatisfying(cpu -> assertThat(cpu).isPositive());
        assertThat(report.toKeyValues()).containsPattern(" cpu_us_per_req=[0-9.]+ generator_cpu_us_per_req=[0-9.]+ ");
        assertThat(new LoadGenerator(settings(1, 10, 0)).run().toKeyValues()).contains(" cpu_us_per_req=n/a ");
    }

    @Test
    void fillModeSendsExactlyTheAskedNumberOfTriplets() throws Exception {
        LoadReport report = new LoadGenerator(settings(3, 0, 1_000)).run();

        assertThat(report.errors()).isZero();
        assertThat(report.replies()).isEqualTo(1_000);
    }

    @Test
    void fillTripletsAreDistinct() {
        TrafficMix mix = new TrafficMix(1, 1_000, 1_000, "mx");
        Set<List<String>> triplets = new HashSet<>();
        for (long i = 0; i < 20_000; i++) {
            GeneratedRequest r = mix.distinctTriplet(i);
            triplets.add(List.of(r.clientAddress(), r.sender(), r.recipient()));
        }
        assertThat(triplets).hasSize(20_000);
    }

    @Test
    void theMixIsFixedByTheSeed() {
        List<GeneratedRequest> first = requests(new TrafficMix(42, 50_000, 20_000, "mx"), 42);
        List<GeneratedRequest> second = requests(new TrafficMix(42, 50_000, 20_000, "mx"), 42);
        List<GeneratedRequest> otherSeed = requests(new TrafficMix(43, 50_000, 20_000, "mx"), 43);

        assertThat(first).isEqualTo(second).isNotEqualTo(otherSeed);
        assertThat(first).anyMatch(r -> r.sender().isEmpty()).anyMatch(r -> r.clientAddress().contains(":"));
        assertThat(first.stream().map(GeneratedRequest::clientAddress).distinct().count()).isGreaterThan(500);
    }

    @Test
    void histogramQuantilesAreWithinOneThirtySecondAbove() {
        LatencyHistogram histogram = new LatencyHistogram();
        IntStream.rangeClosed(1, 100_000).forEach(micros -> histogram.record(micros * 1_000L));

        assertThat(histogram.count()).isEqualTo(100_000);
        assertThat(histogram.valueAtQuantile(0.5)).isBetween(50_000_000L, 50_000_000L + 50_000_000L / 32);
        assertThat(histogram.valueAtQuantile(0.99)).isBetween(99_000_000L, 99_000_000L + 99_000_000L / 32);
        assertThat(histogram.valueAtQuantile(1.0)).isEqualTo(100_000_000L);
        for (long value : new long[] {0, 1, 31, 32, 33, 63, 64, 1_000, 123_456_789, Long.MAX_VALUE}) {
            int bucket = LatencyHistogram.bucketOf(value);
            assertThat(LatencyHistogram.highestValueIn(bucket)).as("bucket of %d", value).isGreaterThanOrEqualTo(value);
            if (bucket > 0) assertThat(LatencyHistogram.highestValueIn(bucket - 1)).as("bucket below %d", value).isLessThan(value);
        }
    }

    private static LoadSettings fill(InetSocketAddress target, int concurrency, long triplets) {
        return new LoadSettings(target, concurrency, Duration.ZERO, Duration.ofSeconds(30), 0, triplets, 1,
                new MixSize(5_000, 2_000), "mx", Duration.ofSeconds(5));
    }

    private static byte[][] encodedTriplets(TrafficMix mix, long from, long to) {
        return LongStream.range(from, to).mapToObj(i -> mix.distinctTriplet(i).encode()).toArray(byte[][]::new);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private LoadSettings settings(int concurrency, long requests, long fillTriplets) {
        return new LoadSettings(dunnoServer.address(), concurrency, Duration.ZERO, Duration.ofSeconds(30), requests,
                fillTriplets, 1, new MixSize(5_000, 2_000), "mx", Duration.ofSeconds(5));
    }

    private static List<GeneratedRequest> requests(TrafficMix mix, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return IntStream.range(0, 2_000).mapToObj(i -> mix.next(random)).toList();
    }
}
