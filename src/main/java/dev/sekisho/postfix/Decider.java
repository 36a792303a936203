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

    /**
     * Called on an event loop after it decided a batch of requests and before it sends the first of their answers:
     * what the decisions counted must survive a crash of this process before Postfix hears them (the application
     * flushes its state store here). One call covers the whole batch, so that its decisions share one write; it comes
     * on the same thread as the batch's decisions, in every wake-up that decided anything (the application hands the
     * batch's verdict lines to its log writer here, and relies on that). A
     * failure is logged and the answers still go out: mail is never held up because state could not be written.
     */
    default void beforeAnswering() {
    }
}
