package dev.sekisho.audit.site;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real socket standing in for an MX: greets with 220 (RFC 5321 3.1), answers QUIT with 221, records every line it gets. */
final class FakeSmtpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private FakeSmtpServer(ServerSocket socket) {
        this.socket = socket;
    }

    static FakeSmtpServer start(String address) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        FakeSmtpServer server = new FakeSmtpServer(socket);
        Thread.ofVirtual().name("fake-smtp").start(server::serve);
        return server;
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Every command line received, over all connections. */
    List<String> received() {
        return List.copyOf(received);
    }

    private void serve() {
        while (!closed) {
            try {
                Socket client = socket.accept();
                Thread.ofVirtual().start(() -> talk(client));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void talk(Socket client) {
        try (client; BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
             OutputStream out = client.getOutputStream()) {
            out.write("220 mail.lab.test ESMTP fake\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                received.add(line);
                if (line.equalsIgnoreCase("QUIT")) {
                    out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                out.write("502 not here\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }
}
