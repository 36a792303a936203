package dev.sekisho.state.memory;

/**
 * One greylist triplet. A triplet that has not passed expires when its retry window closes (it
 * would be NEW again anyway), so the never-retried spam triplets that dominate the table leave it
 * early; a passed one expires {@code maxAge} after it was last seen.
 */
record TripletState(long firstSeenNanos, long expiresAtNanos, boolean passed) implements Expiring {
}
