package dev.sekisho.config;

import dev.sekisho.engine.Action;

import java.util.Locale;

/**
 * Actions as an operator writes them, in access(5) style: {@code reject}, {@code DEFER_IF_PERMIT},
 * {@code 450 4.7.1 Slow down}, {@code HOLD suspicious}, {@code FILTER smtp:[127.0.0.1]:10025}.
 * A bare REJECT or DEFER gets 554 5.7.1 or 450 4.7.1 so that every reply carries an enhanced code.
 */
public final class ActionSyntax {
    private ActionSyntax() {
    }

    public static Action parse(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) throw new IllegalArgumentException("an action is needed, e.g. reject, defer, hold or \"450 4.7.1 text\"");
        int space = trimmed.indexOf(' ');
        String word = space < 0 ? trimmed : trimmed.substring(0, space);
        String rest = space < 0 ? "" : trimmed.substring(space + 1).strip();
        if (word.matches("\\d{3}")) {
            int code = Integer.parseInt(word);
            String status = "";
            if (rest.matches("\\d\\.\\d{1,3}\\.\\d{1,3}(\\s.*)?")) {
                int end = rest.indexOf(' ');
                status = end < 0 ? rest : rest.substring(0, end);
                rest = end < 0 ? "" : rest.substring(end + 1).strip();
            }
            return switch (word.charAt(0)) {
                case '4' -> Action.defer(code, status, rest);
                case '5' -> Action.reject(code, status, rest);
                default -> throw new IllegalArgumentException("a reply code must be 4xx or 5xx, was " + code);
            };
        }
        Action.Kind kind;
        try {
            kind = Action.Kind.valueOf(word.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown action \"" + word + "\" (one of ok, dunno, reject, defer, defer_if_permit, "
                    + "defer_if_reject, hold, discard, filter, redirect, bcc, prepend, info, warn, or \"4xx/5xx x.y.z text\")");
        }
        return switch (kind) {
            case REJECT -> Action.reject(554, "5.7.1", rest);
            case DEFER -> Action.defer(450, "4.7.1", rest);
            default -> Action.of(kind, rest);
        };
    }
}
