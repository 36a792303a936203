package dev.sekisho.notify;

import java.time.Duration;

/** What one attempt to deliver a notification came to. */
public sealed interface DeliveryOutcome {

    /** The receiver took it: done. */
    record Delivered(String detail) implements DeliveryOutcome {
    }

    /**
     * A temporary failure: try again later.
     *
     * @param notBefore the receiver's own wish (HTTP Retry-After), or null to follow the backoff
     */
    record Retry(String why, Duration notBefore) implements DeliveryOutcome {
        public Retry(String why) {
            this(why, null);
        }
    }

    /** A permanent failure: another attempt would fail the same way. */
    record GiveUp(String why) implements DeliveryOutcome {
    }
}
