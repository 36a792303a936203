package dev.sekisho.reports.mailbox;

import java.util.Objects;

/**
 * One mail waiting in a {@link Mailbox}.
 *
 * @param id   the mailbox's own handle on it (an IMAP UID, a Maildir file's path below the Maildir)
 * @param name where it is, for problems and messages (e.g. {@code imaps://host:993/INBOX;UID=42})
 */
public record MailRef(String id, String name) {
    public MailRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
    }
}
