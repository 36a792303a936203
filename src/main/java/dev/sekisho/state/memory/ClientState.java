package dev.sekisho.state.memory;

/** How many greylist triplets of one client passed; forgotten {@code maxAge} after last seen. */
record ClientState(long passes, long expiresAtNanos) implements Expiring {
}
