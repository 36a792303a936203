package dev.sekisho.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;


/**
 * A private Postfix instance for system tests: its own configuration, queue, data directory
 * and log file in a temporary directory, smtpd on 127.0.0.1 at a free port, every transport
 * {@code discard:}, mail to {@link #LOCAL_DOMAIN} accepted from anyone (as an MX would).
 *
 * <p>Postfix must be started as root (its {@code postfix} command refuses anyone else); it
 * then drops to {@code mail_owner = postfix}. Tests call {@link #requireAvailable()} first:
 * it fails with what is missing rather than letting a test skip.
 *
 * <p>Typical use: start a policy server on 127.0.0.1, then
 * <pre>{@code
 * try (RealPostfix postfix = RealPostfix.start(Restrictions.policyService(policyPort, "mx"))) {
 *     Swaks.Result result = postfix.send(Swaks.Message.to("user@example.test"));
 *     assertThat(result.rcptReply().code()).isEqualTo(450);
 * }
 * }</pre>
 * Change restrictions between tests with {@link #reconfigure(Restrictions)} (a restart).
 * Facts behind the configuration: /work/shared/notes/postfix-dovecot-on-loopback.md.
 */
public final class RealPostfix implements AutoCloseable {

    /** The domain this Postfix accepts mail for (relay_domains, delivered to discard:). */
    public static final String LOCAL_DOMAIN = "example.test";

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    /**
     * What smtpd checks, as lists of restriction entries in order.
     *
     * @param recipient smtpd_recipient_restrictions; empty means Postfix's default
     * @param endOfData smtpd_end_of_data_restrictions; empty means none
     */
    public record Restrictions(List<String> recipient, List<String> endOfData) {
        public Restrictions {
            recipient = List.copyOf(recipient);
            endOfData = List.copyOf(endOfData);
        }

        public static Restrictions none() {
            return new Restrictions(List.of(), List.of());
        }

        /** Ask the policy server on 127.0.0.1:policyPort at RCPT time, with the given policy_context. */
        public static Restrictions policyService(int policyPort, String policyContext) {
            return new Restrictions(List.of(checkPolicyService(policyPort, policyContext)), List.of());
        }

        /** Also ask the policy server at end of data (END-OF-MESSAGE, with size and recipient_count). */
        public Restrictions withEndOfDataPolicyService(int policyPort, String policyContext) {
            List<String> endOfData = new ArrayList<>(this.endOfData);
            endOfData.add(checkPolicyService(policyPort, policyContext));
            return new Restrictions(recipient, endOfData);
        }

        /**
         * One check_policy_service entry. default_action=DUNNO: when the server is down Postfix
         * goes on as if it had answered DUNNO (after two tries, ~1.1 s).
         */
        public static String checkPolicyService(int policyPort, String policyContext) {
            if (policyPort <= 0 || policyPort > 65535) throw new IllegalArgumentException("policy port out of range: " + policyPort);
            if (!policyContext.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("policy_context must be one word, was '" + policyContext + "'");
            return "check_policy_service { inet:127.0.0.1:" + policyPort
                    + ", default_action=DUNNO, policy_context=" + policyContext + " }";
        }
    }

    /**
     * main.cf lines for SMTP AUTH through Dovecot's SASL socket ({@link RealDovecot#saslSocket()}), as a submission
     * service has it: PLAIN and LOGIN offered without TLS (loopback only), no anonymous logins.
     */
    public static List<String> dovecotSasl(Path saslSocket) {
        return List.of(
                "smtpd_sasl_auth_enable = yes",
                "smtpd_sasl_type = dovecot",
                // an absolute path: smtpd is not chrooted here, so it need not lie below the queue directory
                "smtpd_sasl_path = " + saslSocket,
                "smtpd_sasl_security_options = noanonymous",
                "smtpd_tls_security_level = none");
    }

    private final Path root;
    private final Path configDirectory;
    private final Path logFile;
    private final Path commandOutput;
    private final int smtpPort;
    private final String postfixCommand;
    /** main.cf lines beyond the MX setup, e.g. SMTP AUTH; kept across {@link #reconfigure}. */
    private final List<String> extraMainCf;
    /** master.cf lines beyond the MX services, e.g. a second smtp transport; kept across {@link #reconfigure}. */
    private final List<String> extraMasterCf;
    /** Stops Postfix if the test JVM exits without close() (a crash, a killed fork): no stray daemons. */
    private final Thread stopOnExit;
    /** Deliver mail for LOCAL_DOMAIN into {@link #mailbox()} instead of discarding it. */
    private final boolean deliverToMailbox;
    private volatile boolean running; // read by the shutdown hook

