package dev.sekisho.reports.mailbox;

import dev.sekisho.reports.source.ImportSummary;

import java.util.Objects;

/**
 * What became of one mail.
 *
 * @param mail        the mail
 * @param disposition where it went
 * @param read        what was read from it (empty when it was not read)
 * @param reason      why, for INVALID and LEFT ("" otherwise)
 */
public record MailOutcome(MailRef mail, Disposition disposition, ImportSummary read, String reason) {
    public enum Disposition {
        /** Every report of it is stored (or was already): moved to the archive folder. */
        ARCHIVED,
        /** It holds no readable report: moved to the invalid folder. */
        INVALID,
        /** Storing a report failed: left where it is, to be read again next time. */
        LEFT,
        /** Another client moved or deleted it before it could be read or moved. */
        GONE
    }

    public MailOutcome {
        Objects.requireNonNull(mail, "mail");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(reason, "reason");
    }
}
