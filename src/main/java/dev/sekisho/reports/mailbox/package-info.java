/**
 * Mailboxes that reports arrive in: an IMAP folder ({@link dev.sekisho.reports.mailbox.ImapMailbox}) or a local
 * Maildir ({@link dev.sekisho.reports.mailbox.MaildirMailbox}). {@link dev.sekisho.reports.mailbox.MailboxImport}
 * reads each waiting mail's reports and moves the mail to an archive folder only after every report of it is
 * stored, or to an invalid folder when it holds none; {@link dev.sekisho.reports.mailbox.MailboxWatch} keeps
 * doing so (IMAP IDLE or polling), reconnecting with backoff when the connection is lost.
 */
package dev.sekisho.reports.mailbox;
