package dev.sekisho.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Action.Kind;
import dev.sekisho.engine.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The server over real sockets on 127.0.0.1, with a stub decider (the engine is tested elsewhere). */
class PolicyServerTest {

    private static final int CLIENT_READ_TIMEOUT_MILLIS = 10_000; // a guard against hanging, never reached when passing

    /** Answers INFO naming what it was asked, so replies show the service and the request they belong to. */
    private static final Decider ECHO = transaction -> verdict(Action.of(Kind.INFO,
            transaction.service() + " " + transaction.stage() + " " + transaction.recipient()));

    private final List<PolicyServer> servers = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger serverLogger = (Logger) LoggerFactory.getLogger(PolicyServer.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        serverLogger.addAppender(logged);
    }

    @AfterEach
    void stop() {
        servers.forEach(PolicyServer::close);
        serverLogger.detachAppender(logged);
    }

    @Test
    void answersSeveralRequestsOnOneConnectionInOrder() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS);
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(rcpt("a@example.test", ""));
            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT a@example.test\n\n");
            client.send(rcpt("b@example.test", "submission"));
            assertThat(client.readReply()).isEqualTo("action=INFO submission RCPT b@example.test\n\n");
            client.send(PolicyRequestTest.postfix37Rcpt());
            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT greylist01@example.test\n\n");
            assertThat(server.activeConnections()).isEqualTo(1);
        }
        server.close();
        assertThat(server.requestsAnswered()).isEqualTo(3);
        assertThat(server.activeConnections()).isZero();
    }

    @Test
    void aRequestWithoutTheClientsAddressIsAnsweredDunnoOnTheSameConnection() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS);
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(PolicyRequestTest.minimal("RCPT", "unknown") + "recipient=a@example.test\n\n");
            assertThat(client.readReply()).isEqualTo("action=DUNNO\n\n");
            client.send(rcpt("b@example.test", ""));
            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT b@example.test\n\n");
        }
        server.close();
        assertThat(server.unknownClients()).isEqualTo(1);
        assertThat(server.protocolErrors()).isZero();
        assertThat(server.deciderFailures()).isZero();
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS);
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(rcpt("first@example.test", "") + rcpt("second@example.test", "") + rcpt("third@example.test", ""));

            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT first@example.test\n\n");
            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT second@example.test\n\n");
            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT third@example.test\n\n");
        }
    }

    /** Counts decisions, and at each beforeAnswering how many were decided by then: what a durable store would hold. */
    private static final class DurabilityProbe implements Decider {
        final AtomicLong decided = new AtomicLong();
        final AtomicLong durableUpTo = new AtomicLong();
        final AtomicLong calls = new AtomicLong();
        /** Hooks that came on another thread than the decisions they cover (the application relies on the same one). */
        final AtomicLong callsOnAnotherThread = new AtomicLong();
        volatile Thread lastDecidingThread;
        volatile boolean failing;

        @Override
        public Verdict decide(dev.sekisho.engine.Transaction transaction) {
            lastDecidingThread = Thread.currentThread();
            long n = decided.incrementAndGet();
            return verdict(Action.of(Kind.INFO, "decision " + n));
        }

        @Override
        public void beforeAnswering() {
            calls.incrementAndGet();
            if (lastDecidingThread != Thread.currentThread()) callsOnAnotherThread.incrementAndGet();
            if (failing) throw new java.io.UncheckedIOException(new IOException("disk full"));
            durableUpTo.set(decided.get());
        }
    }

    @Test
    void noReplyGoesOutBeforeItsDecisionWasMadeDurableAndOneCallCoversAPipelinedBatch() throws Exception {
        DurabilityProbe probe = new DurabilityProbe();
        PolicyServer server = start(probe, PolicyServerLimits.DEFAULTS);
        int pipelined = 50;
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(rcpt("one@example.test", ""));
            assertThat(client.readReply()).isEqualTo("action=INFO decision 1\n\n");
            assertThat(probe.durableUpTo.get()).isEqualTo(1);

            client.send(rcpt("x@example.test", "").repeat(pipelined));
            for (int i = 2; i <= pipelined + 1; i++) {
                assertThat(client.readReply()).isEqualTo("action=INFO decision " + i + "\n\n");
                assertThat(probe.durableUpTo.get()).as("made durable before reply %d went out", i).isGreaterThanOrEqualTo(i);
            }
        }
        // One call per wake-up of the loop, not per request: 50 pipelined requests arrive in a read or a few.
        assertThat(probe.calls.get()).isLessThan(pipelined / 5);
    }

    @Test
    void whenMakingVerdictsDurableFailsTheRepliesStillGoOutAndTheFailureIsCounted() throws Exception {
        DurabilityProbe probe = new DurabilityProbe();
        probe.failing = true;
        PolicyServer server = start(probe, PolicyServerLimits.DEFAULTS);
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(rcpt("one@example.test", ""));
            assertThat(client.readReply()).isEqualTo("action=INFO decision 1\n\n");
            client.send(rcpt("two@example.test", ""));
            assertThat(client.readReply()).isEqualTo("action=INFO decision 2\n\n");
        }
        assertThat(server.answeringFailures()).isEqualTo(2);
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("making a batch of verdicts durable failed");
    }

    @Test
    void repliesToRequestsBeforeAMalformedOneGoOutBeforeTheClose() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS);
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(rcpt("first@example.test", "") + rcpt("second@example.test", "") + "no equals sign\n\n");

            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT first@example.test\n\n");
            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT second@example.test\n\n");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(server.protocolErrors()).isEqualTo(1);
    }

    @Test
    void servesFiftyConnectionsAtOnceEachInItsOwnOrder() throws Exception {
        int connections = 50;
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS);
        List<PolicyClient> clients = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) clients.add(new PolicyClient(server));
            for (int r = 0; r < 3; r++) {
                // Every connection has a request waiting before any reply is read, and the replies
                // are read last connection first: no connection waits for another to be read.
                for (int c = 0; c < connections; c++) clients.get(c).send(rcpt("c" + c + "-" + r + "@example.test", ""));
                for (int c = connections - 1; c >= 0; c--) {
                    assertThat(clients.get(c).readReply()).isEqualTo("action=INFO mx RCPT c" + c + "-" + r + "@example.test\n\n");
                }
            }
            assertThat(server.activeConnections()).isEqualTo(connections);
        } finally {
            for (PolicyClient client : clients) client.close();
        }
        server.close();
        assertThat(server.requestsAnswered()).isEqualTo(3L * connections);
    }

    @Test
    void aPipelinedRequestIsNotCutOffForTheTimeTheServerDidNotReadIt() throws Exception {
        AtomicLong nanos = new AtomicLong(System.nanoTime());
        // Deadlines on a clock the test moves; a 1 s request timeout makes the loops check them every 125 ms.
        PolicyServer server = new PolicyServer(new InetSocketAddress(loopback(), 0), ServiceResolver.policyContextOr("mx"), ECHO,
                PolicyServerLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(1)), nanos::get);
        servers.add(server);
        server.start();
        int requests = 20_000;
        String request = rcpt("x".repeat(1000) + "@example.test", "");
        String reply = "action=INFO mx RCPT " + "x".repeat(1000) + "@example.test\n\n";
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress(loopback(), server.port()));
            client.setSoTimeout(CLIENT_READ_TIMEOUT_MILLIS);
            OutputStream out = client.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(request.repeat(requests).getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the server closed the connection: the replies read below tell
                }
            });
            // The client reads nothing until the server has stopped reading it (its replies fill the sockets) ...
            long answered;
            int unchanged = 0;
            do {
                answered = server.requestsAnswered();
                TimeUnit.MILLISECONDS.sleep(10);
                unchanged = server.requestsAnswered() == answered && answered > 0 ? unchanged + 1 : 0;
            } while (unchanged < 20);
            assertThat(answered).as("stopped before the end").isLessThan(requests);
            // ... and only after the request timeout has passed many times over.
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(30));
            // Not waiting for time to pass (the clock moved): giving the loops two of their 125 ms rounds to look at it.
            TimeUnit.MILLISECONDS.sleep(300);
            InputStream in = client.getInputStream();
            byte[] expected = reply.getBytes(StandardCharsets.US_ASCII);
            byte[] got = new byte[expected.length];
            for (int i = 0; i < requests; i++) {
                int read = in.readNBytes(got, 0, got.length);
                assertThat(read).as("reply %d of %d", i + 1, requests).isEqualTo(got.length);
            }
            assertThat(got).isEqualTo(expected);
            writer.join();
        }
        assertThat(server.protocolErrors()).isZero();
    }

    @Test
    void aClientThatPipelinesWithoutReadingIsNotReadFurtherAndHoldsUpNoOne() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS.withIdleTimeout(Duration.ofMillis(500)));
        String request = rcpt("x".repeat(1000) + "@example.test", "");
        try (Socket flooder = new Socket(InetAddress.getLoopbackAddress(), server.port());
             PolicyClient other = new PolicyClient(server)) {
            flooder.setReceiveBufferSize(4096);
            OutputStream out = flooder.getOutputStream();
            // Far more replies than the two sockets' buffers hold: the server must stop reading this client.
            byte[] many = request.repeat(200).getBytes(StandardCharsets.US_ASCII);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 200; i++) out.write(many);
                } catch (IOException e) {
                    // the server closed the connection when its idle timeout passed: expected
                }
            });
            other.send(rcpt("other@example.test", ""));
            assertThat(other.readReply()).isEqualTo("action=INFO mx RCPT other@example.test\n\n");
            writer.join(CLIENT_READ_TIMEOUT_MILLIS);
            assertThat(writer.isAlive()).as("the flooder's connection was closed at the idle timeout").isFalse();
            // 40,000 requests sent; the server stopped reading once the socket buffers were full of replies
            assertThat(server.requestsAnswered()).isBetween(1L, 20_000L);
        }
    }

    @Test
    void repliesBeforeAMalformedRequestGoOutDurableAndTheHookComesOnTheDecidingThread() throws Exception {
        DurabilityProbe probe = new DurabilityProbe();
        PolicyServer server = start(probe, PolicyServerLimits.DEFAULTS);
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(rcpt("a@example.test", "").repeat(3) + "request=smtpd_access_policy\nno equals sign here\n\n");
            for (int i = 1; i <= 3; i++) {
                assertThat(client.readReply()).isEqualTo("action=INFO decision " + i + "\n\n");
                assertThat(probe.durableUpTo.get()).as("made durable before reply %d went out", i).isGreaterThanOrEqualTo(i);
            }
            assertThat(client.closedByServer()).isTrue();
        }
        server.close();
        assertThat(probe.calls.get()).isPositive();
        assertThat(probe.callsOnAnotherThread.get()).isZero();
    }

    @Test
    void malformedLineClosesOnlyThatConnection() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS);
        try (PolicyClient good = new PolicyClient(server); PolicyClient bad = new PolicyClient(server)) {
            good.send(rcpt("before@example.test", ""));
            assertThat(good.readReply()).isEqualTo("action=INFO mx RCPT before@example.test\n\n");

            bad.send("request=smtpd_access_policy\nthis line has no equals sign\n\n");
            assertThat(bad.closedByServer()).isTrue();

            good.send(rcpt("after@example.test", ""));
            assertThat(good.readReply()).isEqualTo("action=INFO mx RCPT after@example.test\n\n");

            server.close();
            assertThat(server.protocolErrors()).isEqualTo(1);
            assertThat(warnings()).containsExactly("policy client 127.0.0.1:" + bad.localPort()
                    + ": attribute line without '=' value \"this line has no equals sign\"; closing the connection");
        }
    }

    @Test
    void oversizedRequestClosesTheConnection() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS.withSizes(200, 1000, 50));
        try (PolicyClient huge = new PolicyClient(server); PolicyClient normal = new PolicyClient(server)) {
            StringBuilder request = new StringBuilder(PolicyRequestTest.minimal("RCPT", "192.0.2.1"));
            for (int i = 0; i < 30; i++) request.append("padding").append(i).append('=').append("x".repeat(60)).append('\n');
            huge.send(request.append('\n').toString());

            assertThat(huge.closedByServer()).isTrue();
            normal.send(rcpt("fine@example.test", ""));
            assertThat(normal.readReply()).isEqualTo("action=INFO mx RCPT fine@example.test\n\n");
        }
        server.close();
        assertThat(warnings()).singleElement().asString().contains("request larger than 1000 bytes");
    }

    @Test
    void clientTricklingBytesIsCutOffAtTheRequestDeadline() throws Exception {
        // Each byte arrives well within the timeout, so only a deadline across reads ends this.
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS.withRequestTimeout(Duration.ofMillis(300)));
        try (PolicyClient slow = new PolicyClient(server)) {
            Thread trickler = Thread.ofVirtual().start(() -> {
                try {
                    for (byte b : PolicyRequestTest.postfix37Rcpt().getBytes(StandardCharsets.US_ASCII)) {
                        slow.send(new String(new byte[] {b}, StandardCharsets.US_ASCII));
                        Thread.sleep(20); // the client's pace, not a wait for the server
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection: what this test expects
                }
            });

            assertThat(slow.closedByServer()).isTrue();
            trickler.interrupt();
            trickler.join();
        }
        server.close();
        assertThat(warnings()).singleElement().asString().endsWith("request not complete within 300 ms; closing the connection");
    }

    @Test
    void idleConnectionIsClosedQuietly() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS.withIdleTimeout(Duration.ofMillis(200)));
        try (PolicyClient idle = new PolicyClient(server)) {
            idle.send(rcpt("once@example.test", ""));
            assertThat(idle.readReply()).isEqualTo("action=INFO mx RCPT once@example.test\n\n");

            assertThat(idle.closedByServer()).isTrue();
        }
        server.close();
        assertThat(server.protocolErrors()).isZero();
        assertThat(warnings()).isEmpty();
    }

    @Test
    void deciderThatThrowsGetsDunnoAndTheConnectionStays() throws Exception {
        Decider failing = transaction -> {
            if (transaction.recipient().startsWith("boom")) throw new IllegalStateException("state store down");
            return ECHO.decide(transaction);
        };
        PolicyServer server = start(failing, PolicyServerLimits.DEFAULTS);
        try (PolicyClient client = new PolicyClient(server)) {
            // An IPv6 client, so the warning shows the RFC 5952 4.2 text, not Java's long form.
            client.send(PolicyRequestTest.minimal("RCPT", "2001:db8:0:0:0:0:0:7") + "recipient=boom@example.test\n\n");
            assertThat(client.readReply()).isEqualTo("action=DUNNO\n\n");
            client.send(rcpt("next@example.test", ""));
            assertThat(client.readReply()).isEqualTo("action=INFO mx RCPT next@example.test\n\n");
        }
        server.close();
        assertThat(server.deciderFailures()).isEqualTo(1);
        assertThat(server.requestsAnswered()).isEqualTo(2);
        assertThat(warnings()).singleElement().asString().contains("client_address=2001:db8::7 failed; answering DUNNO");
    }

    @Test
    void fixedServiceOverridesPolicyContext() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS, ServiceResolver.fixed("submission"));
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(rcpt("x@example.test", "mx"));
            assertThat(client.readReply()).isEqualTo("action=INFO submission RCPT x@example.test\n\n");
        }
    }

    @Test
    void aConnectionPastTheCapIsClosedAtOnceAndTheOthersKeepWorking() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS.withMaxConnections(2));
        try (PolicyClient first = new PolicyClient(server); PolicyClient second = new PolicyClient(server)) {
            first.send(rcpt("a@example.test", ""));
            assertThat(first.readReply()).startsWith("action=INFO");
            second.send(rcpt("b@example.test", ""));
            assertThat(second.readReply()).startsWith("action=INFO");
            try (PolicyClient third = new PolicyClient(server)) {
                assertThat(third.closedByServer()).isTrue();
            }
            assertThat(server.refusedConnections()).isEqualTo(1);
            assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("max-connections"));
            first.send(rcpt("c@example.test", ""));
            assertThat(first.readReply()).isEqualTo("action=INFO mx RCPT c@example.test\n\n");
        }
    }

    @Test
    void closeStopsAcceptingAndClosesLiveConnections() throws Exception {
        PolicyServer server = start(ECHO, PolicyServerLimits.DEFAULTS);
        int port = server.port();
        try (PolicyClient client = new PolicyClient(server)) {
            client.send(rcpt("x@example.test", ""));
            assertThat(client.readReply()).startsWith("action=INFO");

            server.close();

            assertThat(client.closedByServer()).isTrue();
            assertThat(server.activeConnections()).isZero();
            assertThat(canConnect(port)).isFalse();
        }
    }

    @Test
    void closeBeforeStartIsHarmlessAndAClosedServerDoesNotStart() {
        PolicyServer server = new PolicyServer(new InetSocketAddress(0), ServiceResolver.policyContextOr("mx"), ECHO,
                PolicyServerLimits.DEFAULTS);
        server.close();

        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class).hasMessage("policy server was closed");
    }

    private PolicyServer start(Decider decider, PolicyServerLimits limits) throws IOException {
        return start(decider, limits, ServiceResolver.policyContextOr("mx"));
    }

    private PolicyServer start(Decider decider, PolicyServerLimits limits, ServiceResolver resolver) throws IOException {
        PolicyServer server = new PolicyServer(new InetSocketAddress(loopback(), 0), resolver, decider, limits);
        servers.add(server);
        server.start();
        return server;
    }

    private List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static String rcpt(String recipient, String policyContext) {
        return PolicyRequestTest.minimal("RCPT", "203.0.113.7") + "recipient=" + recipient + "\n"
                + (policyContext.isEmpty() ? "" : "policy_context=" + policyContext + "\n") + "\n";
    }

    private static Verdict verdict(Action action) {
        return new Verdict(action, null, List.of(), List.of(), false);
    }

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    }

    private static boolean canConnect(int port) throws IOException {
        try (Socket socket = new Socket(loopback(), port)) {
            return socket.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }

    /** A policy client as Postfix is one: writes a request, reads the reply up to its empty line. */
    private static final class PolicyClient implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        PolicyClient(PolicyServer server) throws IOException {
            socket = new Socket(loopback(), server.port());
            socket.setSoTimeout(CLIENT_READ_TIMEOUT_MILLIS);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        int localPort() {
            return socket.getLocalPort();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String readReply() throws IOException {
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            int previous = -1;
            while (true) {
                int b = in.read();
                if (b < 0) throw new IOException("connection closed after " + reply.size() + " reply bytes");
                reply.write(b);
                if (b == '\n' && previous == '\n') return reply.toString(StandardCharsets.UTF_8);
                previous = b;
            }
        }

        /** True when the server ends the connection (FIN or reset) before sending anything more. */
        boolean closedByServer() throws IOException {
            try {
                return in.read() < 0;
            } catch (java.net.SocketTimeoutException e) {
                throw e; // the guard timeout: the server did not close
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
