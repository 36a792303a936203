package dev.sekisho.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.sekisho.testing.RealPostfix;
import dev.sekisho.testing.RealPostfix.Restrictions;
import dev.sekisho.testing.Swaks;

/** Proves the harness: a real Postfix on loopback asks our policy server and obeys its answer. */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealPostfixHarnessTest {

    private RecordingPolicyServer policyServer;
    private RealPostfix postfix;

    @BeforeAll
    void startPostfixAndPolicyServer() throws IOException {
        RealPostfix.requireAvailable();
        policyServer = RecordingPolicyServer.start();
        postfix = RealPostfix.start(Restrictions.policyService(policyServer.port(), "mx"));
    }

    @AfterAll
    void stop() throws IOException {
        // Postfix first: it holds connections to the policy server.
        if (postfix != null) postfix.close();
        if (policyServer != null) policyServer.close();
    }

    @BeforeEach
    void forgetRequests() {
        policyServer.requests.clear();
    }

    @Test
    void policyDeferIfPermitBecomes450AtRcpt() throws Exception {
        policyServer.answer = "DEFER_IF_PERMIT harness test";

        Swaks.Result result = postfix.send(Swaks.Message.to("greylist01@example.test"));

        assertThat(result.rcptReply().code()).as(result.transcript()).isEqualTo(450);
        assertThat(result.rcptReply().text()).contains("harness test");
        assertThat(result.dataReply()).isEmpty();
        assertThat(policyServer.requests).hasSize(1);
        Map<String, String> request = policyServer.requests.getFirst();
        assertThat(request)
                .containsEntry("request", "smtpd_access_policy")
                .containsEntry("protocol_state", "RCPT")
                .containsEntry("policy_context", "mx")
                .containsEntry("client_address", "203.0.113.7")
                .containsEntry("client_name", "unknown")
                .containsEntry("helo_name", "client.example.org")
                .containsEntry("sender", "sender@example.org")
                .containsEntry("recipient", "greylist01@example.test");
        postfix.awaitLogLine(line -> line.contains("NOQUEUE: reject: RCPT from unknown[203.0.113.7]")
                && line.contains("harness test"), Duration.ofSeconds(5));
    }

    @Test
    void policyDunnoLetsTheMessageThrough() throws Exception {
        policyServer.answer = "DUNNO";

        Swaks.Result result = postfix.send(Swaks.Message.to("someone@example.test").from(""));

        assertThat(result.rcptReply().code()).as(result.transcript()).isEqualTo(250);
        assertThat(result.dataReply()).as(result.transcript()).hasValueSatisfying(reply -> {
            assertThat(reply.code()).isEqualTo(250);
            assertThat(reply.text()).contains("queued as");
        });
        assertThat(result.exitCode()).isZero();
        assertThat(policyServer.requests).singleElement()
                .satisfies(request -> assertThat(request).containsEntry("sender", "").containsEntry("client_address", "203.0.113.7"));
        postfix.awaitLogLine(line -> line.contains("postfix/discard") && line.contains("to=<someone@example.test>")
                && line.contains("status=sent"), Duration.ofSeconds(10));
    }

    @Test
    void reconfiguredEndOfDataRestrictionsAskThePolicyServerAgain() throws Exception {
        policyServer.answer = "DUNNO";
        postfix.reconfigure(Restrictions.policyService(policyServer.port(), "mx")
                .withEndOfDataPolicyService(policyServer.port(), "mx"));
        try {
            Swaks.Result result = postfix.send(Swaks.Message.to("eod@example.test"));

            assertThat(result.dataReply()).as(result.transcript()).hasValueSatisfying(reply -> assertThat(reply.code()).isEqualTo(250));
            assertThat(policyServer.requests).extracting(request -> request.get("protocol_state"))
                    .containsExactly("RCPT", "END-OF-MESSAGE");
            Map<String, String> endOfMessage = policyServer.requests.get(1);
            assertThat(endOfMessage).containsEntry("recipient_count", "1").containsEntry("policy_context", "mx");
            assertThat(Long.parseLong(endOfMessage.get("size"))).isPositive();
            assertThat(endOfMessage.get("queue_id")).isNotEmpty();
        } finally {
            postfix.reconfigure(Restrictions.policyService(policyServer.port(), "mx"));
        }
    }

    /**
     * The smallest policy server that does the job: one virtual thread per connection, reads
     * attribute lines up to the empty line, records them, answers {@code action=<answer>}.
     */
    private static final class RecordingPolicyServer implements AutoCloseable {
        private final ServerSocket serverSocket;
        final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
        volatile String answer = "DUNNO";

        private RecordingPolicyServer(ServerSocket serverSocket) {
            this.serverSocket = serverSocket;
        }

        static RecordingPolicyServer start() throws IOException {
            RecordingPolicyServer server = new RecordingPolicyServer(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
            Thread.ofVirtual().name("policy-accept").start(server::acceptLoop);
            return server;
        }

        int port() {
            return serverSocket.getLocalPort();
        }

        private void acceptLoop() {
            while (!serverSocket.isClosed()) {
                try {
                    Socket connection = serverSocket.accept();
                    Thread.ofVirtual().name("policy-connection").start(() -> serve(connection));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket connection) {
            try (connection;
                 BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
                 OutputStream out = connection.getOutputStream()) {
                Map<String, String> attributes = new LinkedHashMap<>();
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isEmpty()) {
                        int equals = line.indexOf('=');
                        attributes.put(line.substring(0, equals), line.substring(equals + 1));
                        continue;
                    }
                    requests.add(Map.copyOf(attributes));
                    attributes.clear();
                    out.write(("action=" + answer + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException connectionGone) {
                // Postfix closes idle policy connections; nothing to do.
            }
        }

        @Override
        public void close() throws IOException {
            serverSocket.close();
        }
    }
}
