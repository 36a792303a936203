package dev.sekisho.engine;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the engine answers: the closed set of actions Postfix's access(5) allows, which the
 * adapters render into their own protocol (Dovecot knows only allow and refuse).
 *
 * <p>REJECT and DEFER may carry an SMTP reply code (5xx / 4xx) and an RFC 3463 enhanced status
 * code; without a code Postfix uses its access_map_reject_code / access_map_defer_code.
 *
 * @param kind     which action
 * @param code     SMTP reply code for REJECT (5xx) and DEFER (4xx), 0 when Postfix picks it
 * @param status   RFC 3463 enhanced status code such as "4.7.1", "" when absent
 * @param argument the free text, or the action's argument (FILTER transport:destination,
 *                 REDIRECT/BCC address, PREPEND header)
 */
public record Action(Kind kind, int code, String status, String argument) {

    public enum Kind {
        OK, DUNNO, REJECT, DEFER, DEFER_IF_PERMIT, DEFER_IF_REJECT,
        HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND, INFO, WARN;

        /** Does Postfix go on to accept the mail (perhaps altered) after this action? */
        public boolean accepts() {
            return switch (this) {
                case REJECT, DEFER, DEFER_IF_PERMIT, DEFER_IF_REJECT -> false;
                default -> true;
            };
        }

        /** Actions that act on the message, meaningless where there is none. */
        /** Refusals and HOLD: a reply text is shown to the client (or logged with the held mail). */
        public boolean takesText() {
            return switch (this) {
                case REJECT, DEFER, DEFER_IF_PERMIT, DEFER_IF_REJECT, HOLD -> true;
                default -> false;
            };
        }

        boolean needsMessage() {
            return switch (this) {
                case HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND -> true;
                default -> false;
            };
        }
    }

    // RFC 3463 2: class "." subject "." detail; class 2, 4 or 5, subject and detail 1-3 digits
    private static final Pattern ENHANCED_STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final Pattern ADDRESS = Pattern.compile("[^\\s@<>]+@[^\\s@<>]+");
    private static final Pattern HEADER = Pattern.compile("[!-9;-~]+:.*");
    private static final Pattern FILTER_NEXT_HOP = Pattern.compile("[A-Za-z0-9._-]+:\\S*");

    public static final Action DUNNO = new Action(Kind.DUNNO, 0, "", "");
    public static final Action OK = new Action(Kind.OK, 0, "", "");

    public Action {
        Objects.requireNonNull(kind, "kind");
        status = status == null ? "" : status;
        argument = argument == null ? "" : argument.strip();
        if (argument.indexOf('\n') >= 0 || argument.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("action text must be one line, was: " + argument.replace("\n", "\\n"));
        }
        if (code != 0) {
            switch (kind) {
                case REJECT -> requireRange(code, 500, 599, kind);
                case DEFER -> requireRange(code, 400, 499, kind);
                default -> throw new IllegalArgumentException(kind + " takes no reply code, was " + code);
            }
        }
        if (!status.isEmpty()) {
            if (code == 0) throw new IllegalArgumentException("enhanced status " + status + " needs a reply code");
            if (!ENHANCED_STATUS.matcher(status).matches()) {
                throw new IllegalArgumentException("not an RFC 3463 enhanced status code: " + status);
            }
            if (status.charAt(0) != Integer.toString(code).charAt(0)) {
                // RFC 3463 3.1: the class of the enhanced code follows the reply code's class
                throw new IllegalArgumentException("enhanced status " + status + " does not match reply code " + code);
            }
        }
        switch (kind) {
            case FILTER -> require(FILTER_NEXT_HOP.matcher(argument).matches(), "FILTER needs transport:destination, was: " + argument);
            case REDIRECT, BCC -> require(ADDRESS.matcher(argument).matches(), kind + " needs user@domain, was: " + argument);
            case PREPEND -> require(HEADER.matcher(argument).matches(), "PREPEND needs 'Header-Name: value', was: " + argument);
            case OK, DUNNO -> require(argument.isEmpty(), kind + " takes no text, was: " + argument);
            default -> { }
        }
    }

    public static Action reject(int code, String status, String text) {
        return new Action(Kind.REJECT, code, status, text);
    }

    public static Action defer(int code, String status, String text) {
        return new Action(Kind.DEFER, code, status, text);
    }

    public static Action of(Kind kind, String argument) {
        return new Action(kind, 0, "", argument);
    }

    /** The same action with other text; the code and status stay. */
    public Action withText(String text) {
        return new Action(kind, code, status, text);
    }

    public boolean accepts() {
        return kind.accepts();
    }

    /**
     * Whether Postfix takes this action at the given stage. access(5): PREPEND "cannot execute in
     * the context of smtpd_end_of_data_restrictions"; message actions need a message.
     */
    public boolean allowedAt(Stage stage) {
        if (kind == Kind.PREPEND && stage == Stage.END_OF_MESSAGE) return false;
        return !kind.needsMessage() || stage.hasMessage();
    }

    private static void requireRange(int code, int low, int high, Kind kind) {
        if (code < low || code > high) {
            throw new IllegalArgumentException(kind + " needs a reply code in " + low + ".." + high + ", was " + code);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException(message);
    }
}
