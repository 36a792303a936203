package dev.sekisho.engine;

/**
 * Where adapters hand the login attempts they see (engine side: counting, lockouts, restrictions). Must be
 * safe to call from many threads and must not block on I/O for long: log tailers and the HTTP endpoint call it
 * inline.
 */
@FunctionalInterface
public interface LoginObserver {
    void observe(LoginAttempt attempt);
}
