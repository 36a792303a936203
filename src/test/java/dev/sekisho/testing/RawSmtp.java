package dev.sekisho.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare SMTP client for what swaks cannot send, such as a message in BDAT chunks (RFC 3030). Each call writes one
 * command and returns the whole reply, the lines of a multi-line reply joined with " | ".
 */
public final class RawSmtp implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    /** Connects and reads the greeting. */
    public RawSmtp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = socket.getOutputStream();
        reply();
    }

    public String command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    /** The whole message as one chunk: {@code BDAT size LAST} and its bytes (RFC 3030 2). */
    public String bdatLast(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
        out.write(("BDAT " + bytes.length + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return reply();
    }

    private String reply() throws IOException {
        StringBuilder all = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            if (line == null) throw new IOException("connection closed; so far: " + all);
            if (!all.isEmpty()) all.append(" | ");
            all.append(line);
        } while (line.length() > 3 && line.charAt(3) == '-'); // RFC 5321 4.2.1: "250-" continues, "250 " ends
        return all.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
