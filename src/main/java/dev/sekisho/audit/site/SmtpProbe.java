package dev.sekisho.audit.site;

import dev.sekisho.engine.AddressText;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Whether an MX address accepts an SMTP connection: a TCP connect within the deadline, then the
 * greeting read if it comes within what is left of it (RFC 5321 3.1: the server speaks first, with
 * 220), then QUIT (RFC 5321 4.1.1.10). No mail is ever sent: no EHLO, no MAIL. Only the connect
 * decides whether the MX answers; the greeting is evidence.
 */
final class SmtpProbe {
    private static final int MAX_GREETING_LINE = 512; // RFC 5321 4.5.3.1.5: a reply line is at most 512 octets

    enum Outcome {ACCEPTED, NOT_ACCEPTED, LOCAL_FAILURE}

    /** The outcome and what was seen, e.g. "connection refused" or "greeting: 220 mx.example ESMTP". */
    record Result(Outcome outcome, String detail) {
    }

    private SmtpProbe() {
    }

    static Result probe(InetSocketAddress target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket()) {
            try {
                socket.connect(target, (int) Math.max(1, timeout.toMillis()));
            } catch (SocketTimeoutException e) {
                return new Result(Outcome.NOT_ACCEPTED, "no connection within " + timeout.toMillis() + " ms");
            } catch (ConnectException e) {
                if (AuthoritativeQuery.isLocal(String.valueOf(e.getMessage()))) return local(target, e);
                return new Result(Outcome.NOT_ACCEPTED, "connection refused");
            } catch (NoRouteToHostException e) {
                return new Result(Outcome.NOT_ACCEPTED, "no route to host");
            } catch (IOException e) {
                if (AuthoritativeQuery.isLocal(String.valueOf(e.getMessage()))) return local(target, e);
                return new Result(Outcome.NOT_ACCEPTED, "connect failed: " + e.getMessage());
            }
            return new Result(Outcome.ACCEPTED, greeting(socket, deadline));
        } catch (IOException e) {
            return new Result(Outcome.ACCEPTED, "connected; closing failed: " + e.getMessage());
        }
    }

    private static Result local(InetSocketAddress target, IOException e) {
        return new Result(Outcome.LOCAL_FAILURE, "cannot connect to " + AddressText.of(target) + " from here: " + e.getMessage());
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n' && line.length() < MAX_GREETING_LINE; c = in.read()) {
            if (c != '\r') line.append((char) c);
        }
        return line.toString();
    }

    /** Reads the first greeting line within the deadline and says QUIT; what was seen, for the evidence. */
    private static String greeting(Socket socket, long deadline) {
        try {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            socket.setSoTimeout((int) left);
            InputStream in = socket.getInputStream();
            String line = readLine(in);
            if (line.isEmpty()) return "connected; closed without a greeting";
            // RFC 5321 3.1: after a 220, or a 554 given instead, the server waits for QUIT; it gets nothing else.
            OutputStream out = socket.getOutputStream();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // RFC 5321 4.1.1.10: the server answers QUIT with 221 and closes; wait for it (within the deadline) rather than reset.
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            try {
                readLine(in);
            } catch (SocketTimeoutException e) {
                return "connected; greeting: " + line + "; no reply to QUIT within the deadline";
            }
            return "connected; greeting: " + line;
        } catch (SocketTimeoutException e) {
            return "connected; no greeting within the deadline";
        } catch (IOException e) {
            return "connected; reading the greeting failed: " + e.getMessage();
        }
    }
}
