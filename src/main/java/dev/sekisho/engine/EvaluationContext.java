package dev.sekisho.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * @param now      the engine's clock reading for this request; checks never read a clock themselves
 * @param deadline when the answer must be ready; a check doing I/O waits no longer than this
 * @param dryRun   look, but count and store nothing
 * @param doubts   what earlier checks of this request found doubtful ({@link CheckResult#doubt}), in order
 */
public record EvaluationContext(Instant now, Instant deadline, boolean dryRun, List<Explanation> doubts) {
    public EvaluationContext {
        doubts = List.copyOf(doubts);
    }

    public EvaluationContext(Instant now, Instant deadline, boolean dryRun) {
        this(now, deadline, dryRun, List.of());
    }

    /** The same context with one more doubt; doubts are rare, so a copy costs nothing on the usual path. */
    public EvaluationContext withDoubt(Explanation doubt) {
        List<Explanation> more = new ArrayList<>(doubts.size() + 1);
        more.addAll(doubts);
        more.add(doubt);
        return new EvaluationContext(now, deadline, dryRun, more);
    }
}
