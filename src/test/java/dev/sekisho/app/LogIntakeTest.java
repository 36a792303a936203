package dev.sekisho.app;

import dev.sekisho.config.ConfigLoader;
import dev.sekisho.config.SekishoConfig;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.state.memory.MemoryStateStore;
import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Configured log sources, end to end: files and syslog in, LoginAttempts out. */
class LogIntakeTest {
    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-12-02T06:00:05Z");
    private final BlockingQueue<LoginAttempt> attempts = new LinkedBlockingQueue<>();
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry metrics = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    private final MemoryStateStore store = MemoryStateStore.inMemory(MemoryStateStore.Options.defaults().withMaintenanceThread(false), clock);
    private LogIntake intake;
    private Application app;

    @AfterEach
    void stop() {
        if (intake != null) intake.close();
        if (app != null) app.close();
        store.close();
    }

    private LoginAttempt next() throws InterruptedException {
        LoginAttempt a = attempts.poll(10, TimeUnit.SECONDS);
        assertThat(a).as("a login attempt within 10 s").isNotNull();
        return a;
    }

    private static void append(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void eachFileIsReadByTheAdapterItsFormatNames() throws Exception {
        Path postfix = dir.resolve("postfix.log");
        Path dovecot = dir.resolve("dovecot.log");
        Path mail = dir.resolve("mail.log");
        var config = new SekishoConfig.LogsConfig(List.of(
                new SekishoConfig.LogFile(postfix, SekishoConfig.LogFormat.POSTFIX),
                new SekishoConfig.LogFile(dovecot, SekishoConfig.LogFormat.DOVECOT),
                new SekishoConfig.LogFile(mail, SekishoConfig.LogFormat.SYSLOG)),
                List.of(), ZoneId.of("Asia/Tokyo"), Duration.ofHours(1), 8192);
        intake = LogIntake.start(config, dir.resolve("positions"), clock, store, attempts::add, metrics);
        intake.pollAll(); // none of the files exists yet: each is read from its start once it does

        append(postfix, "Dec 02 15:00:01 mail postfix/submission/smtpd[9]: warning: unknown[203.0.113.7]: "
                + "SASL PLAIN authentication failed: authentication failure, sasl_username=u@example.test");
        append(postfix, "Dec 02 15:00:01 mail dovecot: imap-login: Login: user=<x>, rip=192.0.2.1"); // not a Postfix line
        append(dovecot, "Dec 02 15:00:02 imap-login: Info: Disconnected (auth failed, 2 attempts in 4 secs): "
                + "user=<v@example.test>, method=PLAIN, rip=198.51.100.9, lip=127.0.0.1, session=<s>");
        append(dovecot, "this line has no timestamp");
        append(mail, "Dec  2 15:00:03 mail dovecot: pop3-login: Login: user=<w@example.test>, method=PLAIN, rip=198.51.100.10, lip=127.0.0.1");
        append(mail, "Dec  2 15:00:04 mail postfix/smtpd[10]: 1A2B3C: client=unknown[203.0.113.8], sasl_method=LOGIN, sasl_username=w@example.test");
        intake.pollAll();

        assertThat(attempts).extracting(a -> a.source() + " " + a.protocol() + " " + a.account() + " " + a.remote().getHostAddress()
                + " " + a.result() + " " + a.at()).containsExactlyInAnyOrder(
                "postfix-log smtp u@example.test 203.0.113.7 FAILURE 2026-12-02T06:00:01Z",
                "dovecot-log imap v@example.test 198.51.100.9 FAILURE 2026-12-02T06:00:02Z",
                "dovecot-log imap v@example.test 198.51.100.9 FAILURE 2026-12-02T06:00:02Z",
                "dovecot-log pop3 w@example.test 198.51.100.10 SUCCESS 2026-12-02T06:00:03Z",
                "postfix-log smtp w@example.test 203.0.113.8 SUCCESS 2026-12-02T06:00:04Z");
        assertThat(intake.attemptsObserved()).isEqualTo(5);
        assertThat(intake.unreadableLines()).isEqualTo(1);
        assertThat(metrics.get("sekisho.logs.lines").tag("source", "file:" + postfix).counter().count()).isEqualTo(2);
        assertThat(metrics.get("sekisho.logs.login.attempts").tag("source", "file:" + postfix).counter().count()).isEqualTo(1);
        assertThat(metrics.get("sekisho.logs.login.attempts").tag("source", "file:" + dovecot).counter().count()).isEqualTo(2);
        assertThat(metrics.get("sekisho.logs.unreadable").tag("source", "file:" + dovecot).counter().count()).isEqualTo(1);
        assertThat(metrics.get("sekisho.logs.lines").tag("source", "file:" + mail).counter().count()).isEqualTo(2);
        // each file's position is kept in the state store, past its last line
        assertThat(store.fields(StatePositions.key(postfix))).containsEntry("offset", Long.toString(Files.size(postfix)));
        assertThat(store.fields(StatePositions.key(dovecot))).containsEntry("offset", Long.toString(Files.size(dovecot)));
        assertThat(store.fields(StatePositions.key(mail))).containsEntry("offset", Long.toString(Files.size(mail)));
        assertThat(dir.resolve("positions")).doesNotExist(); // no position files any more
    }

    @Test
    void anIpv6ListenersMetricsNameItAsLogsDo() throws Exception {
        var config = new SekishoConfig.LogsConfig(List.of(), List.of(
                new SekishoConfig.SyslogSource(SekishoConfig.SyslogProtocol.UDP, new InetSocketAddress("::1", 0))),
                ZoneId.of("UTC"), Duration.ofSeconds(1), 8192);
        intake = LogIntake.start(config, dir.resolve("positions"), clock, store, attempts::add, metrics);
        // RFC 5952 in brackets, not Java's long form 0:0:0:0:0:0:0:1 run into the port
        assertThat(metrics.get("sekisho.logs.lines").tag("source", "syslog:udp:[::1]:0").counter().count()).isZero();
    }

    @Test
    void syslogListenersReadPostfixAndDovecotLines() throws Exception {
        var config = new SekishoConfig.LogsConfig(List.of(), List.of(
                new SekishoConfig.SyslogSource(SekishoConfig.SyslogProtocol.UDP, new InetSocketAddress("127.0.0.1", 0)),
                new SekishoConfig.SyslogSource(SekishoConfig.SyslogProtocol.TCP, new InetSocketAddress("127.0.0.1", 0))),
                ZoneId.of("UTC"), Duration.ofSeconds(1), 8192);
        intake = LogIntake.start(config, dir.resolve("positions"), clock, store, attempts::add, metrics);
        byte[] udp = ("<20>1 2026-12-02T06:00:01Z mail postfix/smtpd 9 - - warning: unknown[203.0.113.7]: "
                + "SASL LOGIN authentication failed: UGFzc3dvcmQ6").getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(udp, udp.length, intake.listeners().get(0).localAddress()));
        }
        LoginAttempt fromUdp = next();
        assertThat(fromUdp.source()).isEqualTo("postfix-log");
        assertThat(fromUdp.at()).isEqualTo(Instant.parse("2026-12-02T06:00:01Z"));
        assertThat(metrics.get("sekisho.logs.login.attempts").tag("source", "syslog:udp:127.0.0.1:0").counter().count()).isEqualTo(1);

