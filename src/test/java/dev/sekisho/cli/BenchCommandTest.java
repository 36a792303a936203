package dev.sekisho.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.sekisho.bench.DunnoServer;
import picocli.CommandLine;

class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = dev.sekisho.Sekisho.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] withBench = new String[args.length + 1];
        withBench[0] = "bench";
        System.arraycopy(args, 0, withBench, 1, args.length);
        return cli.execute(withBench);
    }

    @Test
    void helpOnEachSubcommand() {
        assertThat(run("--help")).isZero();
        assertThat(run("load", "--help")).isZero();
        assertThat(run("dunno-server", "--help")).isZero();
        assertThat(out.toString()).contains("--fill-triplets", "--concurrency", "--listen");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("load", "--target", "mail.example.test:10040")).isEqualTo(2);
        assertThat(err.toString()).contains("the host must be an IP address, was \"mail.example.test\"");
        assertThat(run("load", "--target", "127.0.0.1:0")).isEqualTo(2);
        assertThat(err.toString()).contains("port must be 1..65535, was 0");
        assertThat(run("load", "--duration", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("must be a duration like 500ms, 300s, 5m, 1h or 35d, was \"soon\"");
        assertThat(run("load", "--concurrency", "0")).isEqualTo(2);
        assertThat(run("dmarc-corpus", "--single-report-bytes", "256MiB", "unused-dir")).isEqualTo(2);
        assertThat(err.toString()).contains("--single-report-bytes must be a size like 1000000, 64k, 512m or 1g (k, m, g, t: powers of 1024), was \"256MiB\"");
        assertThat(run("dmarc-corpus", "--single-report-bytes", "99999999999g", "unused-dir")).isEqualTo(2);
        assertThat(err.toString()).contains("--single-report-bytes must be at most 1t (it is written to disk), was \"99999999999g\"");
    }

    @Test
    void loadAgainstDunnoServerPrintsKeyValues() throws Exception {
        try (DunnoServer server = DunnoServer.start(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int exit = run("load", "--target", "127.0.0.1:" + server.address().getPort(), "--concurrency", "1,2",
                    "--warmup", "0s", "--requests", "200", "--duration", "20s", "--format", "kv");

            assertThat(exit).as(err.toString()).isZero();
            assertThat(out.toString().lines().toList()).hasSize(2)
                    .allSatisfy(line -> assertThat(line).contains(" replies=200 errors=0 ").endsWith("actions=DUNNO:200"));
        }
    }

    @Test
    void unreachableTargetExitsWithOne() throws Exception {
        int freePort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            freePort = probe.getLocalPort();
        }
        assertThat(run("load", "--target", "127.0.0.1:" + freePort, "--warmup", "0s", "--duration", "1s")).isEqualTo(1);
        assertThat(err.toString()).contains("failed: Connection refused");
    }

    @Test
    void dunnoServerNamesAnIpv6ListenerInTheShortFormInBrackets() throws Exception {
        CountDownLatch printed = new CountDownLatch(1);
        PrintWriter signalling = new PrintWriter(out, true) {
            @Override
            public void flush() {
                super.flush();
                printed.countDown();
            }
        };
        CommandLine cli = dev.sekisho.Sekisho.commandLine();
        cli.setOut(signalling);
        cli.setErr(new PrintWriter(err, true));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            port = probe.getLocalPort(); // --listen wants a port of 1..65535
        }
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serving = Thread.ofPlatform().name("dunno-server-command").start(() -> {
            exit.set(cli.execute("bench", "dunno-server", "--listen", "[0:0:0:0:0:0:0:1]:" + port));
            printed.countDown(); // a command that fails before printing ends the wait too
        });
        try {
            assertThat(printed.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(exit.get()).as("still serving; stderr: %s", err).isEqualTo(-1);
            // RFC 5952 4.2 and 6: "[::1]:port", not Java's 0:0:0:0:0:0:0:1 without brackets.
            assertThat(out.toString()).isEqualTo("dunno-server listening on [::1]:" + port + System.lineSeparator());
        } finally {
            serving.interrupt();
            serving.join();
        }
        try (java.net.Socket connection = new java.net.Socket()) {
            assertThatThrownBy(() -> connection.connect(new InetSocketAddress("::1", port)))
                    .as("an interrupted dunno-server closes its port").isInstanceOf(java.io.IOException.class);
        }
    }
}
