package dev.sekisho.reports.mailbox;

import dev.sekisho.backoff.Backoff;
import dev.sekisho.reports.source.ReportVisitor;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps a mailbox empty: a pass, then a wait for new mail (IMAP IDLE, or the poll interval), then another pass,
 * until stopped. When the connection breaks (or cannot be made) it reconnects after a {@link Backoff}; a refusal
 * that a retry cannot change (wrong password, untrusted certificate) ends the watch with that error.
 */
public final class MailboxWatch {
    /**
     * The usual reconnect backoff: 1 s, doubling, at most 5 min. Doubling keeps a server that is down from being
     * hammered while a short outage is bridged within seconds.
     */
    public static final Backoff RECONNECT = Backoff.doubling(Duration.ofSeconds(1), Duration.ofMinutes(5));

    /** Opens (connects to) the mailbox; called again after each lost connection. */
    @FunctionalInterface
    public interface Opener {
        Mailbox open() throws IOException;
    }

    /**
     * Work done once the mailbox is drained after passes that stored reports (the CLI enriches the new sources): it
     * runs between passes, never while a mail is in hand, and a watch that receives nothing does not run it again.
     */
    @FunctionalInterface
    public interface AfterStoring {
        void drained() throws InterruptedException;

        AfterStoring NOTHING = () -> {
        };
    }

    private final MailboxImport importer;
    private final Opener opener;
    private final Duration poll;
    private final Backoff backoff;
    private final Pause pause;
    private final Consumer<String> notices;
    private final AfterStoring afterStoring;

    public MailboxWatch(MailboxImport importer, Opener opener, Duration poll, Backoff backoff, Pause pause, Consumer<String> notices) {
        this(importer, opener, poll, backoff, pause, notices, AfterStoring.NOTHING);
    }

    /**
     * @param poll    how long to wait between passes when the mailbox cannot notify
     * @param pause   how waits are spent (the stop signal's, or a test's)
     * @param notices told about lost connections and reconnections (a log line)
     * @param afterStoring run when the mailbox is drained after mail was moved
     */
    public MailboxWatch(MailboxImport importer, Opener opener, Duration poll, Backoff backoff, Pause pause, Consumer<String> notices,
                        AfterStoring afterStoring) {
        this.importer = Objects.requireNonNull(importer, "importer");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.poll = Objects.requireNonNull(poll, "poll");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.pause = Objects.requireNonNull(pause, "pause");
        this.notices = Objects.requireNonNull(notices, "notices");
        this.afterStoring = Objects.requireNonNull(afterStoring, "afterStoring");
        if (poll.isNegative() || poll.isZero()) throw new IllegalArgumentException("the poll interval must be positive, was " + poll);
    }

    /** Runs until {@code stop} is stopped; returns what all passes did. */
    public PassSummary run(Supplier<? extends ReportVisitor> visitors, StopSignal stop) throws MailboxException, InterruptedException {
        int maxListed = importer.limits().maxListedProblems();
        PassSummary total = PassSummary.empty();
        int failures = 0;
        boolean movedSinceDrained = false;
        while (!stop.isStopped()) {
            Mailbox mailbox;
            try {
                mailbox = opener.open();
            } catch (IOException e) {
                failures = retryOrThrow(e, ++failures, "cannot open");
                continue;
            }
            try (mailbox) {
                while (!stop.isStopped()) {
                    PassSummary pass = importer.pass(mailbox, visitors, stop);
                    total = total.plus(pass, maxListed);
                    failures = 0; // a whole pass on this connection: the next loss starts the backoff afresh
                    // Mails that moved make room for mails that came meanwhile: look again before waiting.
                    if (pass.moved() > 0) {
                        movedSinceDrained = true;
                        continue;
                    }
                    if (movedSinceDrained && !stop.isStopped()) {
                        movedSinceDrained = false;
                        afterStoring.drained();
                    }
                    mailbox.await(poll, (int) Math.min(Integer.MAX_VALUE, pass.left()), pause, stop);
                }
            } catch (IOException e) {
                failures = retryOrThrow(e, ++failures, "lost the connection to");
            }
        }
        return total;
    }

    private int retryOrThrow(IOException e, int failures, String what) throws MailboxException, InterruptedException {
        MailboxException failure = e instanceof MailboxException m ? m
                : new MailboxException(MailboxException.Kind.UNREACHABLE, e.getMessage(), e);
        if (!failure.retryable()) throw failure;
        Duration delay = backoff.after(failures);
        notices.accept(what + " the mailbox (" + failure.getMessage() + "); trying again in " + delay.toSeconds() + " s");
        pause.pause(delay);
        return failures;
    }
}
