package dev.sekisho.state;

import java.time.Instant;

/**
 * @param status       what happened
 * @param firstSeen    when the triplet was first seen (this request's time when new)
 * @param passAt       from when a retry is accepted
 * @param clientPasses how many triplets of this client have passed
 */
public record GreylistOutcome(Status status, Instant firstSeen, Instant passAt, long clientPasses) {

    public enum Status {
        /** Never seen (or its retry window ran out): recorded now, defer. */
        NEW(false),
        /** Seen, but retried before the delay passed: defer. */
        EARLY(false),
        /** Retried after the delay, within the retry window: accept; the triplet is known from now on. */
        PASSED(true),
        /** The triplet passed before: accept. */
        KNOWN(true),
        /** The client passed often enough to be let through without delay: accept. */
        CLIENT_ALLOWED(true);

        private final boolean accepted;
        private final String label;

        Status(boolean accepted) {
            this.accepted = accepted;
            this.label = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /** The status as explanations and logs name it: "new", "client-allowed", ... */
        public String label() {
            return label;
        }

        public boolean accepted() {
            return accepted;
        }
    }
}
