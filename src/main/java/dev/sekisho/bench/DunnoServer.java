package dev.sekisho.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The ceiling for any policy server in Java on a machine: the simplest correct one, answering
 * {@code action=DUNNO} to every request without looking at it. It serves its connections the way
 * Sekisho's policy server does, one event loop per core ({@code postfix.PolicyEventLoop}): each
 * wake-up reads every ready connection and finds the empty lines that end its requests, then
 * writes each connection's replies in one write. Measured against the same load, this is what the
 * fastest server with Sekisho's I/O costs, so the gap to Sekisho is the cost of deciding.
 */
public final class DunnoServer implements AutoCloseable {

    private static final byte[] REPLY = "action=DUNNO\n\n".getBytes(StandardCharsets.US_ASCII);
    /** Postfix requests are well under 2 KiB; a client sending more without an empty line is not Postfix. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final int READ_BUFFER_BYTES = 16 * 1024;

    private final ServerSocketChannel listener;
    private final Thread acceptor;
    private final List<Loop> loops = new ArrayList<>();
    private final List<Thread> loopThreads = new ArrayList<>();

    private DunnoServer(ServerSocketChannel listener, int loopCount) throws IOException {
        this.listener = listener;
        try {
            for (int i = 0; i < loopCount; i++) loops.add(new Loop());
        } catch (IOException e) {
            for (Loop loop : loops) loop.selector.close();
            throw e;
        }
        for (Loop loop : loops) loopThreads.add(Thread.ofPlatform().daemon().name("dunno-loop-" + loopThreads.size()).unstarted(loop));
        this.acceptor = Thread.ofVirtual().name("dunno-accept").unstarted(this::acceptLoop);
    }

    /** Listens on {@code address} (port 0 picks a free one) and starts answering. */
    public static DunnoServer start(InetSocketAddress address) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        DunnoServer server;
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address, 1024);
            server = new DunnoServer(listener, Runtime.getRuntime().availableProcessors());
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        server.loopThreads.forEach(Thread::start);
        server.acceptor.start();
        return server;
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the DUNNO server is closed", e);
        }
    }

    /** Blocks until the server is closed (from another thread or by a signal). */
    public void awaitClose() throws InterruptedException {
        acceptor.join();
    }

    private void acceptLoop() {
        int next = 0;
        while (listener.isOpen()) {
            try {
                SocketChannel connection = listener.accept();
                connection.configureBlocking(false);
                connection.setOption(StandardSocketOptions.TCP_NODELAY, true);
                loops.get(next++ % loops.size()).adopt(connection);
            } catch (IOException e) {
                if (listener.isOpen()) System.err.println("dunno-server: accept failed: " + e.getMessage());
            }
        }
    }

    /** Stops listening and answering; returns once the port is closed (a blocked accept may hold it open until it ends). */
    @Override
    public void close() throws IOException {
        listener.close();
        for (Loop loop : loops) {
            loop.closing = true;
            loop.selector.wakeup();
        }
        try {
            acceptor.join(5_000);
            for (Thread thread : loopThreads) thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connection's progress through its current request, and the replies it is owed. */
    private static final class Connection {
        final SocketChannel channel;
        boolean atLineStart = true; // the previous byte was '\n' (a request's first line starts here too)
        int requestBytes;
        int repliesOwed;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private static final class Loop implements Runnable {
        final Selector selector;
        final Queue<SocketChannel> adopted = new ConcurrentLinkedQueue<>();
        final ByteBuffer in = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
        /** As many replies as one read can ask for (each request takes at least two bytes), written in one piece. */
        final ByteBuffer replies = ByteBuffer.allocateDirect(READ_BUFFER_BYTES / 2 * REPLY.length);
        final List<SelectionKey> owed = new ArrayList<>();
        volatile boolean closing;

        Loop() throws IOException {
            this.selector = Selector.open();
            while (replies.hasRemaining()) replies.put(REPLY);
        }

        void adopt(SocketChannel connection) {
            adopted.add(connection);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (!closing) {
                    selector.select(this::read);
                    for (SelectionKey key : owed) answer(key);
                    owed.clear();
                    SocketChannel connection;
                    while ((connection = adopted.poll()) != null) {
                        try {
                            connection.register(selector, SelectionKey.OP_READ, new Connection(connection));
                        } catch (IOException e) { // the client went away already
                            closeQuietly(connection);
                        }
                    }
                }
            } catch (IOException | ClosedSelectorException e) {
                if (!closing) System.err.println("dunno-server: event loop failed: " + e);
            } finally {
                for (SelectionKey key : selector.keys()) closeQuietly(key.channel());
                SocketChannel connection;
                while ((connection = adopted.poll()) != null) closeQuietly(connection);
                closeQuietly(selector);
            }
        }

        /** Counts the requests a ready connection completed; they are answered once every ready connection is read. */
        private void read(SelectionKey key) {
            Connection connection = (Connection) key.attachment();
            try {
                in.clear();
                int read = connection.channel.read(in);
                if (read < 0) {
                    close(key);
                    return;
                }
                int before = connection.repliesOwed;
                for (int i = 0; i < read; i++) {
                    byte b = in.get(i);
                    connection.requestBytes++;
                    if (b == '\n') {
                        if (connection.atLineStart && connection.requestBytes > 1) { // an empty line after attributes ends a request
                            connection.repliesOwed++;
                            connection.requestBytes = 0;
                        }
                        connection.atLineStart = true;
                    } else {
                        connection.atLineStart = false;
                    }
                }
                if (connection.requestBytes > MAX_REQUEST_BYTES) {
                    close(key);
                } else if (before == 0 && connection.repliesOwed > 0) {
                    owed.add(key);
                }
            } catch (IOException e) {
                close(key);
            }
        }

        /**
         * Writes a connection's replies together, after every ready connection was read, as
         * Sekisho's loop does: the client is woken once for all of them.
         */
        private void answer(SelectionKey key) {
            Connection connection = (Connection) key.attachment();
            if (!key.isValid()) return;
            try {
                replies.clear().limit(connection.repliesOwed * REPLY.length);
                connection.repliesOwed = 0;
                connection.channel.write(replies);
                // The load generator waits for each reply, so the socket always takes them; a
                // client whose socket is full pipelines without reading, and is cut off.
                if (replies.hasRemaining()) close(key);
            } catch (IOException e) {
                close(key);
            }
        }

        private static void close(SelectionKey key) {
            key.cancel();
            closeQuietly(key.channel());
        }

        private static void closeQuietly(AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // the client went away or the loop is ending; nothing more to learn
            }
        }
    }
}
