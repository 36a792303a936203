package dev.sekisho.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The ceiling for any policy server in Java on a machine: the simplest correct one, answering
 * {@code action=DUNNO} to every request without looking at it. One platform thread per
 * connection blocked in its read, as Sekisho's policy server does (a virtual thread's read costs
 * a poller registration and a wake-up through the scheduler per request), reads in blocks, finds the empty line that ends each request, answers; replies
 * to requests that arrived together go out in one write.
 */
public final class DunnoServer implements AutoCloseable {

    private static final byte[] REPLY = "action=DUNNO\n\n".getBytes(StandardCharsets.US_ASCII);
    /** Postfix requests are well under 2 KiB; a client sending more without an empty line is not Postfix. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final ServerSocket serverSocket;
    private final Thread acceptor;

    private DunnoServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
        this.acceptor = Thread.ofVirtual().name("dunno-accept").unstarted(this::acceptLoop);
    }

    /** Listens on {@code address} (port 0 picks a free one) and starts answering. */
    public static DunnoServer start(InetSocketAddress address) throws IOException {
        ServerSocket serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(address, 1024);
        DunnoServer server = new DunnoServer(serverSocket);
        server.acceptor.start();
        return server;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    /** Blocks until the server is closed (from another thread or by a signal). */
    public void awaitClose() throws InterruptedException {
        acceptor.join();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket connection = serverSocket.accept();
                Thread.ofPlatform().daemon().name("dunno-connection").start(() -> serve(connection));
            } catch (IOException e) {
                if (!serverSocket.isClosed()) System.err.println("dunno-server: accept failed: " + e.getMessage());
            }
        }
    }

    private static void serve(Socket connection) {
        try (connection) {
            connection.setTcpNoDelay(true);
            InputStream in = connection.getInputStream();
            OutputStream out = connection.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            byte[] replies = new byte[REPLY.length * 64];
            boolean atLineStart = true; // the previous byte was '\n' (a request's first line starts here too)
            int requestBytes = 0;
            int read;
            while ((read = in.read(buffer)) > 0) {
                int pendingReplies = 0;
                for (int i = 0; i < read; i++) {
                    byte b = buffer[i];
                    requestBytes++;
                    if (b == '\n') {
                        if (atLineStart && requestBytes > 1) { // an empty line after attributes ends a request
                            if (pendingReplies == 64) {
                                out.write(replies, 0, pendingReplies * REPLY.length);
                                pendingReplies = 0;
                            }
                            System.arraycopy(REPLY, 0, replies, pendingReplies++ * REPLY.length, REPLY.length);
                            requestBytes = 0;
                        }
                        atLineStart = true;
                    } else {
                        atLineStart = false;
                    }
                }
                if (pendingReplies > 0) out.write(replies, 0, pendingReplies * REPLY.length);
                if (requestBytes > MAX_REQUEST_BYTES) return;
            }
        } catch (IOException e) {
            // the client went away; nothing to clean up beyond the socket
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }
}
