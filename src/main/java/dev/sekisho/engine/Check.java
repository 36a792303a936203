package dev.sekisho.engine;

/**
 * One small, named, separately testable rule. Implementations are immutable and thread safe; the
 * state they count lives in a state store passed to them when they are built.
 */
public interface Check {

    /** The name the configuration gives this check; it appears in every explanation. */
    String name();

    /**
     * Answer for one transaction. With {@code context.dryRun()} nothing may be counted or stored
     * (used by {@code sekisho explain}).
     *
     * @throws CheckUnavailableException when a dependency cannot answer (before the deadline)
     */
    CheckResult evaluate(Transaction transaction, EvaluationContext context);
}
