package dev.sekisho.bench;

import java.io.IOException;
import java.util.Locale;

/**
 * A policy server's answer: {@code action=WORD [text]}. The generator counts replies by
 * {@link #actionWord()}, so "DEFER_IF_PERMIT greylisted" and "DEFER_IF_PERMIT try later" both
 * count as DEFER_IF_PERMIT, and "450 4.7.1 slow down" counts as "450".
 *
 * @param action the whole value after {@code action=}
 */
public record PolicyReply(String action) {

    public PolicyReply {
        if (action.isBlank()) throw new IllegalArgumentException("empty action in policy reply");
    }

    /** Parses the reply's action line, e.g. {@code action=DUNNO}. */
    public static PolicyReply parseActionLine(String line) throws MalformedReplyException {
        if (!line.startsWith("action=")) throw new MalformedReplyException("expected action=..., got '" + line + "'");
        String action = line.substring("action=".length()).strip();
        if (action.isEmpty()) throw new MalformedReplyException("empty action in '" + line + "'");
        return new PolicyReply(action);
    }

    /** The first word of the action, upper-cased (access(5) actions are case-insensitive). */
    public String actionWord() {
        int space = action.indexOf(' ');
        return (space < 0 ? action : action.substring(0, space)).toUpperCase(Locale.ROOT);
    }

    /** The reply did not follow the policy protocol. */
    public static final class MalformedReplyException extends IOException {
        public MalformedReplyException(String message) {
            super(message);
        }
    }
}
