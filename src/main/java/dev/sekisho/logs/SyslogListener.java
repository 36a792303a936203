package dev.sekisho.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Receives syslog messages (RFC 5424 or RFC 3164) over UDP or TCP and hands each one, parsed, to a handler. A
 * malformed or oversized message is logged, counted and skipped; neither it nor a failing handler stops the
 * listener. Meant for loopback or a trusted network: syslog has no authentication.
 */
public final class SyslogListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyslogListener.class);
    /** RFC 6587 section 3.4.1: MSG-LEN is a decimal number; more digits than this is not a length we accept. */
    private static final int MAX_LENGTH_DIGITS = 9;
    private static final int MAX_TCP_CONNECTIONS = 256;

    public enum Protocol {
        UDP,
        TCP
    }

    @FunctionalInterface
    public interface MessageHandler {
        void handle(SyslogMessage message);
    }

    private final Protocol protocol;
    private final InetSocketAddress address;
    private final int maxMessageBytes;
    private final ZoneId zone;
    private final InstantSource clock;
    private final MessageHandler handler;
    private final Runnable onSkipped;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private DatagramSocket udp;
    private ServerSocket tcp;
    private Thread acceptor;

    public SyslogListener(Protocol protocol, InetSocketAddress address, int maxMessageBytes, ZoneId zone, InstantSource clock,
                          MessageHandler handler) {
        this(protocol, address, maxMessageBytes, zone, clock, handler, () -> {
        });
    }

    /** @param onSkipped told of each message skipped as malformed (a metric) */
    public SyslogListener(Protocol protocol, InetSocketAddress address, int maxMessageBytes, ZoneId zone, InstantSource clock,
                          MessageHandler handler, Runnable onSkipped) {
        this.onSkipped = Objects.requireNonNull(onSkipped, "onSkipped");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.address = Objects.requireNonNull(address, "address");
        if (maxMessageBytes < 480) throw new IllegalArgumentException("maxMessageBytes must be at least 480 (RFC 5424 section 6.1), was " + maxMessageBytes);
        this.maxMessageBytes = maxMessageBytes;
        this.zone = Objects.requireNonNull(zone, "zone");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Binds and starts receiving on a background thread. */
    public void start() throws IOException {
        if (protocol == Protocol.UDP) {
            udp = new DatagramSocket(address);
            udp.setReceiveBufferSize(1 << 20); // a burst of failures must not overflow the kernel's default buffer
            acceptor = Thread.ofPlatform().daemon().name("syslog-udp-" + udp.getLocalPort()).start(this::receiveDatagrams);
        } else {
            tcp = new ServerSocket();
            tcp.setReuseAddress(true);
            tcp.bind(address, 64);
            acceptor = Thread.ofPlatform().daemon().name("syslog-tcp-" + tcp.getLocalPort()).start(this::acceptConnections);
        }
        LOG.info("syslog listener on {}/{}", localAddress(), protocol.name().toLowerCase(java.util.Locale.ROOT));
    }

    public InetSocketAddress localAddress() {
        if (udp != null) return (InetSocketAddress) udp.getLocalSocketAddress();
        if (tcp != null) return (InetSocketAddress) tcp.getLocalSocketAddress();
        return address;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** Messages parsed and handed over. */
    public long messagesReceived() {
        return received.get();
    }

    /** Messages skipped: malformed, oversized, or broken TCP framing. */
    public long malformedMessages() {
        return malformed.get();
    }

    private void receiveDatagrams() {
        // RFC 5426 section 3.1: each datagram carries exactly one message. The buffer holds the largest IPv4 UDP
        // payload, so an oversized message is seen as such rather than silently cut.
        byte[] buffer = new byte[65_535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            try {
                packet.setLength(buffer.length);
                udp.receive(packet);
            } catch (IOException e) {
                if (!closed) LOG.warn("syslog UDP receive on {} failed: {}", localAddress(), e.toString());
                continue;
            }
            if (packet.getLength() > maxMessageBytes) {
                skip("a " + packet.getLength() + "-byte datagram, over the limit of " + maxMessageBytes, packet.getSocketAddress());
                continue;
            }
            deliver(buffer, packet.getLength(), packet.getSocketAddress());
        }
    }

    private void acceptConnections() {
        while (!closed) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                if (!closed) LOG.warn("syslog TCP accept on {} failed: {}", localAddress(), e.toString());
                continue;
            }
            if (connections.size() >= MAX_TCP_CONNECTIONS) {
                LOG.warn("syslog TCP on {}: {} connections open, closing the one from {}", localAddress(), MAX_TCP_CONNECTIONS,
                        socket.getRemoteSocketAddress());
                closeQuietly(socket);
                continue;
            }
            connections.add(socket);
            Thread.ofVirtual().name("syslog-tcp-" + socket.getRemoteSocketAddress()).start(() -> serve(socket));
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream())) {
            while (!closed && readFrame(in, socket)) {
                // one frame per turn
            }
        } catch (IOException e) {
            if (!closed) LOG.debug("syslog TCP connection from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            connections.remove(socket);
        }
    }

    /**
     * Reads one frame (RFC 6587 section 3.4). A frame that starts with a digit is octet-counted (section 3.4.1:
     * MSG-LEN SP SYSLOG-MSG); any other is non-transparently framed, ended by LF (section 3.4.2). Returns false at
     * the end of the stream or when the framing is broken (the connection is then closed: its frames cannot be
     * found again).
     */
    private boolean readFrame(InputStream in, Socket socket) throws IOException {
        int first = in.read();
        if (first < 0) return false;
        if (first >= '1' && first <= '9') { // RFC 6587 section 3.4.1: MSG-LEN = NONZERO-DIGIT *DIGIT
            long length = first - '0';
            int digits = 1;
            int c;
            while ((c = in.read()) >= '0' && c <= '9') {
                if (++digits > MAX_LENGTH_DIGITS) break;
                length = length * 10 + (c - '0');
            }
            if (c != ' ') {
                skip("broken octet-counting frame (MSG-LEN not followed by a space); closing the connection", socket.getRemoteSocketAddress());
                return false;
            }
            if (length > maxMessageBytes) {
                skip("an octet-counted frame of " + length + " bytes, over the limit of " + maxMessageBytes, socket.getRemoteSocketAddress());
                in.skipNBytes(length); // EOFException when the stream ends inside it: the connection is over
                return true;
            }
            byte[] message = in.readNBytes((int) length);
            if (message.length < length) return false; // the stream ended inside the frame
            deliver(message, message.length, socket.getRemoteSocketAddress());
            return true;
        }
        // RFC 6587 section 3.4.2: non-transparent framing, TRAILER = LF, or NUL as some senders use (a CR before
        // it is dropped too); an empty frame (LF after NUL, a blank line) is no message
        if (first == '\n' || first == 0) return true;
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        boolean oversized = false;
        int c = first;
        while (c >= 0 && c != '\n' && c != 0) {
            if (!oversized) {
                if (frame.size() >= maxMessageBytes) {
                    oversized = true;
                    frame.reset();
                } else {
                    frame.write(c);
                }
            }
            c = in.read();
        }
        if (oversized) {
            skip("an LF-framed message over the limit of " + maxMessageBytes + " bytes", socket.getRemoteSocketAddress());
        } else if (c >= 0 || frame.size() > 0) {
            byte[] bytes = frame.toByteArray();
            deliver(bytes, bytes.length, socket.getRemoteSocketAddress());
        }
        return c >= 0;
    }

    private void deliver(byte[] bytes, int length, Object from) {
        // senders commonly end a message with LF, CR LF or NUL although the RFCs frame it otherwise
        while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r' || bytes[length - 1] == 0)) length--;
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        SyslogMessage message;
        try {
            message = SyslogMessage.parse(text, clock.instant(), zone);
        } catch (MalformedLineException e) {
            skip("malformed message (" + e.getMessage() + ")", from);
            return;
        }
        received.incrementAndGet();
        try {
            handler.handle(message);
        } catch (RuntimeException e) {
            LOG.warn("syslog on {}: handling a message from {} failed: {}", localAddress(), from, e.toString());
        }
    }

    /** Logged for the first ten, then every thousandth: a broken sender must not flood the log. */
    private void skip(String what, Object from) {
        long count = malformed.incrementAndGet();
        onSkipped.run();
        if (count <= 10 || count % 1000 == 0) {
            LOG.warn("syslog on {}: skipped {} from {} ({} skipped so far)", localAddress(), what, from, count);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (udp != null) udp.close();
        if (tcp != null) closeQuietly(tcp);
        for (Socket socket : connections) closeQuietly(socket);
        if (acceptor != null) {
            try {
                acceptor.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
