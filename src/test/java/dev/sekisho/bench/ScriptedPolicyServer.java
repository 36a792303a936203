package dev.sekisho.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A policy server for generator tests that answers as a script says: per connection (numbered
 * from 0 in the order their first request arrives; connections that send nothing, like the
 * generator's reachability probe, get no number) and per request on it, the reply's pieces,
 * each written and flushed on its own, or no reply and the connection closed. Records every
 * request it received.
 */
final class ScriptedPolicyServer implements AutoCloseable {

    /** What to do with a request: write these pieces in order, or (null) close the connection. */
    interface Script {
        List<byte[]> answer(int connection, int request);
    }

    private final ServerSocket serverSocket;
    private final Script script;
    private final List<List<byte[]>> requestsByConnection = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ScriptedPolicyServer(Script script) throws IOException {
        this.script = script;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofPlatform().daemon(true).name("scripted-accept").start(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    /** Each numbered connection's requests, as received, in connection order. */
    List<List<byte[]>> requestsByConnection() {
        return List.copyOf(requestsByConnection);
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                sockets.add(socket);
                Thread.ofPlatform().daemon(true).name("scripted-connection").start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true); // each piece its own segment, so the generator may see it alone
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            List<byte[]> requests = null;
            int connection = -1;
            while (true) {
                byte[] request = readRequest(in);
                if (request == null) return;
                if (requests == null) {
                    synchronized (requestsByConnection) {
                        requests = new CopyOnWriteArrayList<>();
                        connection = requestsByConnection.size();
                        requestsByConnection.add(requests);
                    }
                }
                requests.add(request);
                List<byte[]> pieces = script.answer(connection, requests.size() - 1);
                if (pieces == null) return;
                for (byte[] piece : pieces) {
                    out.write(piece);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the generator closed the connection: the run is over or it gave up on it
        }
    }

    /** One request up to and with its empty line; null at the end of the stream. */
    private static byte[] readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) return null;
            request.write(b);
            if (b == '\n' && previous == '\n') return request.toByteArray();
            previous = b;
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket socket : new ArrayList<>(sockets)) socket.close();
    }
}
