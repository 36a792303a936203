package dev.sekisho.reports.mailbox;

import java.io.IOException;
import java.util.Objects;

/** A mailbox could not be used; the kind says whether trying again later can help. */
public final class MailboxException extends IOException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The server cannot be reached or the connection broke: reconnect later. */
        UNREACHABLE,
        /** Refused for a reason a retry does not change: wrong password, untrusted certificate, no such folder. */
        REFUSED
    }

    private final Kind kind;

    public MailboxException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public MailboxException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind == Kind.UNREACHABLE;
    }
}