        try (Socket socket = new Socket()) {
            socket.connect(intake.listeners().get(1).localAddress());
            socket.getOutputStream().write(("<22>Dec  2 06:00:02 mail dovecot: imap-login: Aborted login (auth failed, 1 attempts in 3 secs): "
                    + "user=<u@example.test>, method=PLAIN, rip=198.51.100.9, lip=127.0.0.1\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            LoginAttempt fromTcp = next();
            assertThat(fromTcp.source()).isEqualTo("dovecot-log");
            assertThat(fromTcp.account()).isEqualTo("u@example.test");
        }
    }

    @Test
    void applicationStartsTheConfiguredSourcesAndStopsThemOnClose() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path file = dir.resolve("sekisho.yaml");
        Files.writeString(file, """
                listen:
                  policy:
                    - address: 127.0.0.1:0
                  http: 127.0.0.1:0
                services:
                  mx:
                    checks: [restrictions]
                logs:
                  syslog:
                    - protocol: udp
                      address: 127.0.0.1:%d
                """.formatted(port));
        app = Application.start(new ConfigLoader().load(file), dir.resolve("data"), clock, System.out);
        app.startLogSources(attempts::add);
        byte[] message = ("<20>Dec  2 06:00:01 mail postfix/smtpd[9]: warning: unknown[203.0.113.9]: "
                + "SASL PLAIN authentication failed: authentication failure, sasl_username=z@example.test").getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(message, message.length, new InetSocketAddress("127.0.0.1", port)));
        }
        assertThat(next().account()).isEqualTo("z@example.test");
        app.close();
        app = null;
        // the port is free again: the listener was stopped
        try (DatagramSocket rebound = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            assertThat(rebound.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void reloadWithAnotherListenerMovesIt() throws Exception {
        int first;
        int second;
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            first = a.getLocalPort();
            second = b.getLocalPort();
        }
        Path file = dir.resolve("sekisho.yaml");
        String yaml = """
                listen:
                  policy:
                    - address: 127.0.0.1:0
                  http: 127.0.0.1:0
                services:
                  mx:
                    checks: [restrictions]
                logs:
                  syslog:
                    - address: 127.0.0.1:%d
                """;
        Files.writeString(file, yaml.formatted(first));
        app = Application.start(new ConfigLoader().load(file), dir.resolve("data"), clock, System.out);
        app.startLogSources(attempts::add);
        Files.writeString(file, yaml.formatted(second));
        app.reload();
        byte[] message = ("<20>Dec  2 06:00:01 mail postfix/smtpd[9]: warning: unknown[203.0.113.9]: "
                + "SASL PLAIN authentication failed: authentication failure").getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(message, message.length, new InetSocketAddress("127.0.0.1", second)));
        }
        assertThat(next().remote().getHostAddress()).isEqualTo("203.0.113.9");
        try (DatagramSocket rebound = new DatagramSocket(new InetSocketAddress("127.0.0.1", first))) {
            assertThat(rebound.getLocalPort()).as("the old listener is gone").isEqualTo(first);
        }
    }

    @Test
    void failuresReadFromSyslogBlockTheAccountThroughTheLockoutsWithoutAnyExtraWiring() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path file = dir.resolve("sekisho.yaml");
        Files.writeString(file, """
                listen:
                  policy:
                    - address: 127.0.0.1:0
                  http: 127.0.0.1:0
                services:
                  mx:
                    checks: [restrictions]
                logins:
                  account: {delay-after: 0, block-after: 3, passwords-block-after: 0}
                logs:
                  timezone: UTC
                  syslog:
                    - protocol: udp
                      address: 127.0.0.1:%d
                """.formatted(port));
        app = Application.start(new ConfigLoader().load(file), dir.resolve("data"), clock, System.out);
        try (DatagramSocket socket = new DatagramSocket()) {
            for (int i = 1; i <= 3; i++) {
                byte[] message = ("<20>Dec  2 06:00:0" + i + " mail postfix/submission/smtpd[9]: warning: unknown[203.0.113.9]: "
                        + "SASL PLAIN authentication failed: authentication failure, sasl_username=victim@example.test")
                        .getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(message, message.length, new InetSocketAddress("127.0.0.1", port)));
            }
        }
        // The datagrams are handled on the listener's thread: wait for the outcome, not for time to pass.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (app.restrictions(false).isEmpty() && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(app.restrictions(false)).singleElement().satisfies(r -> {
            assertThat(r.subject().kind()).isEqualTo(dev.sekisho.engine.Subject.Kind.ACCOUNT);
            assertThat(r.subject().value()).isEqualTo("victim@example.test");
            assertThat(r.evidence()).contains("postfix-log");
        });
    }
}