    private RealPostfix(Path root, int smtpPort, String postfixCommand, boolean deliverToMailbox, List<String> extraMainCf,
                        List<String> extraMasterCf) {
        this.deliverToMailbox = deliverToMailbox;
        this.extraMainCf = List.copyOf(extraMainCf);
        this.extraMasterCf = List.copyOf(extraMasterCf);
        this.root = root;
        this.configDirectory = root.resolve("etc");
        this.logFile = root.resolve("postfix.log");
        this.commandOutput = root.resolve("postfix-commands.out");
        this.smtpPort = smtpPort;
        this.postfixCommand = postfixCommand;
        this.stopOnExit = new Thread(this::closeQuietly, "stop-postfix-" + smtpPort);
    }

    /**
     * Fails the calling test, with what is missing, unless Postfix and swaks are installed and we
     * run as root. System tests run only when asked for (-Psystem, as .ci/run does after installing
     * the packages), so a missing piece is an error, never a silent skip.
     */
    public static void requireAvailable() {
        Optional<String> missing = whatIsMissing();
        if (missing.isPresent()) {
            throw new IllegalStateException("system tests need a real Postfix: " + missing.get()
                    + " (bash .ci/run installs postfix and swaks from Debian's packages)");
        }
    }

    private static Optional<String> whatIsMissing() {
        if (findExecutable("postfix").isEmpty()) return Optional.of("postfix is not installed");
        if (findExecutable("swaks").isEmpty()) return Optional.of("swaks is not installed");
        if (!"root".equals(System.getProperty("user.name"))) return Optional.of("Postfix must be started as root");
        return Optional.empty();
    }

    /** Writes the configuration into a fresh temporary directory and starts Postfix there. */
    public static RealPostfix start(Restrictions restrictions) throws IOException {
        return start(restrictions, false, List.of(), List.of());
    }

    /** As {@link #start(Restrictions)}, with further main.cf lines (appended last, so they win). */
    public static RealPostfix start(Restrictions restrictions, List<String> extraMainCf) throws IOException {
        return start(restrictions, false, extraMainCf, List.of());
    }

    /** As {@link #start(Restrictions, List)}, with further master.cf services (e.g. an smtp transport). */
    public static RealPostfix start(Restrictions restrictions, List<String> extraMainCf, List<String> extraMasterCf) throws IOException {
        return start(restrictions, false, extraMainCf, extraMasterCf);
    }

    /**
     * Like {@link #start(Restrictions)}, but mail to any address in {@link #LOCAL_DOMAIN} is
     * delivered by virtual(8) into one Maildir, {@link #mailbox()}, where the test can read it.
     */
    public static RealPostfix startWithMailbox(Restrictions restrictions) throws IOException {
        return start(restrictions, true, List.of(), List.of());
    }

    private static RealPostfix start(Restrictions restrictions, boolean deliverToMailbox, List<String> extraMainCf,
                                     List<String> extraMasterCf) throws IOException {
        String postfixCommand = findExecutable("postfix").orElseThrow(() -> new IllegalStateException("postfix is not installed"));
        Path root = Files.createTempDirectory("sekisho-postfix-");
        RealPostfix postfix = new RealPostfix(root, freeLoopbackPort(), postfixCommand, deliverToMailbox, extraMainCf, extraMasterCf);
        try {
            Runtime.getRuntime().addShutdownHook(postfix.stopOnExit);
            postfix.prepareDirectories();
            postfix.writeConfiguration(restrictions);
            postfix.postfix("check");
            postfix.postfix("start");
            postfix.running = true;
            postfix.awaitSmtpListening();
            return postfix;
        } catch (IOException | RuntimeException e) {
            postfix.close();
            throw e;
        }
    }

    /**
     * Rewrites main.cf with new restrictions and restarts Postfix on the same port. A restart,
     * not {@code postfix reload}: after a reload an idle smtpd of the old configuration may
     * still take the next connection, which makes tests flaky; a restart here takes well under
     * a second.
     */
    public void reconfigure(Restrictions restrictions) throws IOException {
        if (running) {
            running = false;
            postfix("stop");
        }
        writeConfiguration(restrictions);
        postfix("start");
        running = true;
        awaitSmtpListening();
    }

    public int smtpPort() {
        return smtpPort;
    }

    public Path configDirectory() {
        return configDirectory;
    }

    /** Postfix's own log (maillog_file via postlogd): every line any Postfix daemon logged. */
    public Path logFile() {
        return logFile;
    }

    public List<String> logLines() {
        return new DaemonLog("Postfix", logFile).lines();
    }

    /**
     * Waits until a line anywhere in the log (earlier tests' lines included: match on something
     * unique, such as the recipient) matches. Postfix logs asynchronously (via postlogd, from several
     * processes), so a line about a message may appear shortly after swaks returns.
     */
    public String awaitLogLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        return new DaemonLog("Postfix", logFile).await(matches, timeout);
    }

