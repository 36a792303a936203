package dev.sekisho.reports.mailbox;

import dev.sekisho.reports.Problem;
import dev.sekisho.reports.source.ImportSummary;
import dev.sekisho.reports.source.ReportLimits;
import dev.sekisho.reports.source.ReportReader;
import dev.sekisho.reports.source.ReportVisitor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One pass over a mailbox: each waiting mail's reports go to a visitor (the store), and the mail moves only
 * afterwards.
 *
 * <p>The visitor's contract is that of {@code dev.sekisho.store.ReportImporter}: when it returns from a report's
 * last callback, the report is stored (committed); when it throws, it is not. So a mail whose read ends without an
 * exception has every report stored, and moving it then loses nothing; a crash between the two leaves the mail in
 * place, and reading it again stores nothing twice (reports are deduplicated). A mail whose visitor threw is left
 * where it is and read again on the next pass. Each mail gets a fresh visitor from {@code visitors}, so a visitor
 * left half-way by a failure never carries into the next mail.
 */
public final class MailboxImport {
    private final ReportReader reader;
    private final ReportLimits limits;
    private final Consumer<MailOutcome> outcomes;

    /**
     * @param outcomes told what became of each mail, as it happens (a log line)
     */
    public MailboxImport(ReportLimits limits, Consumer<MailOutcome> outcomes) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.reader = new ReportReader(limits);
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    }

    ReportLimits limits() {
        return limits;
    }

    /**
     * Reads every mail waiting in {@code mailbox} now, stopping early (after the mail in hand) when {@code stop} is
     * stopped. A {@link MailboxException} (the connection broke) ends the pass; the mail in hand stays where it is.
     */
    public PassSummary pass(Mailbox mailbox, Supplier<? extends ReportVisitor> visitors, StopSignal stop) throws IOException {
        PassSummary summary = PassSummary.empty();
        for (MailRef mail : mailbox.waiting()) {
            if (stop.isStopped()) break;
            MailOutcome outcome = one(mailbox, mail, visitors.get());
            outcomes.accept(outcome);
            summary = summary.with(outcome, limits.maxListedProblems());
        }
        return summary;
    }

    private MailOutcome one(Mailbox mailbox, MailRef mail, ReportVisitor visitor) throws IOException {
        // The whole mail is fetched before it is parsed, so a broken connection is an IOException here and never
        // looks like a malformed mail (which would send it to the invalid folder). Mails are parsed in memory
        // anyway; one byte more than the limit lets the reader say the mail is too large.
        Optional<byte[]> content = mailbox.read(mail, limits.maxMailBytes() + 1);
        if (content.isEmpty()) return new MailOutcome(mail, MailOutcome.Disposition.GONE, ImportSummary.empty(), "");
        ImportSummary read;
        try {
            read = reader.read(mail.name(), new ByteArrayInputStream(content.get()), visitor);
        } catch (RuntimeException e) {
            return new MailOutcome(mail, MailOutcome.Disposition.LEFT, ImportSummary.empty(),
                    "storing its reports failed, it stays in place: " + e.getMessage());
        }
        if (read.reports() > 0) {
            boolean moved = mailbox.archive(mail);
            return new MailOutcome(mail, moved ? MailOutcome.Disposition.ARCHIVED : MailOutcome.Disposition.GONE, read, "");
        }
        boolean moved = mailbox.reject(mail);
        return new MailOutcome(mail, moved ? MailOutcome.Disposition.INVALID : MailOutcome.Disposition.GONE, read, reason(read.problems()));
    }

    private static String reason(List<Problem> problems) {
        if (problems.isEmpty()) return "no report in it";
        return problems.stream().map(p -> p.code() + (p.position().isEmpty() ? "" : " at " + p.position()) + ": " + p.message())
                .collect(Collectors.joining("; "));
    }
}
