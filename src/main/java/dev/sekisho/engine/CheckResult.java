package dev.sekisho.engine;

import java.util.Objects;

/**
 * One check's answer. A check either has no objection ({@link #pass}) and the engine asks the next
 * one, or it decides ({@link #decide}) and the engine stops there: a deny list decides REJECT, an
 * allow list decides DUNNO so that later checks are skipped but Postfix's own restrictions still run.
 *
 * @param decisive    true when the engine stops at this answer
 * @param action      the action when decisive, DUNNO otherwise
 * @param explanation why
 * @param charge      what this check counted for the request, undone if the final verdict refuses the mail
 */
public record CheckResult(boolean decisive, Action action, Explanation explanation, Charge charge) {

    public CheckResult {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(explanation, "explanation");
        charge = charge == null ? Charge.NONE : charge;
    }

    public static CheckResult pass(Explanation explanation) {
        return new CheckResult(false, Action.DUNNO, explanation, Charge.NONE);
    }

    public static CheckResult pass(Explanation explanation, Charge charge) {
        return new CheckResult(false, Action.DUNNO, explanation, charge);
    }

    public static CheckResult decide(Action action, Explanation explanation) {
        return new CheckResult(true, action, explanation, Charge.NONE);
    }
}
