package dev.sekisho.bench;

import java.nio.ByteBuffer;

/**
 * Finds policy replies in the bytes one connection receives, in whatever pieces they arrive:
 * {@code name=value} lines up to the empty line that ends a reply (Postfix
 * SMTPD_POLICY_README, "Protocol description"), keeping the word of the last {@code action=}
 * line. Works on the received bytes in place: nothing is allocated per reply. Not thread safe.
 */
final class ReplyScanner {

    /** Longer reply lines are not a policy server talking; Postfix limits them too. */
    static final int MAX_LINE_BYTES = 4096;
    private static final byte[] ACTION = {'a', 'c', 't', 'i', 'o', 'n', '='};

    /** Received bytes in [0, position): the caller reads into it, then calls {@link #scan}. */
    private final ByteBuffer buffer;
    private final ActionCounts actions;
    /** Where the line being read starts. */
    private int lineStart;
    /** Bytes before this have been looked at. */
    private int scanned;
    private ActionCounts.Word action;

    /** @param direct a direct buffer, for a socket channel to read into without a copy */
    ReplyScanner(ActionCounts actions, boolean direct) {
        this.actions = actions;
        // Room for a whole line of the longest allowed length after the lines before it are dropped.
        int capacity = 2 * MAX_LINE_BYTES;
        this.buffer = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    /** Where to put received bytes (append at its position). */
    ByteBuffer buffer() {
        return buffer;
    }

    /** True when some of a reply has arrived: a connection closed now closed mid-reply. */
    boolean inReply() {
        return buffer.position() > 0;
    }

    /**
     * Looks at the bytes received since the last call. Returns the reply's action word once its
     * empty line has arrived, and is then ready for the next reply; null while the reply is
     * incomplete.
     *
     * @throws MalformedReplyException when the bytes are not one policy reply: no action, an
     *         empty action, a line longer than {@value #MAX_LINE_BYTES} bytes, or bytes after the
     *         empty line (in a closed loop nothing may follow a reply before the next request)
     */
    ActionCounts.Word scan() throws MalformedReplyException {
        int end = buffer.position();
        for (int i = scanned; i < end; i++) {
            if (buffer.get(i) != '\n') continue;
            int lineEnd = i > lineStart && buffer.get(i - 1) == '\r' ? i - 1 : i;
            if (lineEnd - lineStart > MAX_LINE_BYTES) throw lineTooLong();
            if (lineEnd == lineStart) {
                if (action == null) throw new MalformedReplyException("reply ended without an action= line");
                if (i + 1 != end) {
                    throw new MalformedReplyException((end - i - 1) + " bytes after the reply's empty line, before the next request");
                }
                ActionCounts.Word word = action;
                reset();
                return word;
            }
            if (startsWithAction(lineStart, lineEnd)) action = actionWord(lineStart + ACTION.length, lineEnd);
            // Other attributes are allowed by the protocol and ignored, as Postfix ignores them.
            lineStart = i + 1;
        }
        scanned = end;
        if (end - lineStart > MAX_LINE_BYTES + 1) throw lineTooLong(); // + 1: a "\r" may still come
        if (end == buffer.capacity()) {
            // Drop the lines already read; the line being read moves to the start.
            buffer.limit(end).position(lineStart);
            buffer.compact();
            scanned -= lineStart;
            lineStart = 0;
        }
        return null;
    }

    /** Forgets a reply in progress (the connection was replaced). */
    void reset() {
        buffer.clear();
        lineStart = 0;
        scanned = 0;
        action = null;
    }

    private boolean startsWithAction(int from, int to) {
        if (to - from < ACTION.length) return false;
        for (int i = 0; i < ACTION.length; i++) {
            if (buffer.get(from + i) != ACTION[i]) return false;
        }
        return true;
    }

    /** The action's first word: the value stripped of white space, up to its first space. */
    private ActionCounts.Word actionWord(int from, int to) throws MalformedReplyException {
        while (from < to && isWhitespace(buffer.get(from))) from++;
        while (to > from && isWhitespace(buffer.get(to - 1))) to--;
        if (from == to) throw new MalformedReplyException("empty action in a reply's action= line");
        int wordEnd = from;
        while (wordEnd < to && buffer.get(wordEnd) != ' ') wordEnd++;
        return actions.find(buffer, from, wordEnd);
    }

    /** What String.strip() removes, for ASCII. */
    private static boolean isWhitespace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r') || (b >= 0x1c && b <= 0x1f);
    }

    private static MalformedReplyException lineTooLong() {
        return new MalformedReplyException("reply line longer than " + MAX_LINE_BYTES + " bytes");
    }
}
