package dev.sekisho.postfix;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.AddressText;
import dev.sekisho.engine.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Postfix policy delegation server: a TCP listener whose connections are spread over a few
 * event loops ({@link PolicyEventLoop}, one per core), each reading requests and answering them in
 * order.
 *
 * <p>SMTPD_POLICY_README: Postfix keeps a policy connection open and sends request after request
 * on it, waiting for each reply, until max_idle (300 s) or max_ttl (1000 s) passes. A connection
 * that breaks the protocol or a limit is logged with one WARN line and closed; Postfix then
 * falls back to its default_action, and no other connection notices.
 */
public final class PolicyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PolicyServer.class);
    private static final int ACCEPT_BACKLOG = 512;
    private static final long ACCEPT_ERROR_PAUSE_MILLIS = 100;
    private static final long SHUTDOWN_WAIT_SECONDS = 5;
    private static final long REFUSAL_LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final long FAILURE_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final InetSocketAddress bindAddress;
    private final ServiceResolver serviceResolver;
    private final Decider decider;
    private final PolicyServerLimits limits;
    private final int eventLoopCount;
    private final LongSupplier nanoClock;

    private final AtomicInteger activeConnections = new AtomicInteger();
    private final LongAdder requestsAnswered = new LongAdder();
    private final LongAdder deciderFailures = new LongAdder();
    private final LongAdder unknownClients = new LongAdder();
    private final LongAdder answeringFailures = new LongAdder();
    /** When a failure of {@link Decider#beforeAnswering()} was last logged; racy by design (at worst two lines). */
    private volatile long lastAnsweringFailureLog = System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS - 1;
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder refusedConnections = new LongAdder();
    private long lastRefusalLog = System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS - 1; // accept thread only
    private final Object lifecycle = new Object();
    private ServerSocketChannel listener;          // guarded by lifecycle
    private Thread acceptThread;                   // guarded by lifecycle
    private final List<PolicyEventLoop> loops = new ArrayList<>();   // guarded by lifecycle; fixed once started
    private final List<Thread> loopThreads = new ArrayList<>();      // guarded by lifecycle
    private volatile boolean closed;

    /**
     * @param bindAddress     where to listen; port 0 picks a free port (see {@link #port()})
     * @param serviceResolver which service each request is judged by
     * @param decider         the engine's decision, e.g. {@code engine::decide}; called on the event
     *                        loops' threads, so it must answer from memory (see {@link PolicyEventLoop})
     * @param limits          sizes and timeouts, {@link PolicyServerLimits#DEFAULTS} normally
     */
    public PolicyServer(InetSocketAddress bindAddress, ServiceResolver serviceResolver, Decider decider,
                        PolicyServerLimits limits) {
        this(bindAddress, serviceResolver, decider, limits, System::nanoTime);
    }

    /** @param nanoClock the monotonic clock the idle and request deadlines are reckoned on (tests move it) */
    PolicyServer(InetSocketAddress bindAddress, ServiceResolver serviceResolver, Decider decider,
                 PolicyServerLimits limits, LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.serviceResolver = Objects.requireNonNull(serviceResolver, "serviceResolver");
        this.decider = Objects.requireNonNull(decider, "decider");
        this.limits = Objects.requireNonNull(limits, "limits");
        // One loop per core: each keeps its core busy while the load lasts, and more would only
        // take turns on the same cores.
        this.eventLoopCount = Runtime.getRuntime().availableProcessors();
    }

    /** Binds the listener and starts accepting connections. */
    public void start() throws IOException {
        synchronized (lifecycle) {
            if (closed) throw new IllegalStateException("policy server was closed");
            if (listener != null) throw new IllegalStateException("policy server already started");
            ServerSocketChannel channel = ServerSocketChannel.open();
            try {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(bindAddress, ACCEPT_BACKLOG);
                for (int i = 0; i < eventLoopCount; i++) loops.add(new PolicyEventLoop(new LoopOwner(), limits, nanoClock));
            } catch (IOException e) {
                channel.close();
                loops.forEach(PolicyEventLoop::discard);
                loops.clear();
                throw new IOException("cannot listen for policy requests on " + describe(bindAddress) + ": " + e.getMessage(), e);
            }
            listener = channel;
            String name = "policy-" + port(channel);
            for (PolicyEventLoop loop : loops) {
                // Daemon threads: an open connection never keeps the process alive.
                loopThreads.add(Thread.ofPlatform().daemon().name(name + "-loop-" + loopThreads.size()).start(loop));
            }
            acceptThread = Thread.ofVirtual().name(name + "-accept").start(() -> acceptLoop(channel));
            log.info("policy server listening on {}", describe(localAddressOf(channel)));
        }
    }

    /** The bound address; only after {@link #start()}. */
    public InetSocketAddress localAddress() {
        synchronized (lifecycle) {
            if (listener == null) throw new IllegalStateException("policy server not started");
            return localAddressOf(listener);
        }
    }

    /** The bound port (the chosen one when started on port 0); only after {@link #start()}. */
    public int port() {
        return localAddress().getPort();
    }

    /** Connections open right now. */
    public int activeConnections() {
        return activeConnections.get();
    }

    /**
     * Requests answered since start (their replies queued for writing), including those answered
     * DUNNO because the decider failed.
     */
    public long requestsAnswered() {
        return requestsAnswered.sum();
    }

    /** Requests for which the decider threw, answered DUNNO. */
    public long deciderFailures() {
        return deciderFailures.sum();
    }

    /** Requests whose client_address was "unknown", answered DUNNO without deciding. */
    public long unknownClients() {
        return unknownClients.sum();
    }

    /** Batches whose {@link Decider#beforeAnswering()} threw; their answers went out anyway. */
    public long answeringFailures() {
        return answeringFailures.sum();
    }

    /** Connections closed at once because max-connections were already open. */
    public long refusedConnections() {
        return refusedConnections.sum();
    }

    /** Connections closed because the client broke the protocol or a limit. */
    public long protocolErrors() {
        return protocolErrors.sum();
    }

    /** Stops accepting, closes every open connection and waits briefly for the loops. Idempotent. */
    @Override
    public void close() {
        ServerSocketChannel channel;
        Thread acceptor;
        List<Thread> threads;
        synchronized (lifecycle) {
            if (closed) return;
            closed = true;
            channel = listener;
            acceptor = acceptThread;
            threads = List.copyOf(loopThreads);
            loops.forEach(PolicyEventLoop::shutdown);
        }
        if (channel == null) return; // never started
        SocketAddress address = localAddressOf(channel);
        closeQuietly(channel);
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(SHUTDOWN_WAIT_SECONDS));
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(SHUTDOWN_WAIT_SECONDS));
                if (thread.isAlive()) log.warn("policy server: {} still running {} s after close", thread.getName(), SHUTDOWN_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("policy server on {} closed", describe(address));
    }

    private void acceptLoop(ServerSocketChannel listener) {
        while (!closed) {
            SocketChannel connection;
            try {
                connection = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                // e.g. out of file descriptors: keep serving the open connections, retry shortly
                log.warn("policy server on {}: accept failed: {}", describe(localAddressOf(listener)), e.toString());
                pauseAfterAcceptError();
                continue;
            }
            if (activeConnections.get() >= limits.maxConnections()) {
                refuse(listener, connection);
                continue;
            }
            try {
                connection.configureBlocking(false);
                connection.setOption(StandardSocketOptions.TCP_NODELAY, true); // one small reply per request; do not wait to coalesce
            } catch (IOException e) {
                log.debug("policy client: setting up the connection failed: {}", e.toString());
                closeQuietly(connection);
                continue;
            }
            PolicyEventLoop loop = leastBusyLoop();
            if (loop == null) { // every loop ended on a failure (logged); nobody could answer
                log.error("policy server on {}: no event loop is running; closing the new connection", describe(localAddressOf(listener)));
                closeQuietly(connection);
                continue;
            }
            activeConnections.incrementAndGet();
            loop.adopt(connection);
        }
    }

    private void refuse(ServerSocketChannel listener, SocketChannel connection) {
        refusedConnections.increment();
        long now = System.nanoTime();
        if (now - lastRefusalLog > REFUSAL_LOG_INTERVAL_NANOS) {
            lastRefusalLog = now;
            log.warn("policy server on {}: {} connections open, the most allowed (policy-limits.max-connections); "
                    + "closing new connections ({} so far)", describe(localAddressOf(listener)),
                    limits.maxConnections(), refusedConnections.sum());
        }
        closeQuietly(connection);
    }

    /** Postfix's connections live for minutes: spreading them by count keeps the loops evenly loaded. */
    private PolicyEventLoop leastBusyLoop() {
        PolicyEventLoop chosen = null;
        for (PolicyEventLoop loop : loops) {
            if (loop.serving() && (chosen == null || loop.connectionCount() < chosen.connectionCount())) chosen = loop;
        }
        return chosen;
    }

    /** What the loops report back and ask for. */
    private final class LoopOwner implements PolicyEventLoop.Owner {
        @Override
        public Action decide(PolicyRequest request, String remote) {
            if (request.clientAddressUnknown()) {
                unknownClients.increment();
                log.debug("policy client {}: {} request with client_address=unknown answered DUNNO", remote, request.protocolState());
                return Action.DUNNO;
            }
            try {
                Verdict verdict = decider.decide(request.toTransaction(serviceResolver.serviceFor(request)));
                if (verdict == null) throw new IllegalStateException("decider returned no verdict");
                return verdict.action();
            } catch (RuntimeException e) {
                // DESIGN: fail the way the operator chose; here the adapter can only stay neutral.
                deciderFailures.increment();
                log.warn("policy client {}: deciding {} for client_address={} failed; answering DUNNO",
                        remote, request.protocolState(), AddressText.of(request.clientAddress()), e);
                return Action.DUNNO;
            }
        }

        @Override
        public void beforeAnswering() {
            try {
                decider.beforeAnswering();
            } catch (RuntimeException e) {
                // The verdicts stand: holding back Postfix's answers would hold up mail for a bookkeeping failure.
                answeringFailures.increment();
                long now = System.nanoTime();
                if (now - lastAnsweringFailureLog >= FAILURE_LOG_INTERVAL_NANOS) {
                    lastAnsweringFailureLog = now;
                    log.error("making a batch of verdicts durable failed ({} times so far); answering anyway", answeringFailures.sum(), e);
                }
            }
        }

        @Override
        public void answered() {
            requestsAnswered.increment();
        }

        @Override
        public void protocolError() {
            protocolErrors.increment();
        }

        @Override
        public void connectionEnded() {
            activeConnections.decrementAndGet();
        }
    }

    private static void pauseAfterAcceptError() {
        try {
            Thread.sleep(ACCEPT_ERROR_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InetSocketAddress localAddressOf(ServerSocketChannel channel) {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("policy server's listener is closed", e);
        }
    }

    private static int port(ServerSocketChannel channel) {
        return localAddressOf(channel).getPort();
    }

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) return;
        try {
            closeable.close();
        } catch (Exception e) {
            log.debug("closing {} failed: {}", closeable, e.toString());
        }
    }

    /** host:port (IPv6 in brackets) without any name lookup; also the loops' name for a client. */
    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) return AddressText.of(inet);
        return String.valueOf(address);
    }
}
