package dev.sekisho.reports.mailbox;

import dev.sekisho.reports.source.ImportSummary;

import java.util.Objects;

/**
 * What one or more passes over a mailbox did.
 *
 * @param archived mails moved to the archive folder
 * @param invalid  mails moved to the invalid folder
 * @param left     mails left where they were because storing failed
 * @param gone     mails another client took first
 * @param read     what was read from all of them
 */
public record PassSummary(long archived, long invalid, long left, long gone, ImportSummary read) {
    public PassSummary {
        Objects.requireNonNull(read, "read");
    }

    public static PassSummary empty() {
        return new PassSummary(0, 0, 0, 0, ImportSummary.empty());
    }

    /** Mails moved out of the folder, to either folder. */
    public long moved() {
        return archived + invalid;
    }

    PassSummary with(MailOutcome outcome, int maxListedProblems) {
        ImportSummary total = read.plus(outcome.read(), maxListedProblems);
        return switch (outcome.disposition()) {
            case ARCHIVED -> new PassSummary(archived + 1, invalid, left, gone, total);
            case INVALID -> new PassSummary(archived, invalid + 1, left, gone, total);
            case LEFT -> new PassSummary(archived, invalid, left + 1, gone, total);
            case GONE -> new PassSummary(archived, invalid, left, gone + 1, total);
        };
    }

    public PassSummary plus(PassSummary other, int maxListedProblems) {
        return new PassSummary(archived + other.archived, invalid + other.invalid, left + other.left, gone + other.gone,
                read.plus(other.read, maxListedProblems));
    }
}
