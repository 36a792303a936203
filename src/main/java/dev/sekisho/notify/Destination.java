package dev.sekisho.notify;

import dev.sekisho.engine.Restriction;

import java.time.Instant;

/** One receiver of notifications: a webhook endpoint, the user's mailbox, support's mailbox. */
public interface Destination {

    /** Whether this receiver is told about this restriction at all (its subject kinds, an address to write to). */
    boolean wants(Restriction restriction);

    /**
     * One attempt, made on the notifier's sender thread (never the engine's). Must not throw for
     * a failure of the receiver: that is an outcome.
     *
     * @param now the time of this attempt (signatures and Date headers carry it)
     */
    DeliveryOutcome deliver(Restriction restriction, Instant now);

    /**
     * Names this receiver the same way across restarts ("webhook https://...", "mail user"): the outbox keeps a
     * waiting delivery under it, and the next start finds the receiver again by it.
     */
    String key();

    /** Names the receiver in logs ("webhook https://...", "mail to user alice@example.jp"). */
    String describe(Restriction restriction);

    /** Release connections and threads; called once the notifier's sender has stopped. */
    default void close() {
    }
}
