package dev.sekisho.state.memory;

/** An entry the store may forget once {@link #expiresAtNanos()} has passed: it then means the same as no entry. */
interface Expiring {
    /** Epoch nanoseconds from which the entry is dead. */
    long expiresAtNanos();
}
