package dev.sekisho.postfix;

import dev.sekisho.engine.Action;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread serving its share of the policy connections through a selector: every wake-up reads
 * each connection that has bytes, answers every complete request in them in order, and writes each
 * connection's replies in one write.
 *
 * <p>Why not a thread per connection: a blocked thread is woken for every request, and on a small
 * machine the kernel's wake-up and switch cost more than deciding (docs/benchmarks.md, round 7).
 * A loop that finds several connections ready per wake-up pays that once for all of them.
 *
 * <p>Deciding happens on this thread, so the decider must answer from memory (every check does);
 * one that waited on the network would hold up every connection of the loop.
 *
 * <p>A connection whose client stops reading its replies is not read either until they are
 * written (the client waits for each reply, so only a client that pipelines and never reads
 * gets there); the idle timeout then ends it.
 */
final class PolicyEventLoop implements Runnable {

    /** The server's logger: its connections' lines read as the server's, as before the loops existed. */
    private static final Logger log = LoggerFactory.getLogger(PolicyServer.class);
    private static final int WRITE_BUFFER_BYTES = 64 * 1024;
    /** A connection's reply queue: a few replies at first, and never kept larger than this once written. */
    private static final int INITIAL_QUEUE_BYTES = 256;
    private static final int KEPT_QUEUE_BYTES = 4096;

    /** What the loop needs from its server. */
    interface Owner {
        /** The reply for a request; never throws (a failing decision is answered as the server chooses). */
        Action decide(PolicyRequest request, String remote);

        /** After a batch of decisions, before the first of their replies is written; never throws. */
        void beforeAnswering();

        void answered();

        void protocolError();

        /** The connection is closed; called once per connection handed to {@link #adopt}. */
        void connectionEnded();
    }

    private final Owner owner;
    private final PolicyServerLimits limits;
    private final Selector selector;
    private final Queue<SocketChannel> adopted = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    /** The socket writes go through this one direct buffer (a heap buffer would be copied into a temporary one). */
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    /** Connections with replies to write once every ready connection is read and answered. */
    private final List<Connection> repliesWaiting = new ArrayList<>();
    /**
     * A request was decided since the owner last heard {@link Owner#beforeAnswering()}: the next reply written, on any
     * of this loop's connections, first calls it. Loop thread only.
     */
    private boolean decidedSinceAnswering;
    private final long idleTimeoutNanos;
    private final long tickNanos;
    /** Deadlines are reckoned on this clock (System::nanoTime; tests move it); the ticks that check them run on real time. */
    private final LongSupplier nanoClock;
    /** Set when the loop is asked to end, and when it ends on its own: a loop that is closing takes no connections. */
    private volatile boolean closing;

