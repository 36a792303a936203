package dev.sekisho.engine;

import java.util.Objects;

/**
 * One check's answer. A check either has no objection ({@link #pass}) and the engine asks the next
 * one, or it decides ({@link #decide}) and the engine stops there: a deny list decides REJECT, an
 * allow list decides DUNNO so that later checks are skipped but Postfix's own restrictions still run.
 *
 * <p>Two non-decisive answers carry more: a {@link #doubt} marks the mail doubtful (a soft limit is
 * over, a log-only rule saw something) for a later routing check to read from the
 * {@link EvaluationContext}; a {@link #route} names where accepted mail goes (FILTER transport:) and
 * applies only if no later check refuses it.
 *
 * @param decisive    true when the engine stops at this answer
 * @param notable     a non-decisive answer worth a log line (a rule in log-only mode saw something)
 * @param action      the action when decisive or a route, DUNNO otherwise
 * @param explanation why
 * @param charge      what this check counts for the request, settled by the final verdict: committed when it accepts the mail,
 *                    cancelled (given back) when it refuses
 * @param doubtful    this answer marks the mail doubtful (never decisive)
 */
public record CheckResult(boolean decisive, boolean notable, Action action, Explanation explanation, Charge charge,
                          boolean doubtful) {

    public CheckResult {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(explanation, "explanation");
        charge = charge == null ? Charge.NONE : charge;
        if (doubtful && decisive) throw new IllegalArgumentException("a doubt is never decisive");
    }

    public CheckResult(boolean decisive, boolean notable, Action action, Explanation explanation, Charge charge) {
        this(decisive, notable, action, explanation, charge, false);
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

    /** No objection, but the mail is doubtful: logged, and seen by later checks in {@link EvaluationContext#doubts()}. */
    public static CheckResult doubt(Explanation explanation) {
        return new CheckResult(false, true, Action.DUNNO, explanation, Charge.NONE, true);
    }

    public static CheckResult decide(Action action, Explanation explanation) {
        return new CheckResult(true, true, action, explanation, Charge.NONE);
    }

    /**
     * Where the mail goes if it is accepted (a FILTER): the engine goes on asking later checks, and
     * their refusals win; when none decides, or one decides plain DUNNO, this is the verdict.
     */
    public static CheckResult route(Action action, Explanation explanation) {
        if (!action.accepts() || action.kind() == Action.Kind.DUNNO) {
            throw new IllegalArgumentException("a route is an accepting action such as FILTER, was " + action.kind());
        }
        return new CheckResult(false, true, action, explanation, Charge.NONE);
    }

    /** A {@link #route}: not decisive, yet an action other than DUNNO. */
    public boolean routes() {
        return !decisive && action.kind() != Action.Kind.DUNNO;
    }
}
