package dev.sekisho.engine;

import java.util.Optional;

/**
 * What a passing check counts for a request, settled once the engine knows the verdict, so that only accepted mail
 * is counted. A check that only looked as it decided (a rate limit at RCPT) counts on {@link #commit()}; one that
 * counted in the same atomic call that decided (a rate limit at END-OF-MESSAGE) has nothing left to commit and gives
 * its count back on {@link #cancel()} when a later check refuses the mail.
 *
 * <p>The engine calls {@link #commit()} on each charge of an accepted request in order; when one answers a refusal
 * (what it would count no longer fits), or when the mail is refused in the first place, it calls {@link #cancel()}
 * on every charge of the request.
 */
public interface Charge {
    Charge NONE = new Charge() {
        @Override
        public Optional<CheckResult> commit() {
            return Optional.empty();
        }

        @Override
        public void cancel() {
        }
    };

    /**
     * The mail is accepted: count what is left to count. Empty when counted, or the check's refusal when it no longer
     * fits (then nothing was counted). A check whose store call already decided and counted (a rate limit) has nothing
     * left to refuse here; one that counts only now, and can find the room taken meanwhile, refuses.
     */
    Optional<CheckResult> commit();

    /** The mail is refused after all: give back whatever this charge counted, by its check or by {@link #commit()}; nothing when it counted nothing. */
    void cancel();
}
