package dev.sekisho.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Sends one message with swaks and reads back what the server answered.
 *
 * <p>swaks marks each transcript line: {@code " -> "} what it sent, {@code "<-  "} a reply,
 * {@code "<** "} a 4xx/5xx reply, {@code "=== "} and {@code "*** "} its own notes. With an XCLIENT
 * address swaks sends {@code XCLIENT ADDR=...}, Postfix greets again and swaks repeats EHLO; from
 * then on Postfix (and its policy requests) see that address as the client.
 */
public final class Swaks {

    private static final long TIMEOUT_SECONDS = 60;

    private Swaks() {
    }

    /**
     * One message to send. --server and --helo are always given so swaks looks nothing up in DNS.
     *
     * @param helo          EHLO name
     * @param from          envelope sender; "" sends the null sender {@code MAIL FROM:<>}
     * @param to            envelope recipient
     * @param xclientAddress client address presented via XCLIENT, or "" to send as 127.0.0.1
     * @param quitAfterRcpt  end the session with QUIT right after RCPT TO, sending no data (an abandoned transaction)
     */
    public record Message(String helo, String from, String to, String xclientAddress, boolean quitAfterRcpt) {
        /** From a documentation address (203.0.113.7, TEST-NET-3) to the given recipient. */
        public static Message to(String recipient) {
            return new Message("client.example.org", "sender@example.org", recipient, "203.0.113.7", false);
        }

        public Message from(String sender) {
            return new Message(helo, sender, to, xclientAddress, quitAfterRcpt);
        }

        public Message fromClient(String address) {
            return new Message(helo, from, to, address, quitAfterRcpt);
        }

        public Message withHelo(String name) {
            return new Message(name, from, to, xclientAddress, quitAfterRcpt);
        }

        /** The same transaction, given up after RCPT TO: swaks quits without sending DATA. */
        public Message abandonedAfterRcpt() {
            return new Message(helo, from, to, xclientAddress, true);
        }
    }

    /** One SMTP reply: its code and text (lines of a multi-line reply joined with a space, codes removed). */
    public record SmtpReply(int code, String text) {
        @Override
        public String toString() {
            return code + " " + text;
        }
    }

    /**
     * What happened.
     *
     * @param exitCode   swaks's exit code (0: delivered; 23/24/25: refused at MAIL/RCPT/DATA)
     * @param transcript everything swaks printed
     * @param rcptReply  the reply to RCPT TO
     * @param dataReply  the reply after the message's final dot; empty if DATA was never reached
     */
    public record Result(int exitCode, String transcript, SmtpReply rcptReply, Optional<SmtpReply> dataReply) {
    }

    public static Result send(String server, int port, Message message) throws IOException, InterruptedException {
        return run(command(server, port, message));
    }

    /**
     * Sends one message after SMTP AUTH PLAIN as {@code user} (after XCLIENT, when the message has an address), as a
     * mail client on a submission port would. When the login is refused there is no RCPT reply: use
     * {@link #authenticate} to see a refusal.
     */
    public static Result sendAuthenticated(String server, int port, Message message, String user, String password)
            throws IOException, InterruptedException {
        List<String> command = command(server, port, message);
        command.addAll(List.of("--auth", "PLAIN", "--auth-user", user, "--auth-password", password));
        return run(command);
    }

    private static List<String> command(String server, int port, Message message) {
        String swaks = RealPostfix.findExecutable("swaks").orElseThrow(() -> new IllegalStateException("swaks is not installed"));
        List<String> command = new ArrayList<>(List.of(swaks,
                "--server", server + ":" + port,
                "--helo", message.helo(),
                "--from", message.from().isEmpty() ? "<>" : message.from(), // swaks reads <> as the null sender
                "--to", message.to(),
                "--timeout", "30"));
        if (!message.xclientAddress().isEmpty()) {
            command.addAll(List.of("--xclient-addr", message.xclientAddress()));
        }
        if (message.quitAfterRcpt()) command.addAll(List.of("--quit-after", "RCPT"));
        return command;
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        // swaks exits after QUIT, so reading to the end of its output cannot hang past its timeout.
        String transcript = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("swaks did not finish within " + TIMEOUT_SECONDS + " s:\n" + transcript);
        }
        List<String> lines = transcript.lines().toList();
        SmtpReply rcptReply = replyTo(lines, line -> line.startsWith("RCPT TO:"))
                .orElseThrow(() -> new IOException("no reply to RCPT TO in swaks transcript:\n" + transcript));
        Optional<SmtpReply> dataReply = replyTo(lines, line -> line.equals("."));
        return new Result(process.exitValue(), transcript, rcptReply, dataReply);
    }

    /**
     * Tries SMTP AUTH once with swaks (no mail is sent when it fails) and returns swaks's transcript.
     *
     * @param mechanism      PLAIN or LOGIN
     * @param xclientAddress client address presented via XCLIENT before AUTH, or "" for 127.0.0.1
     */
    public static String authenticate(String server, int port, String mechanism, String user, String password, String xclientAddress)
            throws IOException, InterruptedException {
        String swaks = RealPostfix.findExecutable("swaks").orElseThrow(() -> new IllegalStateException("swaks is not installed"));
        List<String> command = new ArrayList<>(List.of(swaks, "--server", server + ":" + port, "--helo", "client.example.org",
                "--from", "sender@example.org", "--to", "user@" + RealPostfix.LOCAL_DOMAIN, "--timeout", "30",
                "--auth", mechanism, "--auth-user", user, "--auth-password", password));
        if (!xclientAddress.isEmpty()) command.addAll(List.of("--xclient-addr", xclientAddress));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        String transcript = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("swaks did not finish within " + TIMEOUT_SECONDS + " s:\n" + transcript);
        }
        return transcript;
    }

    /** The reply that follows the last command line for which {@code isCommand} holds. */
    public static Optional<SmtpReply> replyTo(List<String> transcript, Predicate<String> isCommand) {
        int commandIndex = -1;
        for (int i = 0; i < transcript.size(); i++) {
            String line = transcript.get(i);
            if (line.startsWith(" -> ") && isCommand.test(line.substring(4))) commandIndex = i;
        }
        if (commandIndex < 0) return Optional.empty();
        int code = 0;
        StringBuilder text = new StringBuilder();
        for (int i = commandIndex + 1; i < transcript.size(); i++) {
            String line = transcript.get(i);
            if (!(line.startsWith("<-  ") || line.startsWith("<** "))) {
                if (code != 0) break; // the reply is over
                continue;
            }
            String reply = line.substring(4);
            if (reply.length() < 3) continue;
            code = Integer.parseInt(reply.substring(0, 3));
            if (!text.isEmpty()) text.append(' ');
            text.append(reply.length() > 4 ? reply.substring(4) : "");
            boolean lastLineOfReply = reply.length() == 3 || reply.charAt(3) == ' ';
            if (lastLineOfReply) break;
        }
        return code == 0 ? Optional.empty() : Optional.of(new SmtpReply(code, text.toString()));
    }
}
