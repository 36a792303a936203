package dev.sekisho.engine;

/**
 * What a check counted while it answered (a rate-limit slot, say). Checks count and decide in one
 * atomic step; when a later check refuses the mail, the engine refunds, so that only mail that is
 * accepted stays charged.
 */
@FunctionalInterface
public interface Charge {
    Charge NONE = () -> { };

    void refund();
}
