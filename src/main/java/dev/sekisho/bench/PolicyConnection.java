package dev.sekisho.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.sekisho.bench.PolicyReply.MalformedReplyException;

/**
 * One persistent connection to a policy server, used the way Postfix's smtpd uses it: write a
 * request, read the reply up to its empty line, repeat. Not thread safe: one per worker.
 */
public final class PolicyConnection implements AutoCloseable {

    /** Longer reply lines are not a policy server talking; Postfix itself limits them too. */
    private static final int MAX_LINE_BYTES = 4096;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] line = new byte[MAX_LINE_BYTES];

    private PolicyConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    /**
     * Connects with TCP_NODELAY (each request is one small write that waits for its reply) and
     * a read timeout, so a server that never answers fails the request instead of hanging.
     */
    public static PolicyConnection open(InetSocketAddress target, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            socket.connect(target, Math.toIntExact(timeout.toMillis()));
            return new PolicyConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one encoded request and returns the reply. */
    public PolicyReply exchange(byte[] encodedRequest) throws IOException {
        out.write(encodedRequest);
        out.flush();
        return readReply(in, line);
    }

    /**
     * Reads attribute lines up to the empty line that ends a reply, and returns its action.
     * Package-private for tests, which feed it exact bytes.
     */
    static PolicyReply readReply(InputStream in, byte[] lineBuffer) throws IOException {
        PolicyReply reply = null;
        while (true) {
            int length = readLine(in, lineBuffer);
            if (length == 0) {
                if (reply == null) throw new MalformedReplyException("reply ended without an action= line");
                return reply;
            }
            String text = new String(lineBuffer, 0, length, StandardCharsets.UTF_8);
            if (text.startsWith("action=")) {
                reply = PolicyReply.parseActionLine(text);
            }
            // Other attributes are allowed by the protocol and ignored, as Postfix ignores them.
        }
    }

    /** Reads one line without its "\n" (and without a "\r" before it); returns its length. */
    private static int readLine(InputStream in, byte[] buffer) throws IOException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) throw new IOException("policy server closed the connection mid-reply");
            if (b == '\n') {
                return length > 0 && buffer[length - 1] == '\r' ? length - 1 : length;
            }
            if (length == buffer.length) throw new MalformedReplyException("reply line longer than " + buffer.length + " bytes");
            buffer[length++] = (byte) b;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
