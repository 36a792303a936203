package dev.sekisho.reports.mailbox;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.FolderNotFoundException;
import jakarta.mail.Message;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.UIDFolder;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A folder on an IMAP server, through Angus Mail. Mails are read without setting \Seen (BODY.PEEK), and moved by UID:
 * {@code UID MOVE} (RFC 6851) when the server offers MOVE, else {@code UID COPY}, {@code \Deleted} and
 * {@code UID EXPUNGE} (RFC 4315) or, without UIDPLUS, {@code EXPUNGE}. Waiting uses IDLE (RFC 2177) when offered.
 */
public final class ImapMailbox implements Mailbox {
    /** RFC 2177 3: clients should end IDLE and issue it again at least every 29 minutes. */
    static final Duration IDLE_RENEWAL = Duration.ofMinutes(25);
    private static final Duration WATCHDOG_TICK = Duration.ofMillis(250);
    /** Angus keeps expunged mails in the open folder's cache; a watch that runs for weeks reopens the folder now and then. */
    private static final int REOPEN_AFTER_EXPUNGED = 500;

    private final ImapSettings settings;
    private final IMAPStore store;
    private final IMAPFolder folder;
    private final String archivePath;
    private final String invalidPath;
    private final boolean move;
    private final boolean uidplus;
    private final boolean idle;

    private ImapMailbox(ImapSettings settings, IMAPStore store, IMAPFolder folder, String archivePath, String invalidPath) throws MessagingException {
        this.settings = settings;
        this.store = store;
        this.folder = folder;
        this.archivePath = archivePath;
        this.invalidPath = invalidPath;
        this.move = store.hasCapability("MOVE");
        this.uidplus = store.hasCapability("UIDPLUS");
        this.idle = store.hasCapability("IDLE");
    }

    /** Connects, logs in, creates the archive and invalid folders when missing, and opens the folder read-write. */
    public static ImapMailbox open(ImapSettings settings) throws MailboxException {
        if (settings.security() == ImapSettings.Security.INSECURE) requireLoopback(settings.host());
        String protocol = settings.security() == ImapSettings.Security.IMPLICIT_TLS ? "imaps" : "imap";
        Session session = Session.getInstance(properties(settings, protocol));
        IMAPStore store = null;
        try {
            store = (IMAPStore) session.getStore(protocol);
            store.connect(settings.host(), settings.port(), settings.user(), settings.password());
            String archive = ensureFolder(store, settings.archiveFolder());
            String invalid = ensureFolder(store, settings.invalidFolder());
            IMAPFolder folder = (IMAPFolder) store.getFolder(settings.folder());
            if (!folder.exists()) {
                throw new MailboxException(MailboxException.Kind.REFUSED, "no folder " + settings.folder() + " at " + settings.location());
            }
            folder.open(Folder.READ_WRITE);
            return new ImapMailbox(settings, store, folder, archive, invalid);
        } catch (MessagingException e) {
            closeQuietly(store);
            throw translate("cannot open " + settings.location(), e);
        } catch (MailboxException e) {
            closeQuietly(store);
            throw e;
        }
    }

