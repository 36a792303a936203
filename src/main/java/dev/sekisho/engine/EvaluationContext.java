package dev.sekisho.engine;

import java.time.Instant;

/**
 * @param now      the engine's clock reading for this request; checks never read a clock themselves
 * @param deadline when the answer must be ready; a check doing I/O waits no longer than this
 * @param dryRun   look, but count and store nothing
 */
public record EvaluationContext(Instant now, Instant deadline, boolean dryRun) {
}
