package dev.sekisho.engine;

import java.util.Optional;

/**
 * What a passing check would count (a rate-limit slot, say), counted only once the engine knows
 * the mail is accepted: a refused request costs the check a read, not a write and an undo.
 *
 * <p>{@link #commit()} counts atomically and re-checks: when concurrent requests took the last
 * slot since the check looked, it answers the refusal instead, and the engine refuses the mail
 * (undoing what earlier checks already committed for it).
 */
public interface Charge {
    Charge NONE = new Charge() {
        @Override
        public Optional<CheckResult> commit() {
            return Optional.empty();
        }

        @Override
        public void refund() {
        }
    };

    /** Count it; empty when counted, or the check's refusal when it no longer fits. */
    Optional<CheckResult> commit();

    /** Undo a successful {@link #commit()}. */
    void refund();
}
