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

    /**
     * Stages at which a message is under way, so that message actions (HOLD, FILTER, PREPEND, ...) mean something.
     * Not CONNECT or HELO: Postfix asks at those stages only with {@code smtpd_delay_reject = no}, from its client and
     * helo restrictions, and there it skips every message action with the warning "action ... is always skipped in
     * client or helo restrictions" (with the default {@code yes} those restrictions run at RCPT TO, and the request's
     * stage is RCPT).
     */
    public boolean hasMessage() {
        return switch (this) {
            case MAIL, RCPT, DATA, END_OF_MESSAGE -> true;
            case CONNECT, HELO, VRFY, ETRN, LOGIN -> false;
        };
    }
}
