package dev.sekisho.postfix;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Reads policy requests from one connection's byte stream, one after another, within the limits.
 *
 * <p>SMTPD_POLICY_README: "a sequence of name=value attributes separated by newline, and is
 * terminated by an empty line". The reader keeps its own buffer and finds line ends by scanning
 * bytes, so a request costs one copy of its values, and pipelined requests already in the buffer
 * are served without another read.
 *
 * <p>Time: while waiting for the first byte of a request the deadline is the idle timeout from
 * then; from the first byte on, the request has one deadline across all its reads, so a client
 * trickling a byte at a time is cut off when it passes. The reader only announces its deadline
 * ({@link ReadDeadline}); whoever owns the socket closes it when the deadline passes, and the read
 * that fails then is reported as the timeout it is. Reads carry no socket timeout: the JDK makes a
 * timed read non-blocking and waits in poll(2), two more system calls per read on a platform
 * thread (on a virtual thread, a timer registered and cancelled per read).
 */
final class PolicyRequestReader {

    /** Where the reader announces when its blocked read is to be cut off. */
    @FunctionalInterface
    interface ReadDeadline {
        /** @param deadlineNanos on the reader's clock; {@link #NONE} while no read is pending */
        void arm(long deadlineNanos);
    }

    /** No deadline: the reader is not waiting for the client. */
    static final long NONE = Long.MAX_VALUE;

    private static final int MIN_BUFFER_BYTES = 8192;

    private final InputStream in;
    private final PolicyServerLimits limits;
    private final ReadDeadline readDeadline;
    private final LongSupplier nanoClock;
    private final long idleTimeoutNanos;
    private final long requestTimeoutNanos;
    private final byte[] buffer;
    private int position; // first byte not yet consumed
    private int limit;    // end of the bytes read so far
    private long armedDeadline = NONE;
    /** Reused for every request on this connection; build() copies out what one request filled. */
    private final PolicyAttributes.Builder builder = new PolicyAttributes.Builder();

    /**
     * @param in          the connection's raw input stream (the reader buffers itself)
     * @param readDeadline told the deadline of each blocking read; called only when it changes
     * @param nanoClock    monotonic time in nanoseconds (System::nanoTime; tests move it)
     */
    PolicyRequestReader(InputStream in, PolicyServerLimits limits, ReadDeadline readDeadline, LongSupplier nanoClock) {
        this.in = in;
        this.limits = limits;
        this.readDeadline = readDeadline;
        this.nanoClock = nanoClock;
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.requestTimeoutNanos = limits.requestTimeout().toNanos();
        // Room for the longest allowed line with its CR LF, so a valid line always fits.
        this.buffer = new byte[Math.max(MIN_BUFFER_BYTES, limits.maxLineBytes() + 2)];
    }

    /**
     * The next request, or null when the client closed the connection between requests.
     *
     * @throws SocketTimeoutException  when no request began within the idle timeout
     * @throws PolicyProtocolException when the request is malformed, exceeds a limit, is not
     *                                 complete by its deadline, or the connection ends inside it
     */
    PolicyRequest read() throws IOException, PolicyProtocolException {
        PolicyAttributes.Builder attributes = null; // this.attributes once the request has a line
        int requestBytes = 0;
        long deadline = 0;
        boolean started = position < limit; // a pipelined request is already here
        if (started) deadline = nanoClock.getAsLong() + requestTimeoutNanos;
        int scanFrom = position;
        while (true) {
            int lineFeed = indexOfLineFeed(scanFrom);
            if (lineFeed < 0) {
                int pending = limit - position;
                // +1: the line may still end in a CR that is not part of its length
                if (pending > limits.maxLineBytes() + 1) {
                    throw PolicyProtocolException.of("attribute line longer than " + limits.maxLineBytes() + " bytes");
                }
                if (requestBytes + pending > limits.maxRequestBytes()) throw requestTooLarge();
                scanFrom = limit;
                if (limit == buffer.length) {
                    System.arraycopy(buffer, position, buffer, 0, pending);
                    scanFrom -= position;
                    limit = pending;
                    position = 0;
                }
                int count = fill(started, deadline);
                if (count < 0) {
                    if (!started) return null;
                    throw PolicyProtocolException.of("connection closed in the middle of a request");
                }
                if (!started && count > 0) {
                    started = true;
                    deadline = nanoClock.getAsLong() + requestTimeoutNanos;
                }
                continue;
            }
            int lineStart = position;
            int lineEnd = lineFeed;
            // Lenient about CRLF: strip one CR before the LF (hand-typed tests, non-Postfix clients).
            if (lineEnd > lineStart && buffer[lineEnd - 1] == '\r') lineEnd--;
            int lineLength = lineEnd - lineStart;
            if (lineLength > limits.maxLineBytes()) {
                throw PolicyProtocolException.of("attribute line longer than " + limits.maxLineBytes() + " bytes");
            }
            requestBytes += lineFeed + 1 - lineStart;
            if (requestBytes > limits.maxRequestBytes()) throw requestTooLarge();
            position = lineFeed + 1;
            scanFrom = position;
            if (lineLength == 0) {
                // SMTPD_POLICY_README: the empty line ends the request.
                if (attributes == null) throw PolicyProtocolException.of("empty request (an empty line without attributes)");
                arm(NONE); // deciding and answering is not the client's time
                return PolicyRequest.fromAttributes(attributes.build());
            }
            if (attributes == null) {
                attributes = builder;
                attributes.reset();
            }
            addAttribute(attributes, lineStart, lineEnd);
            if (attributes.size() > limits.maxAttributes()) {
                throw PolicyProtocolException.of("more than " + limits.maxAttributes() + " attributes");
            }
        }
    }

