package dev.sekisho.postfix;

import dev.sekisho.engine.Transaction;
import dev.sekisho.engine.Verdict;

/**
 * What the policy server asks for each request; the application passes {@code engine::decide}.
 * Called concurrently from the server's event loops, each deciding for many connections in turn,
 * so it must answer from memory: a decider that waited on the network would hold up every
 * connection of its loop. A decider that throws gets DUNNO sent for that
 * request (logged); the connection stays open.
 */
@FunctionalInterface
public interface Decider {
    Verdict decide(Transaction transaction);
}
