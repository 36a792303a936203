package dev.sekisho.app;

import dev.sekisho.testing.PolicyClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sekisho serve} in a process of its own, as an operator runs it: its verdict lines reach standard output, one per
 * refused request, from the event loops that hold them until each batch is answered; SIGHUP reloads its file.
 */
class ServeVerdictLinesTest {
    @TempDir
    Path dir;

    private static final String GREYLIST_ONLY = """
            listen:
              policy:
                - address: 127.0.0.1:0
              http: 127.0.0.1:0
            services:
              mx:
                checks:
                  - deny-list
                  - type: greylist
                    delay: 300s
            """;

    @Test
    void everyRefusedRequestOnAReusedConnectionGetsItsLineOnStandardOutput() throws Exception {
        try (Served serve = Served.start(Files.writeString(dir.resolve("sekisho.yaml"), GREYLIST_ONLY), dir.resolve("data"))) {
            try (PolicyClient client = serve.client()) {
                for (int i = 1; i <= 3; i++) {
                    assertThat(client.ask(PolicyClient.rcpt("203.0.113." + i, "a@example.org", "b" + i + "@example.test", "mx")))
                            .startsWith("DEFER_IF_PERMIT");
                }
            }
            for (int i = 1; i <= 3; i++) {
                assertThat(lineContaining(serve.out, " sekisho.verdict ")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  "
                        + "sekisho.verdict service=mx stage=rcpt action=\"DEFER_IF_PERMIT Greylisted, please try again in 300 seconds\" "
                        + "client=203\\.0\\.113\\." + i + " sender=<a@example\\.org> recipient=<b" + i + "@example\\.test> "
                        + "check=greylist rule=\"new\" key=triplet=203\\.0\\.113\\.0/24\\|a@example\\.org\\|b" + i + "@example\\.test .*");
            }
        }
    }

    @Test
    void sighupReloadsTheFileWithoutDroppingTheConnectionAndABadFileIsRefused() throws Exception {
        Path config = Files.writeString(dir.resolve("sekisho.yaml"), GREYLIST_ONLY);
        try (Served serve = Served.start(config, dir.resolve("data")); PolicyClient client = serve.client()) {
            var request = PolicyClient.rcpt("203.0.113.9", "x@spam.example", "b@example.test", "mx");
            assertThat(client.ask(request)).startsWith("DEFER_IF_PERMIT");

            Files.writeString(config, GREYLIST_ONLY + "lists:\n  deny:\n    domains: [spam.example]\n");
            serve.hangUp();
            assertThat(lineContaining(serve.out, "SIGHUP: ")).contains("reloaded " + config);
            assertThat(client.ask(request)).as("the same connection, the new file").isEqualTo("554 5.7.1 Access denied");

            Files.writeString(config, GREYLIST_ONLY.replace("delay: 300s", "delay: soon"));
            serve.hangUp();
            assertThat(lineContaining(serve.out, "SIGHUP: ")).contains("configuration refused, the old one keeps running")
                    .contains("sekisho.yaml:10: services.mx.checks[1].delay");
            assertThat(client.ask(request)).as("the old configuration still answers").isEqualTo("554 5.7.1 Access denied");
        }
    }

    /** {@code sekisho serve} in a process of its own; its output lines, read on a thread of their own, in {@link #out}. */
    private record Served(Process process, BlockingQueue<String> out, Thread reader, int port) implements AutoCloseable {
        static Served start(Path config, Path dataDir) throws Exception {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.sekisho.Sekisho",
                    "serve", "--config", config.toString(), "--data-dir", dataDir.toString())
                    .redirectErrorStream(true).start();
            // Read on a thread of its own: a read from the pipe cannot be interrupted, and a line that never comes must
            // fail the test, not hang it.
            BlockingQueue<String> out = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader lines = serve.inputReader(StandardCharsets.UTF_8)) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) out.add(line);
                } catch (IOException e) {
                    // the process ended
                }
                out.add(END);
            });
            try {
                String listening = lineContaining(out, "policy server listening on 127.0.0.1:");
                return new Served(serve, out, reader, Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim()));
            } catch (Throwable e) {
                serve.destroyForcibly();
                throw e;
            }
        }

        PolicyClient client() throws IOException {
            return new PolicyClient(new InetSocketAddress("127.0.0.1", port));
        }

        /** SIGHUP, as an operator's {@code kill -HUP} or systemd's reload. */
        void hangUp() throws Exception {
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor()).isZero();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private static final String END = "\0end of output";

    /** The next line of the server's output that contains {@code text}; the lines before it are skipped. */
    private static String lineContaining(BlockingQueue<String> out, String text) throws InterruptedException {
        while (true) {
            String line = out.poll(60, TimeUnit.SECONDS);
            if (line == null) throw new AssertionError("no line containing \"" + text + "\" within 60 s");
            if (line.equals(END)) throw new AssertionError("the server's output ended without a line containing: " + text);
            if (line.contains(text)) return line;
        }
    }
}
