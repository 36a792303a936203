package dev.sekisho.reports.mailbox;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A folder of mails with reports in them, and the two folders processed mails move to. Implementations translate
 * one kind of mailbox (IMAP, Maildir) and decide nothing: {@link MailboxImport} decides where each mail goes.
 *
 * <p>Every method may throw a {@link MailboxException}: {@link MailboxException.Kind#UNREACHABLE} when the
 * connection is lost (the caller reconnects), {@link MailboxException.Kind#REFUSED} when retrying cannot help.
 */
public interface Mailbox extends AutoCloseable {
    /** Where the mails are, for messages (never with a password). */
    String location();

    /** The folder processed mails go to, as the user named it. */
    String archiveFolder();

    /** The folder mails without a readable report go to. */
    String invalidFolder();

    /** The mails waiting now, oldest first. */
    List<MailRef> waiting() throws IOException;

    /** The mail's first {@code maxBytes} bytes; empty when it is no longer there (another client took it). */
    Optional<byte[]> read(MailRef mail, int maxBytes) throws IOException;

    /** Moves the mail to the archive folder; false when it was no longer there. */
    boolean archive(MailRef mail) throws IOException;

    /** Moves the mail to the invalid folder; false when it was no longer there. */
    boolean reject(MailRef mail) throws IOException;

    /**
     * Returns when new mail may have arrived: at once when more than {@code waitingNow} mails wait, else after a
     * notification from the server (IMAP IDLE), or after {@code poll} (through {@code pause}); early when
     * {@code stop} is stopped.
     */
    void await(Duration poll, int waitingNow, Pause pause, StopSignal stop) throws IOException, InterruptedException;

    @Override
    void close() throws IOException;
}
