package dev.sekisho.postfix;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns one connection's bytes, as they arrive, into policy requests, within the limits.
 *
 * <p>SMTPD_POLICY_README: "a sequence of name=value attributes separated by newline, and is
 * terminated by an empty line". The connection's owner reads into {@link #receiveBuffer()} when
 * the socket has bytes, tells the decoder with {@link #received}, and takes requests with
 * {@link #next()} until it returns null. Lines are taken as soon as their line feed arrives, so a
 * request may be larger than the buffer (up to the request limit) and pipelined requests already
 * here are served without another read.
 *
 * <p>Time: the decoder notes when the first byte of a request arrived; from then on the request
 * has one deadline ({@link #requestDeadline()}) across all its reads, so a client trickling a byte
 * at a time is cut off when it passes. The owner enforces the deadline; the decoder never blocks.
 */
final class PolicyRequestDecoder {

    private static final int MIN_BUFFER_BYTES = 8192;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private final PolicyServerLimits limits;
    private final long requestTimeoutNanos;
    private final byte[] buffer;
    /** The same bytes, for channel reads: its position and limit are set before each read. */
    private final ByteBuffer receiveView;
    private int position;  // first byte not yet consumed
    private int limit;     // end of the bytes received so far
    private int scanFrom;  // bytes before this (from position) hold no line feed
    /** Reused for every request on this connection; build() copies out what one request filled. */
    private final PolicyAttributes.Builder builder = new PolicyAttributes.Builder();
    /**
     * By known slot, and at {@link #REQUEST_START} for the first line: the slot whose name came next the last time.
     * Postfix sends its attributes in the same order every time, so on a connection the guess is nearly always right
     * and a line's name costs one comparison instead of a search among the names of its length.
     */
    private final int[] slotAfter = new int[PolicyAttributes.knownSlots() + 1];
    private static final int REQUEST_START = PolicyAttributes.knownSlots();
    private int previousSlot = REQUEST_START;
    private boolean attributesStarted;
    private int requestBytes;
    private boolean inRequest;
    private long requestDeadline;
    private long lastReceivedNanos;

    PolicyRequestDecoder(PolicyServerLimits limits) {
        this.limits = limits;
        this.requestTimeoutNanos = limits.requestTimeout().toNanos();
        // Room for the longest allowed line with its CR LF, so a valid line always fits.
        this.buffer = new byte[Math.max(MIN_BUFFER_BYTES, limits.maxLineBytes() + 2)];
        this.receiveView = ByteBuffer.wrap(buffer);
        java.util.Arrays.fill(slotAfter, -1);
    }

    /**
     * Where the next read goes: a buffer whose remaining space follows the bytes not yet decoded.
     * Never full: an unfinished line longer than the limit is an error before it fills the buffer.
     */
    ByteBuffer receiveBuffer() {
        if (position == limit) {
            position = limit = scanFrom = 0;
        } else if (limit == buffer.length) {
            int pending = limit - position;
            System.arraycopy(buffer, position, buffer, 0, pending);
            scanFrom -= position;
            limit = pending;
            position = 0;
        }
        receiveView.limit(buffer.length).position(limit);
        return receiveView;
    }

    /**
     * Takes note of {@code count} bytes just read into {@link #receiveBuffer()}.
     *
     * @param nowNanos monotonic time of the read; starts the request's deadline at its first byte
     */
    void received(int count, long nowNanos) {
        if (count <= 0) return;
        limit += count;
        lastReceivedNanos = nowNanos;
        if (!inRequest) startRequest(nowNanos);
    }

    /** True while bytes of an unfinished request have arrived: the request deadline applies. */
    boolean inRequest() {
        return inRequest;
    }

    /** When the request now arriving must be complete, on the clock given to {@link #received}; only while {@link #inRequest()}. */
    long requestDeadline() {
        return requestDeadline;
    }

    /**
     * The owner reads again after a pause it chose (the client had not read its replies): the
     * request under way gets its whole time from now, as it would had it arrived now.
     */
    void resumed(long nowNanos) {
        if (inRequest) requestDeadline = nowNanos + requestTimeoutNanos;
    }

    /** The client closed its side: fine between requests, an error inside one. */
    void endOfStream() throws PolicyProtocolException {
        if (inRequest) throw PolicyProtocolException.of("connection closed in the middle of a request");
    }

    /**
     * The next complete request, or null when its end has not arrived yet.
     *
     * @throws PolicyProtocolException when the request is malformed or exceeds a limit; the
     *                                 connection cannot be read further
     */
    PolicyRequest next() throws PolicyProtocolException {
        while (true) {
            int lineFeed = indexOfLineFeed(scanFrom);
            if (lineFeed < 0) {
                scanFrom = limit;
                int pending = limit - position;
                // +1: the line may still end in a CR that is not part of its length
                if (pending > limits.maxLineBytes() + 1) throw lineTooLong();
                if (requestBytes + pending > limits.maxRequestBytes()) throw requestTooLarge();
                return null;
            }
            int lineStart = position;
            int lineEnd = lineFeed;
            // Lenient about CRLF: strip one CR before the LF (hand-typed tests, non-Postfix clients).
            if (lineEnd > lineStart && buffer[lineEnd - 1] == '\r') lineEnd--;
            int lineLength = lineEnd - lineStart;
            if (lineLength > limits.maxLineBytes()) throw lineTooLong();
            requestBytes += lineFeed + 1 - lineStart;
            if (requestBytes > limits.maxRequestBytes()) throw requestTooLarge();
            position = lineFeed + 1;
            scanFrom = position;
            if (lineLength == 0) {
                // SMTPD_POLICY_README: the empty line ends the request.
                if (!attributesStarted) throw PolicyProtocolException.of("empty request (an empty line without attributes)");
                PolicyRequest request = PolicyRequest.fromAttributes(builder.build());
                endRequest();
                return request;
            }
            if (!attributesStarted) {
                builder.reset();
                previousSlot = REQUEST_START;
                attributesStarted = true;
            }
            addAttribute(lineStart, lineEnd);
            if (builder.size() > limits.maxAttributes()) {
                throw PolicyProtocolException.of("more than " + limits.maxAttributes() + " attributes");
            }
        }
    }

    private void startRequest(long nowNanos) {
        inRequest = true;
        requestDeadline = nowNanos + requestTimeoutNanos;
    }

    /** A pipelined request whose first bytes are already here started when they arrived. */
    private void endRequest() {
        attributesStarted = false;
        requestBytes = 0;
        inRequest = false;
        if (position < limit) startRequest(lastReceivedNanos);
    }

    private int indexOfLineFeed(int from) {
        return indexOf(buffer, from, limit, (byte) '\n');
    }

    /**
     * The first {@code wanted} in {@code bytes[from, to)}, or -1. Eight bytes per step: a request is 600-700 bytes in
     * about thirty lines, and a byte at a time this search was most of the cost of decoding it.
     */
    static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        long pattern = (wanted & 0xFFL) * ONES;
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long word = (long) PolicyAttributes.EIGHT_BYTES.get(bytes, i) ^ pattern; // a zero byte where the wanted one is
            // The lowest byte that is zero sets its high bit here; a borrow can only set bits above it.
            long zeros = (word - ONES) & ~word & HIGH_BITS;
            if (zeros != 0) return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
        }
        for (; i < to; i++) {
            if (bytes[i] == wanted) return i;
        }
        return -1;
    }

    // SMTPD_POLICY_README: each line is name=value; the value may itself contain '=', so only the
    // first '=' separates. Names are ASCII; values are bytes Postfix got from the client, which
    // are UTF-8 with SMTPUTF8.
    private void addAttribute(int lineStart, int lineEnd) throws PolicyProtocolException {
        // Postfix sends its attributes in the same order every time: the name that followed this line's predecessor
        // last time is checked first, with its '=', and then no search for the '=' is needed.
        int guess = slotAfter[previousSlot];
        int knownSlot;
        int equals;
        if (guess >= 0 && PolicyAttributes.startsWithNameAndEquals(guess, buffer, lineStart, lineEnd)) {
            knownSlot = guess;
            equals = lineStart + PolicyAttributes.nameLength(guess);
        } else {
            equals = indexOf(buffer, lineStart, lineEnd, (byte) '=');
            if (equals < 0) {
                throw new PolicyProtocolException("attribute line without '='", "",
                        new String(buffer, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8));
            }
            if (equals == lineStart) {
                throw new PolicyProtocolException("attribute without a name", "",
                        new String(buffer, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8));
            }
            // The names Postfix sends cost no allocation per request, and their values are decoded
            // only if read (PolicyAttributes).
            knownSlot = PolicyAttributes.knownSlot(buffer, lineStart, equals - lineStart);
            if (knownSlot >= 0) slotAfter[previousSlot] = knownSlot;
        }
        int valueStart = equals + 1;
        if (knownSlot >= 0) previousSlot = knownSlot;
        boolean added = knownSlot >= 0
                ? builder.putBytes(knownSlot, buffer, valueStart, lineEnd - valueStart)
                : builder.put(new String(buffer, lineStart, equals - lineStart, StandardCharsets.ISO_8859_1), value(valueStart, lineEnd));
        // Postfix sends each attribute once; a second copy would make the request ambiguous.
        if (!added) {
            String name = knownSlot >= 0 ? PolicyAttributes.knownName(knownSlot)
                    : new String(buffer, lineStart, equals - lineStart, StandardCharsets.ISO_8859_1);
            throw new PolicyProtocolException("attribute sent twice", name, value(valueStart, lineEnd));
        }
    }

    private String value(int start, int end) {
        return start == end ? "" : new String(buffer, start, end - start, StandardCharsets.UTF_8);
    }

    private PolicyProtocolException lineTooLong() {
        return PolicyProtocolException.of("attribute line longer than " + limits.maxLineBytes() + " bytes");
    }

    private PolicyProtocolException requestTooLarge() {
        return PolicyProtocolException.of("request larger than " + limits.maxRequestBytes() + " bytes");
    }
}
