package dev.sekisho.testing;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A private Dovecot (Debian's dovecot-imapd) for system tests: its own configuration, state, run directory, log,
 * users and Maildirs in a temporary directory; IMAP (with STARTTLS) and IMAPS on 127.0.0.1 at free ports, with a
 * self-signed certificate for 127.0.0.1 and localhost made by openssl at start ({@link #certificate()}).
 *
 * <p>Users live in a passwd-file ({@code {PLAIN}} passwords; their mail is owned by nobody). Extra configuration
 * lines go after the harness's own, so they add to or override it: an auth policy server for issue 5,
 * {@code imap_capability = ...} to play a server without MOVE or IDLE, and so on. Facts behind the configuration
 * (stdin from /dev/null, the auth penalty switched off): /work/shared/notes/postfix-dovecot-on-loopback.md.
 *
 * <pre>{@code
 * try (RealDovecot dovecot = RealDovecot.start(List.of(new RealDovecot.User("reports", "secret")), List.of())) {
 *     dovecot.append("reports", "INBOX", mailBytes);
 *     ... connect to 127.0.0.1:dovecot.imapsPort(), trusting dovecot.certificate() ...
 *     assertThat(dovecot.messages("reports", "Archive")).hasSize(1);
 * }
 * }</pre>
 * Dovecot must be started as root (it binds and changes to the mail user); {@link #requireAvailable()} fails a test
 * with what is missing rather than letting it skip.
 */
public final class RealDovecot implements AutoCloseable {

    /** A mail user: login and password (stored in the passwd-file as {PLAIN}). */
    public record User(String name, String password) {
        private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._@+-]+");

        public User {
            if (!SAFE.matcher(name).matches()) throw new IllegalArgumentException("user name must match " + SAFE + ", was '" + name + "'");
            if (password.isEmpty() || password.contains(":") || password.contains("\n")) {
                throw new IllegalArgumentException("password must be non-empty without ':' or newlines");
            }
        }
    }

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    /** The owner of every user's mail: Dovecot refuses root for mail processes. */
    private static final String MAIL_UID = "65534";
    private static final String MAIL_GID = "65534";
    /** The SASL socket for Postfix, relative to base_dir. */
    private static final String SASL_SOCKET = "auth-postfix";

    private final Path root;
    private final Path config;
    private final Path logFile;
    private final Path commandOutput;
    private final Path certificate;
    private final int imapPort;
    private final int imapsPort;
    private final String dovecotCommand;
    private final List<User> users;
    private final Thread stopOnExit;
    private volatile boolean running;

    private RealDovecot(Path root, int imapPort, int imapsPort, String dovecotCommand, List<User> users) {
        this.root = root;
        this.config = root.resolve("dovecot.conf");
        this.logFile = root.resolve("dovecot.log");
        this.commandOutput = root.resolve("dovecot-commands.out");
        this.certificate = root.resolve("tls").resolve("cert.pem");
        this.imapPort = imapPort;
        this.imapsPort = imapsPort;
        this.dovecotCommand = dovecotCommand;
        this.users = List.copyOf(users);
        this.stopOnExit = new Thread(this::closeQuietly, "stop-dovecot-" + imapPort);
    }

    /** Fails the calling test, saying what is missing, unless Dovecot's IMAP server and openssl are installed and we are root. */
    public static void requireAvailable() {
        Optional<String> missing = whatIsMissing();
        if (missing.isPresent()) {
            throw new IllegalStateException("system tests need a real Dovecot: " + missing.get()
                    + " (bash .ci/run installs dovecot-imapd from Debian's packages)");
        }
    }

    private static Optional<String> whatIsMissing() {
        if (RealPostfix.findExecutable("dovecot").isEmpty()) return Optional.of("dovecot is not installed");
        if (!Files.isExecutable(Path.of("/usr/lib/dovecot/imap"))) return Optional.of("dovecot-imapd is not installed");
        if (RealPostfix.findExecutable("openssl").isEmpty()) return Optional.of("openssl is not installed");
        if (!"root".equals(System.getProperty("user.name"))) return Optional.of("Dovecot must be started as root");
        return Optional.empty();
    }

    /** Writes users, certificate and configuration (the harness's lines, then {@code extraConfig}) and starts Dovecot. */
    public static RealDovecot start(List<User> users, List<String> extraConfig) throws IOException {
        String dovecotCommand = RealPostfix.findExecutable("dovecot").orElseThrow(() -> new IllegalStateException("dovecot is not installed"));
        Path root = Files.createTempDirectory("sekisho-dovecot-");
        // Mail processes run as nobody and must reach the homes below this directory.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        RealDovecot dovecot = new RealDovecot(root, RealPostfix.freeLoopbackPort(), RealPostfix.freeLoopbackPort(), dovecotCommand, users);
        try {
            Runtime.getRuntime().addShutdownHook(dovecot.stopOnExit);
            dovecot.makeCertificate();
            dovecot.writeUsers();
            dovecot.writeConfiguration(extraConfig);
            dovecot.start();
            return dovecot;
        } catch (IOException | RuntimeException e) {
            dovecot.close();
            throw e;
        }
    }

    /** Starts Dovecot (again, after {@link #stop()}) on the same ports with the configuration written last. */
    public void start() throws IOException {
        if (running) return;
        run(dovecotCommand, "-c", config.toString());
        running = true;
        awaitListening(imapPort);
        awaitListening(imapsPort);
    }

    /** Stops Dovecot (about 2.5 s); the users' mail stays, and {@link #start()} brings it back. */
    public void stop() throws IOException {
        if (!running) return;
        running = false;
        run(dovecotCommand, "-c", config.toString(), "stop");
    }

    /** Rewrites the configuration with other extra lines and restarts Dovecot. */
    public void reconfigure(List<String> extraConfig) throws IOException {
        stop();
        writeConfiguration(extraConfig);
        start();
    }

    /** Plain IMAP, offering STARTTLS (RFC 3501 6.2.1). */
    public int imapPort() {
        return imapPort;
    }

    /** IMAP over TLS from the first byte (RFC 8314). */
    public int imapsPort() {
        return imapsPort;
    }

    /** The server's self-signed certificate (PEM), for 127.0.0.1 and localhost. */
    public Path certificate() {
        return certificate;
    }

    public Path root() {
        return root;
    }

    /**
     * Dovecot's authentication socket for Postfix (any local user may connect): {@code smtpd_sasl_type = dovecot},
     * {@code smtpd_sasl_path = } this path (see {@link RealPostfix#dovecotSasl}). Logins through it go through the
     * same passdb and auth policy as IMAP's.
     */
    public Path saslSocket() {
        return root.resolve("run").resolve(SASL_SOCKET);
    }

    /** The user's Maildir (owned by nobody; read it, write through IMAP). */
    public Path maildir(String user) {
        return home(user).resolve("Maildir");
    }

    public Path logFile() {
        return logFile;
    }

    public List<String> logLines() {
        return new DaemonLog("Dovecot", logFile).lines();
    }

    /** Waits until a log line (earlier tests' included: match on something unique) matches. */
    public String awaitLogLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        return new DaemonLog("Dovecot", logFile).await(matches, timeout);
    }

    /** A logged-in IMAPS connection as {@code user}, trusting only this server's certificate. Close it. */
    public Store connect(String user) throws MessagingException {
        Properties p = new Properties();
        p.put("mail.imaps.ssl.socketFactory", trustingThisServer().getSocketFactory());
        p.put("mail.imaps.ssl.checkserveridentity", "true");
        p.put("mail.imaps.connectiontimeout", "10000");
        p.put("mail.imaps.timeout", "30000");
        Store store = Session.getInstance(p).getStore("imaps");
        store.connect("127.0.0.1", imapsPort, user, password(user));
        return store;
    }

    /** Adds mails to a folder (created when missing) with IMAP APPEND (RFC 3501 6.3.11), as a delivery would. */
    public void append(String user, String folderName, byte[]... mails) throws MessagingException {
        try (Store store = connect(user)) {
            Folder folder = store.getFolder(folderName);
            if (!folder.exists()) folder.create(Folder.HOLDS_MESSAGES);
            List<Message> messages = new ArrayList<>();
            Session session = Session.getInstance(new Properties());
            for (byte[] mail : mails) messages.add(new MimeMessage(session, new ByteArrayInputStream(mail)));
            folder.appendMessages(messages.toArray(Message[]::new));
        }
    }

    /** A mail in a folder, as the server holds it. */
    public record Mail(byte[] content, boolean seen, boolean deleted) {
        public String text() {
            return new String(content, StandardCharsets.ISO_8859_1);
        }
    }

    /** The mails in a folder now, in order; empty when the folder does not exist. */
    public List<Mail> messages(String user, String folderName) throws MessagingException, IOException {
        try (Store store = connect(user)) {
            Folder folder = store.getFolder(folderName);
            if (!folder.exists()) return List.of();
            folder.open(Folder.READ_ONLY);
            try {
                List<Mail> mails = new ArrayList<>();
                for (Message m : folder.getMessages()) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    // READ_ONLY uses EXAMINE (RFC 3501 6.3.2): reading here never sets \Seen.
                    m.writeTo(bytes);
                    mails.add(new Mail(bytes.toByteArray(), m.isSet(Flags.Flag.SEEN), m.isSet(Flags.Flag.DELETED)));
                }
                return mails;
            } finally {
                folder.close(false);
            }
        }
    }

    /** Stops Dovecot and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            stop();
        } finally {
            DaemonLog.deleteRecursively(root);
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException alreadyShuttingDown) {
                // close() is running from the hook itself
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            System.err.println("could not stop Dovecot in " + root + ": " + e.getMessage());
        }
    }

    private String password(String user) {
        return users.stream().filter(u -> u.name().equals(user)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no user " + user + " in this Dovecot")).password();
    }

    private Path home(String user) {
        return root.resolve("home").resolve(user);
    }

    private SSLContext trustingThisServer() {
        try (InputStream in = Files.newInputStream(certificate)) {
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) keys.setCertificateEntry("dovecot-" + i++, c);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keys);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + certificate + ": " + e, e);
        }
    }

    private void makeCertificate() throws IOException {
        Path tls = certificate.getParent();
        Files.createDirectories(tls);
        String openssl = RealPostfix.findExecutable("openssl").orElseThrow(() -> new IllegalStateException("openssl is not installed"));
        run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", tls.resolve("key.pem").toString(), "-out", certificate.toString());
    }

    private void writeUsers() throws IOException {
        List<String> lines = new ArrayList<>();
        for (User user : users) {
            Path home = home(user.name());
            Files.createDirectories(home);
            run("chown", MAIL_UID + ":" + MAIL_GID, home.toString());
            // passwd-file: user:password:uid:gid:(gecos):home:(shell):extra
            lines.add(user.name() + ":{PLAIN}" + user.password() + ":" + MAIL_UID + ":" + MAIL_GID + "::" + home + "::");
        }
        Files.write(root.resolve("passwd"), lines);
    }

    private void writeConfiguration(List<String> extraConfig) throws IOException {
        Path run = root.resolve("run");
        Path state = root.resolve("state");
        Files.createDirectories(run);
        Files.createDirectories(state);
        Path tls = certificate.getParent();
        List<String> lines = new ArrayList<>(List.of(
                "# written by dev.sekisho.testing.RealDovecot",
                "instance_name = sekisho-test-" + imapPort,
                "base_dir = " + run,
                "state_dir = " + state,
                "log_path = " + logFile,
                "protocols = imap",
                "listen = 127.0.0.1",
                "ssl = yes",
                "ssl_cert = <" + certificate,
                "ssl_key = <" + tls.resolve("key.pem"),
                "ssl_dh = </usr/share/dovecot/dh.pem",
                // Tests log in over plain IMAP on loopback as well (STARTTLS is still offered).
                "disable_plaintext_auth = no",
                "auth_mechanisms = plain login",
                "auth_verbose = yes",
                // Dovecot's default login line, plus the port the client connected to (which listener: imap or imaps).
                "login_log_format_elements = user=<%u> method=%m rip=%r lip=%l lport=%{real_lport} mpid=%e %c session=<%{session}>",
                // Clients on loopback may present another address with IMAP ID x-originating-ip.
                "login_trusted_networks = 127.0.0.0/8 ::1/128",
                // No 2 s delay after a wrong password, and no per-IP penalty carried between tests.
                "auth_failure_delay = 0",
                "service anvil {",
                "  unix_listener anvil-auth-penalty {",
                "    mode = 0",
                "  }",
                "}",
                // Postfix's smtpd (as the postfix user) authenticates SMTP clients here (smtpd_sasl_type = dovecot).
                "service auth {",
                "  unix_listener " + SASL_SOCKET + " {",
                "    mode = 0666",
                "  }",
                "}",
                "passdb {",
                "  driver = passwd-file",
                "  args = scheme=PLAIN " + root.resolve("passwd"),
                "}",
                "userdb {",
                "  driver = passwd-file",
                "  args = " + root.resolve("passwd"),
                "}",
                "mail_location = maildir:~/Maildir",
                "service imap-login {",
                "  inet_listener imap {",
                "    address = 127.0.0.1",
                "    port = " + imapPort,
                "  }",
                "  inet_listener imaps {",
                "    address = 127.0.0.1",
                "    port = " + imapsPort,
                "    ssl = yes",
                "  }",
                "}"));
        lines.add("# extra lines from the test");
        lines.addAll(extraConfig);
        Files.write(config, lines);
        // A stale penalty socket from an earlier start would keep the penalty on.
        Files.deleteIfExists(run.resolve("anvil-auth-penalty"));
    }

    /**
     * Runs a command to its end. Dovecot's master keeps the caller's stdout and stderr open, so stdin is /dev/null
     * and output goes to a file, never to a pipe this JVM would wait on.
     */
    private void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(commandOutput.toFile()))
                .start();
        try {
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command[0], e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ":\n"
                    + Files.readString(commandOutput) + "\nlog:\n" + String.join("\n", logLines()));
        }
    }

    private void awaitListening(int port) throws IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (IOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("Dovecot not listening on 127.0.0.1:" + port + " after " + START_TIMEOUT
                            + "; log:\n" + String.join("\n", logLines()), notYet);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for Dovecot", e);
                }
            }
        }
    }

    /** The users given at start. */
    public List<User> users() {
        return users;
    }

    @Override
    public String toString() {
        return "Dovecot in " + root + " (imap 127.0.0.1:" + imapPort + ", imaps 127.0.0.1:" + imapsPort + ")";
    }

}
