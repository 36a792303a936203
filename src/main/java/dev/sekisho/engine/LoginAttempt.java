package dev.sekisho.engine;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * One password check that a mail server made, as an adapter saw it: Dovecot's auth policy report, a Dovecot
 * auth log line, or a Postfix SASL log line. The engine counts these (failures per account, per address, per
 * network) whatever their source.
 *
 * @param at           when the check happened (the report's arrival, or the log line's timestamp)
 * @param account      the login name as the client gave it; "" when the source does not say
 * @param remote       the client's address (for Dovecot behind a proxy, the forwarded one)
 * @param protocol     the service as the source names it, lower case: "imap", "pop3", "smtp", ...
 * @param result       whether the password was accepted
 * @param passwordHash a short hash of the password tried, so distinct passwords can be counted without
 *                     keeping them; "" when the source does not give one (log lines)
 * @param source       which adapter saw it, for evidence: "dovecot-policy", "dovecot-log", "postfix-log", ...
 */
public record LoginAttempt(Instant at, String account, InetAddress remote, String protocol, Result result,
                           String passwordHash, String source) {

    public enum Result {
        SUCCESS,
        FAILURE
    }

    public LoginAttempt {
        Objects.requireNonNull(at, "at");
        account = account == null ? "" : account;
        Objects.requireNonNull(remote, "remote");
        protocol = protocol == null ? "" : protocol;
        Objects.requireNonNull(result, "result");
        passwordHash = passwordHash == null ? "" : passwordHash;
        source = source == null ? "" : source;
    }

    public boolean failed() {
        return result == Result.FAILURE;
    }
}
