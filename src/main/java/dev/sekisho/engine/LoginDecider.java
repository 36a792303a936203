package dev.sekisho.engine;

import java.net.InetAddress;
import java.time.Instant;

/**
 * Asked before a password is checked (Dovecot's auth policy {@code command=allow}): may this
 * account try to log in from this address now? Counts nothing; what happened is told to a
 * {@link LoginObserver} afterwards. Safe to call from many threads.
 */
@FunctionalInterface
public interface LoginDecider {
    /**
     * @param account  the login name as the client gave it; "" when unknown
     * @param remote   the client's address
     * @param protocol the service, lower case ("imap", "pop3", "smtp")
     * @param at       when the question was asked
     */
    LoginDecision decide(String account, InetAddress remote, String protocol, Instant at);
}
