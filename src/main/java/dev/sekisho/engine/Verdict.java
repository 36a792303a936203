package dev.sekisho.engine;

import java.util.List;
import java.util.Objects;

/**
 * The engine's answer to one transaction.
 *
 * @param action   what the adapter tells the MTA
 * @param decidedBy the explanation of the deciding check, or of the failure verdict; null when no check decided
 * @param trail    every check's explanation, in evaluation order
 * @param notes    explanations of log-only findings that did not decide
 * @param fault    true when the action is the service's failure verdict (a check could not answer)
 */
public record Verdict(Action action, Explanation decidedBy, List<Explanation> trail, List<Explanation> notes, boolean fault) {
    public Verdict {
        Objects.requireNonNull(action, "action");
        trail = List.copyOf(trail);
        notes = List.copyOf(notes);
    }

    /** Worth a log line: anything but a plain DUNNO, or a log-only finding. */
    public boolean notable() {
        return !isDunno() || fault || !notes.isEmpty();
    }

    public boolean isDunno() {
        return action.kind() == Action.Kind.DUNNO;
    }
}