    PolicyEventLoop(Owner owner, PolicyServerLimits limits, LongSupplier nanoClock) throws IOException {
        this.owner = owner;
        this.limits = limits;
        this.nanoClock = nanoClock;
        this.selector = Selector.open();
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        // Deadlines are checked a few times per timeout: a connection is cut off at most one tick late.
        long shortest = Math.min(idleTimeoutNanos, limits.requestTimeout().toNanos());
        this.tickNanos = Math.clamp(shortest / 8, TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1));
    }

    /** False once the loop has ended or been asked to: it must not be given connections. */
    boolean serving() {
        return !closing;
    }

    /** Connections this loop serves or is about to. */
    int connectionCount() {
        return connectionCount.get();
    }

    /** Hands a freshly accepted connection to this loop; from any thread. */
    void adopt(SocketChannel channel) {
        connectionCount.incrementAndGet();
        adopted.add(channel);
        if (closing) {
            closeAdopted(); // the loop may have ended before seeing it
        } else {
            selector.wakeup();
        }
    }

    /** Releases a loop whose thread never started. */
    void discard() {
        closing = true;
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("closing a selector failed: {}", e.toString());
        }
    }

    /** Ends the loop: it closes every connection on its way out. */
    void shutdown() {
        closing = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            long nextTick = System.nanoTime() + tickNanos;
            while (!closing) {
                try {
                    nextTick = turn(nextTick);
                } catch (RuntimeException | Error e) {
                    // A bug in this server, outside any one connection's handling (serve catches its own):
                    // the loop goes on, or its connections would hang with nobody to answer or close them.
                    if (e instanceof ClosedSelectorException) throw e;
                    log.error("policy server: unexpected failure in an event loop; going on", e);
                    // A failure that repeats must not spin the loop and flood the log.
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closing) log.error("policy server: event loop failed; closing its connections", e);
        } finally {
            closing = true; // the server gives no more connections to this loop
            if (decidedSinceAnswering) makeDecisionsDurable();
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof Connection connection) connection.close();
            }
            closeAdopted();
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("closing a selector failed: {}", e.toString());
            }
        }
    }

    /**
     * One wake-up: serve what is ready, write the replies, take new connections, and enforce the deadlines when a tick
     * is due. A method of its own, not the body of {@link #run}'s loop: the JIT compiles a method after some thousands
     * of calls, while a loop that never returns is compiled on the stack only after tens of thousands of iterations,
     * one a wake-up. Under the benchmark's load (about a thousand wake-ups a second a loop) the wake-up reached C2
     * after 11 s this way; as the loop's body it ran in C1's profiling tier until 26-29 s.
     *
     * @return when the next tick is due
     */
    private long turn(long nextTick) throws IOException {
        long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTick - System.nanoTime()));
        selector.select(this::serve, waitMillis);
        writeReplies();
        // Every decision is followed by a reply, so writing the replies has made it durable; a decision whose reply
        // was never queued (an Error between the two) still gets its hook, in this wake-up.
        if (decidedSinceAnswering) makeDecisionsDurable();
        registerAdopted();
        if (System.nanoTime() - nextTick < 0) return nextTick;
        enforceDeadlines(nanoClock.getAsLong());
        return System.nanoTime() + tickNanos;
    }

    /** The decider's hook for the decisions made since the last call; cleared only once it returned, so one that throws is called again. */
    private void makeDecisionsDurable() {
        owner.beforeAnswering();
        decidedSinceAnswering = false;
    }

    private void registerAdopted() {
        SocketChannel channel;
        while ((channel = adopted.poll()) != null) {
            Connection connection = null;
            try {
                connection = new Connection(channel);
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
            } catch (IOException | RuntimeException e) {
                log.debug("policy client {}: registering the connection failed: {}", connection == null ? "?" : connection.remote, e.toString());
                if (connection != null) {
                    connection.close();
                } else { // taken from the queue, so closed and counted here
                    closeQuietly(channel);
                    ended();
                }
            }
        }
    }

    private void closeAdopted() {
        SocketChannel channel;
        while ((channel = adopted.poll()) != null) {
            closeQuietly(channel);
            ended();
        }
    }

    private void ended() {
        connectionCount.decrementAndGet();
        owner.connectionEnded();
    }

    private void serve(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        try {
            if (!key.isValid()) return;
            if (key.isWritable() && !connection.write()) return;
            if (key.isReadable() && !connection.receive()) return;
            connection.answerAll();
        } catch (PolicyProtocolException e) {
            owner.protocolError();
            log.warn("policy client {}: {}; closing the connection", connection.remote, e.getMessage());
            connection.closeOnceWritten();
        } catch (IOException e) {
            if (!closing) log.debug("policy client {}: connection failed: {}", connection.remote, e.toString());
            connection.close();
        } catch (RuntimeException | Error e) {
            // A bug in this server; this connection ends, the loop and the others go on.
            log.error("policy client {}: unexpected failure; closing the connection", connection.remote, e);
            connection.close();
        }
    }

    /**
     * Writes the replies of this wake-up, connection after connection, after every ready
     * connection was read and answered. Writing each as soon as it is decided would wake the
     * client's side once per reply; written together, a client serving many connections (as the
     * load generator does, and a busy Postfix's smtpd processes on another core) is woken once
     * and finds them all.
     */
    private void writeReplies() {
        for (int i = 0; i < repliesWaiting.size(); i++) {
            Connection connection = repliesWaiting.get(i);
            connection.waitingToWrite = false;
            try {
                connection.write();
            } catch (IOException e) {
                if (!closing) log.debug("policy client {}: connection failed: {}", connection.remote, e.toString());
                connection.close();
            } catch (RuntimeException e) {
                // A bug in this server; this connection ends, the loop and the others go on.
                log.error("policy client {}: unexpected failure; closing the connection", connection.remote, e);
                connection.close();
            }
        }
        repliesWaiting.clear();
    }

    private void enforceDeadlines(long now) {
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Connection connection) connection.enforceDeadline(now);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        PolicyServer.closeQuietly(channel);
    }

    /** host:port (IPv6 in brackets) of the client, without any name lookup. */
    private static String remoteOf(SocketChannel channel) {
        try {
            return PolicyServer.describe(channel.getRemoteAddress());
        } catch (IOException e) {
            return "(unknown)"; // closed already; the name only labels log lines
        }
    }

    /** One client's connection; touched by the loop's thread only. */
    private final class Connection {
        final SocketChannel channel;
        final String remote;
        final PolicyRequestDecoder decoder = new PolicyRequestDecoder(limits);
        SelectionKey key;
        /** Replies not written yet, from {@code unsentOffset} for {@code unsentLength} bytes. */
        byte[] unsent = new byte[INITIAL_QUEUE_BYTES];
        int unsentOffset;
        int unsentLength;
        /** The socket did not take every reply: nothing more is read or answered until it has. */
        boolean socketFull;
        /** In {@link #repliesWaiting}. */
        boolean waitingToWrite;
        /** The client broke the protocol: nothing more is read, and the connection closes once the replies before are out. */
        boolean closeOnceWritten;
        /** When the connection last made progress: accepted, a request answered, replies written. */
        long idleSince = nanoClock.getAsLong();
        /** The engine hands out the same Action for the same answer, so its reply bytes are kept for the next request. */
        Action lastAction;
        byte[] lastReply;
        boolean closed;

        Connection(SocketChannel channel) {
            this.channel = channel;
            this.remote = remoteOf(channel);
        }

        /** Reads what the socket has; false when the connection ended. */
        boolean receive() throws IOException, PolicyProtocolException {
            int count = channel.read(decoder.receiveBuffer());
            if (count < 0) {
                decoder.endOfStream();
                log.debug("policy client {} closed the connection", remote);
                close();
                return false;
            }
            decoder.received(count, nanoClock.getAsLong());
            return true;
        }

        /**
         * Decides every complete request received, in order, and queues the replies for the end of
         * the wake-up. One read brings at most a buffer of requests, so the queue stays small.
         */
        void answerAll() throws PolicyProtocolException {
            if (socketFull || closeOnceWritten) return;
            // A malformed request ends the loop here; the replies queued before it still go out
            // (closeOnceWritten), at the end of this batch.
            PolicyRequest request;
            while ((request = decoder.next()) != null) {
                Action action = owner.decide(request, remote);
                decidedSinceAnswering = true;
                if (action != lastAction) {
                    lastReply = ActionRenderer.render(action);
                    lastAction = action;
                }
                queue(lastReply);
                owner.answered();
            }
        }

        private void queue(byte[] reply) {
            if (unsentLength == 0) unsentOffset = 0;
            int end = unsentOffset + unsentLength;
            if (end + reply.length > unsent.length) {
                unsent = Arrays.copyOfRange(unsent, unsentOffset, unsentOffset + Math.max(2 * unsent.length, unsentLength + reply.length));
                unsentOffset = 0;
                end = unsentLength;
            }
            System.arraycopy(reply, 0, unsent, end, reply.length);
            unsentLength += reply.length;
            if (!waitingToWrite && !socketFull) {
                waitingToWrite = true;
                repliesWaiting.add(this);
            }
        }

        /**
         * Writes the queued replies; true once they are all out. When the socket takes only part,
         * the loop waits until it can write and reads nothing from this client meanwhile.
         */
        boolean write() throws IOException {
            // Every reply waiting anywhere in this loop was decided before this point: one call covers them all.
            if (unsentLength > 0 && decidedSinceAnswering) makeDecisionsDurable();
            while (unsentLength > 0 && !closed) {
                writeBuffer.clear();
                int chunk = Math.min(unsentLength, writeBuffer.capacity());
                writeBuffer.put(unsent, unsentOffset, chunk).flip();
                int written = channel.write(writeBuffer);
                unsentOffset += written;
                unsentLength -= written;
                if (written > 0) idleSince = nanoClock.getAsLong();
                if (written < chunk) {
                    if (!socketFull) {
                        socketFull = true;
                        key.interestOps(SelectionKey.OP_WRITE);
                    }
                    return false;
                }
            }
            // A burst of pipelined requests may have grown the queue; it goes back to its usual size.
            if (unsent.length > KEPT_QUEUE_BYTES) unsent = new byte[INITIAL_QUEUE_BYTES];
            if (closeOnceWritten) {
                close();
                return false;
            }
            if (socketFull && !closed) {
                socketFull = false;
                key.interestOps(SelectionKey.OP_READ);
                // The request now arriving was not read while the client did not read its replies:
                // its time starts now, not when its first bytes came.
                decoder.resumed(nanoClock.getAsLong());
            }
            return !closed;
        }

        void enforceDeadline(long now) {
            if (closed) return;
            if (decoder.inRequest() && !socketFull) {
                if (now - decoder.requestDeadline() >= 0) {
                    owner.protocolError();
                    log.warn("policy client {}: request not complete within {} ms; closing the connection",
                            remote, limits.requestTimeout().toMillis());
                    close();
                }
            } else if (now - idleSince - idleTimeoutNanos >= 0) {
                log.debug("policy client {} idle for {} s{}; closing the connection", remote, limits.idleTimeout().toSeconds(),
                        socketFull ? " (not reading its replies)" : "");
                close();
            }
        }

        /** Closes now when every reply is written, else once the socket has taken them (or the idle timeout passes). */
        void closeOnceWritten() {
            if (unsentLength == 0 || closed) {
                close();
                return;
            }
            closeOnceWritten = true;
            if (!socketFull) {
                socketFull = true;
                key.interestOps(SelectionKey.OP_WRITE);
            }
        }

        void close() {
            if (closed) return;
            closed = true;
            if (key != null) key.cancel();
            closeQuietly(channel);
            ended();
        }
    }
}