    /** The Maildir that {@link #startWithMailbox} delivers into (its {@code new/} holds each message as a file). */
    public Path mailbox() {
        if (!deliverToMailbox) throw new IllegalStateException("this Postfix discards mail; start it with startWithMailbox");
        return root.resolve("mail").resolve("inbox");
    }

    /** Waits until the mailbox holds at least {@code count} delivered messages; returns their files, oldest first. */
    public List<Path> awaitMessages(int count, Duration timeout) throws IOException, InterruptedException {
        Path delivered = mailbox().resolve("new");
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (Files.isDirectory(delivered)) {
                try (Stream<Path> files = Files.list(delivered)) {
                    List<Path> messages = files.sorted(Comparator.comparing(RealPostfix::modified)).toList();
                    if (messages.size() >= count) return messages;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("fewer than " + count + " messages delivered within " + timeout + "; log:\n" + String.join("\n", logLines()));
            }
            Thread.sleep(50);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one message through this Postfix with swaks. */
    public Swaks.Result send(Swaks.Message message) throws IOException, InterruptedException {
        return Swaks.send("127.0.0.1", smtpPort, message);
    }

    /** Stops Postfix (about 1.5 s) and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            if (running) {
                running = false;
                postfix("stop");
            }
        } finally {
            DaemonLog.deleteRecursively(root);
            removeShutdownHook();
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // close() is running from the hook itself
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            System.err.println("could not stop Postfix in " + root + ": " + e.getMessage());
        }
    }

    private void prepareDirectories() throws IOException {
        // Postfix daemons run as the postfix user and must reach the spool below this directory;
        // the configuration directory must belong to root (postfix check warns about anything
        // else under it, so the spool and data directories live beside it, not in it).
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(configDirectory);
        Files.createDirectories(spoolDirectory()); // root-owned; postfix start creates the queues in it
        Files.createDirectories(dataDirectory());
        UserPrincipal postfixUser = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        Files.setOwner(dataDirectory(), postfixUser);
        if (deliverToMailbox) {
            Path mail = Files.createDirectories(root.resolve("mail"));
            // virtual(8) writes as the uid and gid of virtual_uid_maps / virtual_gid_maps
            Files.setOwner(mail, postfixUser);
            Files.getFileAttributeView(mail, java.nio.file.attribute.PosixFileAttributeView.class)
                    .setGroup(root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("postfix"));
        }
    }

    private Path spoolDirectory() {
        return root.resolve("spool");
    }

    private Path dataDirectory() {
        return root.resolve("data");
    }

    private void writeConfiguration(Restrictions restrictions) throws IOException {
        Path mainCf = configDirectory.resolve("main.cf");
        Path masterCf = configDirectory.resolve("master.cf");
        Files.writeString(mainCf, mainCf(restrictions));
        Files.writeString(masterCf, masterCf());
        // postconf and postfix check re-read a main.cf younger than one second for up to
        // ~2.4 s; dating the files in the past makes every command start at once.
        FileTime past = FileTime.from(Instant.now().minusSeconds(10));
        Files.setLastModifiedTime(mainCf, past);
        Files.setLastModifiedTime(masterCf, past);
    }

    private String mainCf(Restrictions restrictions) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "# written by dev.sekisho.testing.RealPostfix",
                "compatibility_level = 3.6",
                "queue_directory = " + spoolDirectory(),
                "data_directory = " + dataDirectory(),
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "myhostname = sekisho-test.localdomain",
                "mydomain = localdomain",
                "myorigin = $myhostname",
                "inet_interfaces = loopback-only",
                "inet_protocols = all",
                "mynetworks = 127.0.0.0/8 [::1]/128",
                // Accept mail for LOCAL_DOMAIN from any client, like an MX: relay domain with no
                // recipient table, so any local part is accepted; nothing is delivered anywhere.
                "mydestination =",
                "relay_domains = " + LOCAL_DOMAIN,
                "relay_recipient_maps =",
                "local_recipient_maps =",
                "alias_maps =",
                "alias_database =",
                "default_transport = discard:",
                "relay_transport = discard:",
                "local_transport = discard:",
                "virtual_transport = discard:",
                "biff = no",
                // No DNS leaves the machine: no reverse lookups of clients (client_name = unknown).
                "smtpd_peername_lookup = no",
                // Tests present other client addresses from loopback with XCLIENT ADDR=...
                "smtpd_authorized_xclient_hosts = 127.0.0.0/8 [::1]/128",
                "maillog_file = " + logFile,
                "maillog_file_prefixes = " + root));
        if (deliverToMailbox) {
            // virtual(8) into one Maildir (the trailing slash) for every address of LOCAL_DOMAIN,
            // as the postfix user; the domain moves from relay_domains to virtual_mailbox_domains.
            int uid = (Integer) Files.getAttribute(root.resolve("mail"), "unix:uid");
            int gid = (Integer) Files.getAttribute(root.resolve("mail"), "unix:gid");
            lines.replaceAll(line -> line.equals("relay_domains = " + LOCAL_DOMAIN) ? "relay_domains =" : line);
            lines.replaceAll(line -> line.equals("virtual_transport = discard:") ? "virtual_transport = virtual" : line);
            lines.addAll(List.of(
                    "virtual_mailbox_domains = " + LOCAL_DOMAIN,
                    "virtual_mailbox_base = " + root.resolve("mail"),
                    "virtual_mailbox_maps = static:inbox/",
                    "virtual_minimum_uid = " + Math.min(uid, 100),
                    "virtual_uid_maps = static:" + uid,
                    "virtual_gid_maps = static:" + gid));
        }
        if (!restrictions.recipient().isEmpty()) {
            lines.add("smtpd_recipient_restrictions = " + String.join(", ", restrictions.recipient()));
        }
        if (!restrictions.endOfData().isEmpty()) {
            lines.add("smtpd_end_of_data_restrictions = " + String.join(", ", restrictions.endOfData()));
        }
        // An extra line replaces the harness's line for the same parameter instead of following it: Postfix would warn
        // "overriding earlier entry" in every process, and a burst of log datagrams before postlogd runs fills the
        // postlog socket (net.unix.max_dgram_qlen is 10 here), so master blocks logging and never starts postlogd.
        for (String extra : extraMainCf) {
            String name = parameterName(extra);
            if (!name.isEmpty()) lines.removeIf(line -> parameterName(line).equals(name));
            lines.add(extra);
        }
        return String.join("\n", lines) + "\n";
    }

    /** The parameter a main.cf line sets ("" for comments and continuation lines). */
    private static String parameterName(String line) {
        int equals = line.indexOf('=');
        if (equals <= 0 || line.isEmpty() || Character.isWhitespace(line.charAt(0)) || line.startsWith("#")) return "";
        return line.substring(0, equals).strip();
    }

    private String masterCf() {
        // Only the services an MX that discards everything needs; nothing chrooted, since the
        // chroot would have to be populated. postlog makes maillog_file work.
        return """
                # service type  private unpriv  chroot  wakeup  maxproc command
                127.0.0.1:%d inet n  -       n       -       -       smtpd
                pickup    unix  n       -       n       60      1       pickup
                cleanup   unix  n       -       n       -       0       cleanup
                qmgr      unix  n       -       n       300     1       qmgr
                rewrite   unix  -       -       n       -       -       trivial-rewrite
                bounce    unix  -       -       n       -       0       bounce
                defer     unix  -       -       n       -       0       bounce
                trace     unix  -       -       n       -       0       bounce
                verify    unix  -       -       n       -       1       verify
                flush     unix  n       -       n       1000?   0       flush
                proxymap  unix  -       -       n       -       -       proxymap
                showq     unix  n       -       n       -       -       showq
                error     unix  -       -       n       -       -       error
                retry     unix  -       -       n       -       -       error
                discard   unix  -       -       n       -       -       discard
                anvil     unix  -       -       n       -       1       anvil
                scache    unix  -       -       n       -       1       scache
                postlog   unix-dgram n  -       n       -       1       postlogd
                virtual   unix  -       n       n       -       -       virtual
                """.formatted(smtpPort) + extraMasterCf.stream().map(line -> line + "\n").collect(java.util.stream.Collectors.joining());
    }

    /** Runs {@code postfix -c DIR <command>}; output goes to a file because the master daemonizes. */
    private void postfix(String command) throws IOException {
        Process process = new ProcessBuilder(postfixCommand, "-c", configDirectory.toString(), command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(commandOutput.toFile()))
                .start();
        try {
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("postfix " + command + " did not finish within " + COMMAND_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running postfix " + command, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("postfix -c " + configDirectory + " " + command + " exited with " + process.exitValue()
                    + ":\n" + Files.readString(commandOutput) + "\nlog:\n" + String.join("\n", logLines()));
        }
    }

    private void awaitSmtpListening() throws IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), smtpPort), 1000);
                return;
            } catch (IOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("Postfix smtpd not listening on 127.0.0.1:" + smtpPort + " after " + START_TIMEOUT
                            + "; log:\n" + String.join("\n", logLines()), notYet);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for Postfix", e);
                }
            }
        }
    }

    /** A port free right now on 127.0.0.1 (another process could take it before Postfix binds; rare). */
    static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }

    static Optional<String> findExecutable(String name) {
        // Maven may run with a PATH lacking the sbin directories where Debian installs Postfix.
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "") + ":/usr/sbin:/usr/local/sbin:/sbin:/usr/bin";
        return Stream.of(path.split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
    }

}
