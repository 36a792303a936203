package dev.sekisho.engine;

import java.util.Objects;

/**
 * One check's answer. A check either has no objection ({@link #pass}) and the engine asks the next
 * one, or it decides ({@link #decide}) and the engine stops there: a deny list decides REJECT, an
 * allow list decides DUNNO so that later checks are skipped but Postfix's own restrictions still run.
 *
 * @param decisive    true when the engine stops at this answer
 * @param notable     a non-decisive answer worth a log line (a rule in log-only mode saw something)
 * @param action      the action when decisive, DUNNO otherwise
 * @param explanation why
 * @param charge      what this check would count for the request, counted only if the final verdict accepts the mail
 */
public record CheckResult(boolean decisive, boolean notable, Action action, Explanation explanation, Charge charge) {

    public CheckResult {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(explanation, "explanation");
        charge = charge == null ? Charge.NONE : charge;
    }

    public static CheckResult pass(Explanation explanation) {
        return new CheckResult(false, false, Action.DUNNO, explanation, Charge.NONE);
    }

    public static CheckResult pass(Explanation explanation, Charge charge) {
        return new CheckResult(false, false, Action.DUNNO, explanation, charge);
    }

    /** No objection, but the operator wants to hear about it (log-only rules). */
    public static CheckResult note(Explanation explanation) {
        return new CheckResult(false, true, Action.DUNNO, explanation, Charge.NONE);
    }

    public static CheckResult decide(Action action, Explanation explanation) {
        return new CheckResult(true, true, action, explanation, Charge.NONE);
    }
}
