package dev.sekisho.cli;

import dev.sekisho.config.Durations;
import dev.sekisho.net.HostPort;
import dev.sekisho.reports.mailbox.ImapSettings;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The options of {@code dmarc import --imap | --maildir}: where the mailbox is, how to log in, where mails go. */
final class DmarcMailboxOptions {
    /** How long connecting to and each answer from the IMAP server may take. */
    static final Duration IMAP_TIMEOUT = Duration.ofSeconds(60);

    @Option(names = "--imap-user", paramLabel = "USER", description = "The IMAP login.")
    String imapUser;

    @Option(names = "--imap-password-file", paramLabel = "FILE",
            description = "A file whose first line is the IMAP password (keep it mode 0600). Passwords are never taken on the command line, where ps shows them.")
    Path imapPasswordFile;

    @Option(names = "--imap-password-env", paramLabel = "VAR", description = "An environment variable holding the IMAP password.")
    String imapPasswordEnv;

    @Option(names = "--imap-folder", paramLabel = "NAME", defaultValue = "INBOX", description = "The folder reports arrive in. Default: ${DEFAULT-VALUE}.")
    String imapFolder;

    @Option(names = "--imap-starttls", description = "Connect in plain text and upgrade with STARTTLS, which must succeed (default port 143). "
            + "Without it the connection is TLS from the start (imaps, default port 993).")
    boolean imapStarttls;

    @Option(names = "--imap-insecure", description = "No TLS at all: only to a loopback address (a local test server).")
    boolean imapInsecure;

    @Option(names = "--imap-trust", paramLabel = "FILE",
            description = "Certificates (PEM or DER) to trust for the server instead of the JDK's CAs: a self-signed server certificate or a private CA.")
    Path imapTrust;

    @Option(names = "--archive-folder", paramLabel = "NAME", defaultValue = "Archive",
            description = "Where a mail goes once every report in it is stored: an IMAP folder, or the Maildir++ folder .NAME. Created when missing. Default: ${DEFAULT-VALUE}.")
    String archiveFolder;

    @Option(names = "--invalid-folder", paramLabel = "NAME", defaultValue = "Invalid",
            description = "Where a mail without a readable report goes (the reason is printed). Created when missing. Default: ${DEFAULT-VALUE}.")
    String invalidFolder;

    @Option(names = "--watch", description = "Keep running: wait for new mail (IMAP IDLE when the server offers it, else polling) and "
            + "reconnect after a lost connection, until Ctrl-C; then print the summary.")
    boolean watch;

    @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "5m",
            description = "With --watch: how often to look for new mail when the server cannot notify (and a Maildir); with IDLE, the longest wait before looking anyway. Default: ${DEFAULT-VALUE}.")
    String poll;

    Duration pollInterval() {
        Duration d;
        try {
            d = Durations.parse(poll.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--poll " + e.getMessage());
        }
        if (d.isZero()) throw new IllegalArgumentException("--poll must be longer than zero");
        return d;
    }

    /** Refuses IMAP options given without --imap, and --watch without a mailbox. */
    void requireUnused(boolean imap, boolean mailbox) {
        if (!imap) {
            List<String> given = new ArrayList<>();
            if (imapUser != null) given.add("--imap-user");
            if (imapPasswordFile != null) given.add("--imap-password-file");
            if (imapPasswordEnv != null) given.add("--imap-password-env");
            if (imapStarttls) given.add("--imap-starttls");
            if (imapInsecure) given.add("--imap-insecure");
            if (imapTrust != null) given.add("--imap-trust");
            if (!given.isEmpty()) throw new IllegalArgumentException(String.join(", ", given) + " only go with --imap");
        }
        if (!mailbox && watch) throw new IllegalArgumentException("--watch goes with --imap or --maildir");
    }

    /** The IMAP settings from {@code --imap HOST[:PORT]} and the options above; env is the process environment. */
    ImapSettings imap(String server, Function<String, String> env) {
        if (imapUser == null) throw new IllegalArgumentException("--imap needs --imap-user");
        if (imapStarttls && imapInsecure) throw new IllegalArgumentException("choose one of --imap-starttls and --imap-insecure");
        ImapSettings.Security security = imapInsecure ? ImapSettings.Security.INSECURE
                : imapStarttls ? ImapSettings.Security.STARTTLS : ImapSettings.Security.IMPLICIT_TLS;
        HostPort endpoint;
        try {
            endpoint = HostPort.parse(server, security.defaultPort(), 1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--imap: " + e.getMessage(), e);
        }
        return new ImapSettings(endpoint.host(), endpoint.port(), security, imapUser, password(env), imapFolder, archiveFolder, invalidFolder, trusted(), IMAP_TIMEOUT);
    }

    private String password(Function<String, String> env) {
        if (imapPasswordFile != null && imapPasswordEnv != null) {
            throw new IllegalArgumentException("choose one of --imap-password-file and --imap-password-env");
        }
        if (imapPasswordFile != null) {
            try {
                String text = Files.readString(imapPasswordFile, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                String line = end < 0 ? text : text.substring(0, end);
                if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
                if (line.isEmpty()) throw new IllegalArgumentException("--imap-password-file " + imapPasswordFile + ": the first line is empty");
                return line;
            } catch (IOException e) {
                throw new IllegalArgumentException("--imap-password-file: cannot read " + imapPasswordFile + ": " + e.getMessage());
            }
        }
        if (imapPasswordEnv != null) {
            String value = env.apply(imapPasswordEnv);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("--imap-password-env: the environment variable " + imapPasswordEnv + " is not set or empty");
            }
            return value;
        }
        throw new IllegalArgumentException("--imap needs the password: --imap-password-file FILE or --imap-password-env VAR");
    }

    private List<X509Certificate> trusted() {
        if (imapTrust == null) return List.of();
        try (InputStream in = Files.newInputStream(imapTrust)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                if (c instanceof X509Certificate x) certificates.add(x);
            }
            if (certificates.isEmpty()) throw new IllegalArgumentException("--imap-trust " + imapTrust + " holds no certificate");
            return certificates;
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("--imap-trust: cannot read certificates from " + imapTrust + ": " + e.getMessage());
        }
    }

    static Function<String, String> environment() {
        Map<String, String> env = System.getenv();
        return env::get;
    }
}