    private int indexOfLineFeed(int from) {
        for (int i = from; i < limit; i++) {
            if (buffer[i] == '\n') return i;
        }
        return -1;
    }

    // SMTPD_POLICY_README: each line is name=value; the value may itself contain '=', so only the
    // first '=' separates. Names are ASCII; values are bytes Postfix got from the client, which
    // are UTF-8 with SMTPUTF8.
    private void addAttribute(PolicyAttributes.Builder attributes, int lineStart, int lineEnd) throws PolicyProtocolException {
        int equals = -1;
        for (int i = lineStart; i < lineEnd; i++) {
            if (buffer[i] == '=') {
                equals = i;
                break;
            }
        }
        if (equals < 0) {
            throw new PolicyProtocolException("attribute line without '='", "",
                    new String(buffer, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8));
        }
        if (equals == lineStart) {
            throw new PolicyProtocolException("attribute without a name", "",
                    new String(buffer, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8));
        }
        int valueStart = equals + 1;
        // The names Postfix sends cost no allocation per request, and their values are decoded
        // only if read (PolicyAttributes).
        String known = PolicyAttributes.knownName(buffer, lineStart, equals - lineStart);
        boolean added = known != null
                ? attributes.putBytes(known, buffer, valueStart, lineEnd - valueStart)
                : attributes.put(new String(buffer, lineStart, equals - lineStart, StandardCharsets.ISO_8859_1), value(valueStart, lineEnd));
        // Postfix sends each attribute once; a second copy would make the request ambiguous.
        if (!added) {
            String name = known != null ? known : new String(buffer, lineStart, equals - lineStart, StandardCharsets.ISO_8859_1);
            throw new PolicyProtocolException("attribute sent twice", name, value(valueStart, lineEnd));
        }
    }

    private String value(int start, int end) {
        return start == end ? "" : new String(buffer, start, end - start, StandardCharsets.UTF_8);
    }

    private int fill(boolean started, long requestDeadline) throws IOException, PolicyProtocolException {
        long deadline;
        if (started) {
            if (requestDeadline - nanoClock.getAsLong() <= 0) throw requestTimedOut();
            deadline = requestDeadline;
        } else {
            deadline = nanoClock.getAsLong() + idleTimeoutNanos;
        }
        arm(deadline);
        try {
            int count = in.read(buffer, limit, buffer.length - limit);
            if (count > 0) limit += count;
            return count;
        } catch (IOException e) {
            // The socket's owner closed it because the deadline passed (or a socket timeout fired).
            boolean deadlinePassed = e instanceof SocketTimeoutException || nanoClock.getAsLong() - deadline >= 0;
            if (!deadlinePassed) throw e;
            if (started) throw requestTimedOut();
            throw new SocketTimeoutException("no request within " + limits.idleTimeout().toMillis() + " ms");
        }
    }

    private void arm(long deadline) {
        if (deadline != armedDeadline) {
            readDeadline.arm(deadline);
            armedDeadline = deadline;
        }
    }

    private PolicyProtocolException requestTooLarge() {
        return PolicyProtocolException.of("request larger than " + limits.maxRequestBytes() + " bytes");
    }

    private PolicyProtocolException requestTimedOut() {
        return PolicyProtocolException.of("request not complete within " + limits.requestTimeout().toMillis() + " ms");
    }
}