    private static void requireLoopback(String host) throws MailboxException {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) throw insecureRefused(host);
            }
        } catch (UnknownHostException e) {
            throw insecureRefused(host);
        }
    }

    private static MailboxException insecureRefused(String host) {
        return new MailboxException(MailboxException.Kind.REFUSED, "an IMAP connection without TLS is allowed to a loopback address only, not to "
                + host + ": the password would cross the network in clear text");
    }

    private static Properties properties(ImapSettings settings, String protocol) throws MailboxException {
        Properties p = new Properties();
        String prefix = "mail." + protocol;
        long timeoutMillis = settings.timeout().toMillis();
        p.put(prefix + ".connectiontimeout", Long.toString(timeoutMillis));
        // The read timeout must outlast an IDLE between renewals, or a quiet server would look dead.
        p.put(prefix + ".timeout", Long.toString(Math.max(timeoutMillis, IDLE_RENEWAL.toMillis() + timeoutMillis)));
        p.put(prefix + ".peek", "true"); // BODY.PEEK: a mail left in place stays unread for the people who look
        switch (settings.security()) {
            case IMPLICIT_TLS -> tls(p, prefix, settings);
            case STARTTLS -> {
                // RFC 3501 6.2.1 / RFC 8314 4.1: the upgrade must succeed, or nothing (the password above all) is sent.
                p.put(prefix + ".starttls.enable", "true");
                p.put(prefix + ".starttls.required", "true");
                tls(p, prefix, settings);
            }
            case INSECURE -> {
            }
        }
        return p;
    }

    private static void tls(Properties p, String prefix, ImapSettings settings) throws MailboxException {
        // RFC 7817 / RFC 6125: the certificate must name the host we asked for.
        p.put(prefix + ".ssl.checkserveridentity", "true");
        if (!settings.trusted().isEmpty()) p.put(prefix + ".ssl.socketFactory", trusting(settings.trusted()).getSocketFactory());
    }

    private static SSLContext trusting(List<X509Certificate> certificates) throws MailboxException {
        try {
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            for (int i = 0; i < certificates.size(); i++) keys.setCertificateEntry("trusted-" + i, certificates.get(i));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keys);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new MailboxException(MailboxException.Kind.REFUSED, "cannot trust the given certificates: " + e.getMessage(), e);
        }
    }

    private static String ensureFolder(IMAPStore store, String name) throws MessagingException, MailboxException {
        Folder folder = store.getFolder(name);
        // RFC 3501 6.3.3: CREATE answers NO when the folder exists, so a client that created it meanwhile (another
        // watcher, a person's mail client) makes ours fail: the folder is there all the same, and is used.
        if (!folder.exists() && !folder.create(Folder.HOLDS_MESSAGES) && !folder.exists()) {
            throw new MailboxException(MailboxException.Kind.REFUSED, "the server did not create the folder " + name
                    + " (its folder hierarchy separator is '" + store.getDefaultFolder().getSeparator() + "')");
        }
        return folder.getFullName();
    }

    @Override
    public String location() {
        return settings.location();
    }

    @Override
    public String archiveFolder() {
        return settings.archiveFolder();
    }

    @Override
    public String invalidFolder() {
        return settings.invalidFolder();
    }

    /** Whether the server offers IDLE (else {@link #await} polls). */
    public boolean idles() {
        return idle;
    }

    /** Whether the server offers MOVE (else mails are copied, flagged \Deleted and expunged). */
    public boolean moves() {
        return move;
    }

    @Override
    public List<MailRef> waiting() throws IOException {
        try {
            // RFC 3501 6.1.2: NOOP lets the server report mails that arrived since the last command.
            command("NOOP", null);
            Message[] messages = folder.getMessages();
            if (expunged(messages) > REOPEN_AFTER_EXPUNGED) {
                folder.close(false);
                folder.open(Folder.READ_WRITE);
                messages = folder.getMessages();
            }
            FetchProfile profile = new FetchProfile();
            profile.add(UIDFolder.FetchProfileItem.UID);
            profile.add(FetchProfile.Item.FLAGS);
            folder.fetch(messages, profile);
            List<MailRef> waiting = new ArrayList<>(messages.length);
            for (Message m : messages) {
                if (m.isExpunged()) continue;
                try {
                    if (m.isSet(Flags.Flag.DELETED)) continue; // on its way out already (a move without MOVE, interrupted)
                    long uid = folder.getUID(m);
                    waiting.add(new MailRef(Long.toString(uid), settings.location() + "/;UID=" + uid));
                } catch (MessageRemovedException gone) {
                    // expunged by another client meanwhile
                }
            }
            return waiting;
        } catch (MessagingException e) {
            throw translate("cannot list the mails in " + settings.location(), e);
        }
    }

    @Override
    public Optional<byte[]> read(MailRef mail, int maxBytes) throws IOException {
        try {
            IMAPMessage message = (IMAPMessage) folder.getMessageByUID(Long.parseLong(mail.id()));
            if (message == null || message.isExpunged()) return Optional.empty();
            message.setPeek(true);
            try (InputStream in = message.getMimeStream()) {
                return Optional.of(in.readNBytes(maxBytes));
            } catch (IOException e) {
                if (message.isExpunged()) return Optional.empty(); // expunged by another client while being read
                throw new MailboxException(MailboxException.Kind.UNREACHABLE, "cannot read " + mail.name() + ": " + e.getMessage(), e);
            }
        } catch (MessageRemovedException gone) {
            return Optional.empty();
        } catch (MessagingException e) {
            throw translate("cannot read " + mail.name(), e);
        }
    }

    @Override
    public boolean archive(MailRef mail) throws IOException {
        return move(mail, archivePath);
    }

    @Override
    public boolean reject(MailRef mail) throws IOException {
        return move(mail, invalidPath);
    }

    private boolean move(MailRef mail, String target) throws IOException {
        try {
            Message message = folder.getMessageByUID(Long.parseLong(mail.id()));
            if (message == null || message.isExpunged()) return false;
            Argument to = new Argument().writeAtom(mail.id()).writeString(BASE64MailboxEncoder.encode(target)); // RFC 3501 5.1.3
            if (move) {
                command("UID MOVE", to); // RFC 6851 3.1: copy and expunge in one, so the mail is never in both folders
                return true;
            }
            // RFC 6851 1: without MOVE, the same in three steps. A break between them leaves the mail in both folders
            // (never in neither); read again, its reports are duplicates and it is moved once more.
            command("UID COPY", to);
            command("UID STORE", new Argument().writeAtom(mail.id()).writeAtom("+FLAGS.SILENT").writeAtom("(\\Deleted)"));
            if (uidplus) {
                command("UID EXPUNGE", new Argument().writeAtom(mail.id())); // RFC 4315 2.1: this mail only
            } else {
                command("EXPUNGE", null); // also removes any other mail in the folder flagged \Deleted
            }
            return true;
        } catch (MessageRemovedException gone) {
            return false;
        } catch (MessagingException e) {
            throw translate("cannot move " + mail.name() + " to " + target, e);
        }
    }

    /** One IMAP command; its untagged answers (EXPUNGE, EXISTS) reach the folder, so Angus's view stays current. */
    private void command(String command, Argument arguments) throws MessagingException {
        folder.doCommand((IMAPProtocol p) -> {
            Response[] responses = p.command(command, arguments);
            p.notifyResponseHandlers(responses);
            p.handleResult(responses[responses.length - 1]);
            return null;
        });
    }

    @Override
    public void await(Duration poll, int waitingNow, Pause pause, StopSignal stop) throws IOException, InterruptedException {
        if (stop.isStopped()) return;
        try {
            command("NOOP", null);
            if (present() > waitingNow) return; // came while the last pass ran
            if (!idle) {
                pause.pause(poll);
                return;
            }
            idle(poll.compareTo(IDLE_RENEWAL) < 0 ? poll : IDLE_RENEWAL, stop);
        } catch (MessagingException e) {
            throw translate("lost " + settings.location() + " while waiting for mail", e);
        }
    }

    /**
     * Mails in the folder now. Not {@link IMAPFolder#getMessageCount()}: Angus keeps counting a mail that an EXPUNGE
     * removed until the folder is expunged through its own API, and would make every wait end at once.
     */
    private long present() throws MessagingException {
        Message[] messages = folder.getMessages();
        return messages.length - expunged(messages);
    }

    private static int expunged(Message[] messages) {
        int n = 0;
        for (Message m : messages) {
            if (m.isExpunged()) n++;
        }
        return n;
    }

    /**
     * IDLE until the server says something (a new mail, an expunge, a keep-alive), the renewal time passes, or stop
     * is asked for. Angus ends an IDLE when another thread issues a command on the folder, so a watchdog thread sends
     * NOOP for the last two; it repeats every tick until the IDLE has ended, because the stop may come just before
     * the IDLE begins.
     */
    private void idle(Duration renewal, StopSignal stop) throws MessagingException {
        AtomicBoolean idling = new AtomicBoolean(true);
        long deadline = System.nanoTime() + renewal.toNanos();
        Thread watchdog = Thread.ofPlatform().daemon().name("imap-idle-watchdog").start(() -> {
            try {
                while (idling.get()) {
                    if (stop.isStopped() || System.nanoTime() - deadline >= 0) {
                        try {
                            command("NOOP", null);
                        } catch (MessagingException e) {
                            return; // the connection is gone: idle() in the other thread says so
                        }
                    }
                    Thread.sleep(WATCHDOG_TICK);
                }
            } catch (InterruptedException e) {
                // the IDLE ended
            }
        });
        try {
            if (!stop.isStopped()) folder.idle(true);
        } finally {
            idling.set(false);
            watchdog.interrupt();
        }
    }

    @Override
    public void close() {
        try {
            if (folder.isOpen()) folder.close(false); // false: no EXPUNGE of what others flagged \Deleted
        } catch (MessagingException e) {
            // the connection may be gone already; the server drops the session then
        }
        closeQuietly(store);
    }

    private static void closeQuietly(IMAPStore store) {
        if (store == null) return;
        try {
            store.close();
        } catch (MessagingException e) {
            // as above
        }
    }

    /** REFUSED for what a retry cannot change (login, certificate, missing folder, no STARTTLS), UNREACHABLE else. */
    static MailboxException translate(String what, MessagingException e) {
        String detail = describe(e);
        if (e instanceof AuthenticationFailedException) {
            return new MailboxException(MailboxException.Kind.REFUSED, what + ": the server refused the login: " + detail, e);
        }
        if (e instanceof FolderNotFoundException) {
            return new MailboxException(MailboxException.Kind.REFUSED, what + ": no such folder: " + detail, e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof javax.net.ssl.SSLPeerUnverifiedException
                    || String.valueOf(t.getMessage()).contains("verify identity of server")) {
                return new MailboxException(MailboxException.Kind.REFUSED, what + ": the server's certificate is not trusted for "
                        + "this host (give its certificate or CA with --imap-trust): " + detail, e);
            }
            if (String.valueOf(t.getMessage()).contains("STARTTLS is required")) {
                return new MailboxException(MailboxException.Kind.REFUSED, what + ": the server does not offer STARTTLS: " + detail, e);
            }
        }
        if (e.getCause() instanceof ProtocolException && !(e instanceof jakarta.mail.FolderClosedException)
                && !(e instanceof jakarta.mail.StoreClosedException) && !(e.getCause() instanceof org.eclipse.angus.mail.iap.ConnectionException)) {
            // A NO or BAD to one of our commands: the server works but will not do it (e.g. the target folder vanished).
            return new MailboxException(MailboxException.Kind.REFUSED, what + ": the server refused: " + detail, e);
        }
        return new MailboxException(MailboxException.Kind.UNREACHABLE, what + ": " + detail, e);
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null && !s.toString().contains(t.getMessage())) s.append(": ").append(t.getMessage());
        }
        return s.toString();
    }
}
