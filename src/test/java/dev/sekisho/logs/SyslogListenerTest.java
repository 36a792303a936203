package dev.sekisho.logs;

import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The listener over real loopback sockets: UDP datagrams, TCP with both RFC 6587 framings, both message formats. */
class SyslogListenerTest {
    private static final String BSD = "<20>Dec  2 15:00:01 mail postfix/smtpd[123]: warning: unknown[203.0.113.7]: "
            + "SASL LOGIN authentication failed: authentication failure";
    private static final String RFC5424 = "<22>1 2026-12-02T06:00:02Z mail dovecot - - - imap-login: Login: user=<u>, rip=198.51.100.9";

    private final MutableClock clock = MutableClock.at("2026-12-02T06:00:05Z");
    private final BlockingQueue<SyslogMessage> messages = new LinkedBlockingQueue<>();
    private SyslogListener listener;

    private SyslogListener start(SyslogListener.Protocol protocol, int maxBytes) throws IOException {
        listener = new SyslogListener(protocol, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), maxBytes,
                ZoneId.of("Asia/Tokyo"), clock, messages::add);
        listener.start();
        return listener;
    }

    @AfterEach
    void stop() {
        if (listener != null) listener.close();
    }

    private SyslogMessage next() throws InterruptedException {
        SyslogMessage m = messages.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a message within 10 s").isNotNull();
        return m;
    }

    private void datagram(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(bytes, bytes.length, listener.localAddress()));
        }
    }

    @Test
    void udpCarriesOneMessagePerDatagramInEitherFormatAndSkipsMalformedOnes() throws Exception {
        start(SyslogListener.Protocol.UDP, 2048);
        datagram(BSD + "\n");
        datagram("<999>not syslog");
        datagram("x".repeat(3000));
        datagram(RFC5424);

        SyslogMessage bsd = next();
        assertThat(bsd.rfc5424()).isFalse();
        assertThat(bsd.entry()).isEqualTo(new LogEntry(Instant.parse("2026-12-02T06:00:01Z"), "mail", "postfix/smtpd",
                "warning: unknown[203.0.113.7]: SASL LOGIN authentication failed: authentication failure"));
        SyslogMessage structured = next();
        assertThat(structured.rfc5424()).isTrue();
        assertThat(structured.entry().message()).isEqualTo("imap-login: Login: user=<u>, rip=198.51.100.9");
        assertThat(listener.malformedMessages()).isEqualTo(2);
        assertThat(listener.messagesReceived()).isEqualTo(2);
    }

    @Test
    void tcpOctetCountingFramesHoldNewlinesAndBothFormats() throws Exception {
        start(SyslogListener.Protocol.TCP, 2048);
        try (Socket socket = new Socket()) {
            socket.connect(listener.localAddress());
            OutputStream out = socket.getOutputStream();
            // RFC 6587 section 3.4.1: MSG-LEN SP SYSLOG-MSG, length in octets (the é is two)
            String withNewline = "<22>1 2026-12-02T06:00:03Z mail app - - - first line\nsecond line é";
            out.write(octetCounted(BSD));
            out.write(octetCounted(withNewline));
            out.write(octetCounted(RFC5424));
            out.flush();
            assertThat(next().entry().program()).isEqualTo("postfix/smtpd");
            assertThat(next().entry().message()).isEqualTo("first line\nsecond line é");
            assertThat(next().entry().program()).isEqualTo("dovecot");
        }
    }

    @Test
    void tcpLfFramingAndMalformedOrOversizedMessagesOnTheSameConnection() throws Exception {
        start(SyslogListener.Protocol.TCP, 512);
        try (Socket socket = new Socket()) {
            socket.connect(listener.localAddress());
            OutputStream out = socket.getOutputStream();
            // RFC 6587 section 3.4.2: non-transparent framing, each message ended by LF
            out.write((BSD + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write("\n".getBytes(StandardCharsets.UTF_8)); // a blank line is no message
            out.write("<13>1 not-a-time host app - - - x\n".getBytes(StandardCharsets.UTF_8));
            out.write(("<13>Dec  2 15:00:01 host app: " + "y".repeat(600) + "\n").getBytes(StandardCharsets.UTF_8));
            out.write((RFC5424 + "\u0000\n").getBytes(StandardCharsets.UTF_8)); // NUL trailer, as some senders end frames
            out.write(octetCounted("<13>Dec  2 15:00:01 host app: " + "z".repeat(600))); // oversized, skipped whole
            out.write(octetCounted(BSD));
            out.flush();
            assertThat(next().rfc5424()).isFalse();
            assertThat(next().rfc5424()).isTrue();
            assertThat(next().entry().program()).isEqualTo("postfix/smtpd");
            assertThat(listener.malformedMessages()).isEqualTo(3);
        }
    }

    @Test
    void brokenOctetCountCostsOnlyItsConnection() throws Exception {
        start(SyslogListener.Protocol.TCP, 2048);
        try (Socket broken = new Socket()) {
            broken.connect(listener.localAddress());
            broken.getOutputStream().write("12x<13>garbage\n".getBytes(StandardCharsets.UTF_8));
            broken.getOutputStream().flush();
            assertThat(broken.getInputStream().read()).as("closed by the listener").isEqualTo(-1);
        }
        try (Socket good = new Socket()) {
            good.connect(listener.localAddress());
            good.getOutputStream().write((BSD + "\n").getBytes(StandardCharsets.UTF_8));
            good.getOutputStream().flush();
            assertThat(next().entry().host()).isEqualTo("mail");
        }
        assertThat(listener.malformedMessages()).isEqualTo(1);
    }

    @Test
    void failingHandlerDoesNotStopTheListener() throws Exception {
        listener = new SyslogListener(SyslogListener.Protocol.UDP, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2048,
                ZoneId.of("UTC"), clock, m -> {
            if (m.entry().message().contains("boom")) throw new IllegalStateException("boom");
            messages.add(m);
        });
        listener.start();
        datagram("<13>Dec  2 06:00:01 host app: boom");
        datagram("<13>Dec  2 06:00:02 host app: fine");
        assertThat(next().entry().message()).isEqualTo("fine");
    }

    private static byte[] octetCounted(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        byte[] prefix = (bytes.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[prefix.length + bytes.length];
        System.arraycopy(prefix, 0, frame, 0, prefix.length);
        System.arraycopy(bytes, 0, frame, prefix.length, bytes.length);
        return frame;
    }
}
