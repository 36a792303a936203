package dev.sekisho.engine;

/** Where in a conversation a transaction is asked about. Adapters map their protocol's names onto these. */
public enum Stage {
    CONNECT, HELO, MAIL, RCPT, DATA, END_OF_MESSAGE, VRFY, ETRN,
    /** A login attempt (IMAP, POP, SMTP AUTH) asked about by an authentication server. */
    LOGIN;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name for logs and metrics. */
    public String label() {
        return label;
    }

    /** Stages at which a message exists, so that message actions (HOLD, FILTER, ...) mean something. */
    public boolean hasMessage() {
        return this != VRFY && this != ETRN && this != LOGIN;
    }
}
