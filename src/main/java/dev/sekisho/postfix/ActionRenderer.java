package dev.sekisho.postfix;

import dev.sekisho.engine.Action;
import java.nio.charset.StandardCharsets;

/**
 * Renders the engine's {@link Action} as a policy delegation reply: {@code action=...} followed by
 * an empty line (SMTPD_POLICY_README: "the policy server replies with ... action=... [empty
 * line]"), where the action is one that access(5) allows.
 */
public final class ActionRenderer {

    // access(5) "4NN text" / "5NN text": Postfix only takes a numeric reply when text follows the
    // code (smtpd_check: a bare "550" is not a reply), and itself says "Access denied" otherwise.
    static final String DEFAULT_REPLY_TEXT = "Access denied";

    private static final byte[] DUNNO = bytes("action=DUNNO\n\n");
    private static final byte[] OK = bytes("action=OK\n\n");

    private ActionRenderer() {
    }

    /** The reply bytes, ready to write: UTF-8, ending in "\n\n". */
    public static byte[] render(Action action) {
        // The two most frequent answers are constants; callers must not modify the array.
        return switch (action.kind()) {
            case DUNNO -> DUNNO;
            case OK -> OK;
            default -> bytes(renderText(action));
        };
    }

    /** The reply as text, ending in "\n\n". */
    public static String renderText(Action action) {
        StringBuilder reply = new StringBuilder(32 + action.argument().length()).append("action=");
        String argument = action.argument();
        switch (action.kind()) {
            case REJECT, DEFER -> {
                if (action.code() != 0) {
                    // access(5): "4NN text", "5NN text"; RFC 3463 status right after the code (RFC 2034)
                    reply.append(action.code());
                    if (!action.status().isEmpty()) reply.append(' ').append(action.status());
                    reply.append(' ').append(argument.isEmpty() ? DEFAULT_REPLY_TEXT : argument);
                } else {
                    // access(5): "REJECT optional text...", "DEFER optional text..."; Postfix picks the
                    // code from access_map_reject_code / access_map_defer_code
                    appendWithOptionalText(reply, action.kind().name(), argument);
                }
            }
            // access(5): "DEFER_IF_PERMIT optional text...", "DEFER_IF_REJECT optional text...",
            // "HOLD optional text...", "DISCARD optional text...", "INFO optional text...",
            // "WARN optional text..."
            case DEFER_IF_PERMIT, DEFER_IF_REJECT, HOLD, DISCARD, INFO, WARN ->
                    appendWithOptionalText(reply, action.kind().name(), argument);
            // access(5): "FILTER transport:destination", "REDIRECT user@domain", "BCC user@domain",
            // "PREPEND headername: headervalue"; Action guarantees the argument's form
            case FILTER, REDIRECT, BCC, PREPEND -> reply.append(action.kind().name()).append(' ').append(argument);
            case OK, DUNNO -> reply.append(action.kind().name());
        }
        return reply.append("\n\n").toString();
    }

    private static void appendWithOptionalText(StringBuilder reply, String verb, String text) {
        reply.append(verb);
        if (!text.isEmpty()) reply.append(' ').append(text);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
