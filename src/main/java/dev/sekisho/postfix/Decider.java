package dev.sekisho.postfix;

import dev.sekisho.engine.Transaction;
import dev.sekisho.engine.Verdict;

/**
 * What the policy server asks for each request; the application passes {@code engine::decide}.
 * Called concurrently from many connections. A decider that throws gets DUNNO sent for that
 * request (logged); the connection stays open.
 */
@FunctionalInterface
public interface Decider {
    Verdict decide(Transaction transaction);
}
