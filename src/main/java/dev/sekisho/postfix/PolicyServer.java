package dev.sekisho.postfix;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.AddressText;
import dev.sekisho.engine.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Postfix policy delegation server: a TCP listener whose every connection is served on its
 * own thread, reading requests and answering them in order.
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

    private final InetSocketAddress bindAddress;
    private final ServiceResolver serviceResolver;
    private final Decider decider;
    private final PolicyServerLimits limits;

    /** Every open connection with the deadline of its pending read (see {@link #watchDeadlines()}). */
    private final Map<Socket, ReadWatch> liveConnections = new ConcurrentHashMap<>();
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final LongAdder requestsAnswered = new LongAdder();
    private final LongAdder deciderFailures = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder refusedConnections = new LongAdder();
    private static final long REFUSAL_LOG_INTERVAL_NANOS = 10_000_000_000L;
    private long lastRefusalLog = System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS - 1; // accept thread only
    private final Object lifecycle = new Object();
    private ServerSocket serverSocket;             // guarded by lifecycle
    private Thread acceptThread;                   // guarded by lifecycle
    private ExecutorService connectionThreads;     // guarded by lifecycle
    private Thread watchdogThread;                 // guarded by lifecycle
    private volatile boolean closed;

    /**
     * @param bindAddress     where to listen; port 0 picks a free port (see {@link #port()})
     * @param serviceResolver which service each request is judged by
     * @param decider         the engine's decision, e.g. {@code engine::decide}
     * @param limits          sizes and timeouts, {@link PolicyServerLimits#DEFAULTS} normally
     */
    public PolicyServer(InetSocketAddress bindAddress, ServiceResolver serviceResolver, Decider decider,
                        PolicyServerLimits limits) {
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.serviceResolver = Objects.requireNonNull(serviceResolver, "serviceResolver");
        this.decider = Objects.requireNonNull(decider, "decider");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Binds the listener and starts accepting connections. */
    public void start() throws IOException {
        synchronized (lifecycle) {
            if (closed) throw new IllegalStateException("policy server was closed");
            if (serverSocket != null) throw new IllegalStateException("policy server already started");
            ServerSocket socket = new ServerSocket();
            try {
                socket.setReuseAddress(true);
                socket.bind(bindAddress, ACCEPT_BACKLOG);
            } catch (IOException e) {
                socket.close();
                throw new IOException("cannot listen for policy requests on " + describe(bindAddress) + ": " + e.getMessage(), e);
            }
            serverSocket = socket;
            // A platform thread per connection, not a virtual one. A connection spends its life
            // waiting for Postfix's next request; a platform thread waits inside the blocking read
            // and the kernel wakes it when the bytes arrive. A virtual thread's read first fails
            // with EAGAIN, registers the socket with a poller (epoll_ctl), parks, and is woken by
            // the poller through the scheduler: on this project's 2-vCPU benchmark VM that cost
            // about 10 µs of CPU per request, a third of the whole (docs/benchmarks.md, round 3).
            // Connections are few (Postfix opens one per smtpd process, capped by
            // policy-limits.max-connections), so a thread each is affordable. Daemon threads, as
            // virtual ones are: an open connection never keeps the process alive.
            String name = "policy-" + socket.getLocalPort();
            ExecutorService threads = Executors.newThreadPerTaskExecutor(
                    Thread.ofPlatform().daemon().name(name + "-connection-", 0).factory());
            connectionThreads = threads;
            acceptThread = Thread.ofVirtual().name(name + "-accept").start(() -> acceptLoop(socket, threads));
            watchdogThread = Thread.ofPlatform().daemon().name(name + "-deadlines").start(this::watchDeadlines);
            log.info("policy server listening on {}", describe(socket.getLocalSocketAddress()));
        }
    }

    /** The bound address; only after {@link #start()}. */
    public InetSocketAddress localAddress() {
        synchronized (lifecycle) {
            if (serverSocket == null) throw new IllegalStateException("policy server not started");
            return (InetSocketAddress) serverSocket.getLocalSocketAddress();
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

    /** Requests answered since start, including those answered DUNNO because the decider failed. */
    public long requestsAnswered() {
        return requestsAnswered.sum();
    }

    /** Requests for which the decider threw, answered DUNNO. */
    public long deciderFailures() {
        return deciderFailures.sum();
    }

    /** Connections closed at once because max-connections were already open. */
    public long refusedConnections() {
        return refusedConnections.sum();
    }

    /** Connections closed because the client broke the protocol or a limit. */
    public long protocolErrors() {
        return protocolErrors.sum();
    }

    /** Stops accepting, closes every open connection and waits briefly for their threads. Idempotent. */
    @Override
    public void close() {
        ServerSocket socket;
        Thread acceptor;
        ExecutorService threads;
        Thread watchdog;
        synchronized (lifecycle) {
            if (closed) return;
            closed = true;
            socket = serverSocket;
            acceptor = acceptThread;
            threads = connectionThreads;
            watchdog = watchdogThread;
        }
        if (socket == null) return; // never started
        closeQuietly(socket);
        watchdog.interrupt();
        // A connection registered after this sweep sees `closed` and closes itself (see serve).
        for (Socket connection : liveConnections.keySet()) closeQuietly(connection);
        threads.shutdown();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(SHUTDOWN_WAIT_SECONDS));
            if (!threads.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("policy server: connection threads still running {} s after close", SHUTDOWN_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("policy server on {} closed", describe(socket.getLocalSocketAddress()));
    }

    private void acceptLoop(ServerSocket listener, ExecutorService threads) {
        while (!closed) {
            Socket connection;
            try {
                connection = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                // e.g. out of file descriptors: keep serving the open connections, retry shortly
                log.warn("policy server on {}: accept failed: {}", describe(listener.getLocalSocketAddress()), e.toString());
                pauseAfterAcceptError();
                continue;
            }
            if (activeConnections.get() >= limits.maxConnections()) {
                refusedConnections.increment();
                long now = System.nanoTime();
                if (now - lastRefusalLog > REFUSAL_LOG_INTERVAL_NANOS) {
                    lastRefusalLog = now;
                    log.warn("policy server on {}: {} connections open, the most allowed (policy-limits.max-connections); "
                            + "closing new connections ({} so far)", describe(listener.getLocalSocketAddress()),
                            limits.maxConnections(), refusedConnections.sum());
                }
                closeQuietly(connection);
                continue;
            }
            activeConnections.incrementAndGet();
            ReadWatch watch = new ReadWatch();
            liveConnections.put(connection, watch);
            try {
                threads.execute(() -> serve(connection, watch));
            } catch (RuntimeException e) { // rejected: the server is closing
                forget(connection);
                closeQuietly(connection);
            }
        }
    }

    private void serve(Socket connection, ReadWatch watch) {
        String remote = describe(connection.getRemoteSocketAddress());
        try (connection) {
            if (closed) return;
            connection.setTcpNoDelay(true); // one small reply per request; do not wait to coalesce
            InputStream in = connection.getInputStream();
            OutputStream out = connection.getOutputStream();
            PolicyRequestReader reader = new PolicyRequestReader(in, limits, watch, System::nanoTime);
            PolicyRequest request;
            // The engine hands out the same Action for the same answer (a greylist deferral with the
            // same wait, a list's refusal), so its reply bytes are kept for the next request.
            Action lastAction = null;
            byte[] lastReply = null;
            while ((request = reader.read()) != null) {
                Action action = decide(request, remote);
                if (action != lastAction) {
                    lastReply = ActionRenderer.render(action);
                    lastAction = action;
                }
                // one write per reply: the reply leaves in one segment
                out.write(lastReply);
                out.flush();
                requestsAnswered.increment();
            }
            log.debug("policy client {} closed the connection", remote);
        } catch (PolicyProtocolException e) {
            protocolErrors.increment();
            log.warn("policy client {}: {}; closing the connection", remote, e.getMessage());
        } catch (SocketTimeoutException e) {
            log.debug("policy client {} idle for {} s; closing the connection", remote, limits.idleTimeout().toSeconds());
        } catch (IOException e) {
            if (!closed) log.debug("policy client {}: connection failed: {}", remote, e.toString());
        } catch (RuntimeException | Error e) {
            // A bug in this server; this connection ends, the listener and the others go on.
            log.error("policy client {}: unexpected failure; closing the connection", remote, e);
        } finally {
            forget(connection);
        }
    }

    private Action decide(PolicyRequest request, String remote) {
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

    private void forget(Socket connection) {
        if (liveConnections.remove(connection) != null) activeConnections.decrementAndGet();
    }

    /** The deadline a connection's reader armed; read by the watchdog. */
    private static final class ReadWatch implements PolicyRequestReader.ReadDeadline {
        private volatile long deadlineNanos = PolicyRequestReader.NONE;

        @Override
        public void arm(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }
    }

    /**
     * Closes every connection whose pending read is past its deadline; the reader whose read then
     * fails reports the idle or request timeout. One thread checking every connection a few times
     * per timeout costs far less than a timed read per request (a timed read is a non-blocking read
     * plus poll(2)), and cuts a connection off at most one tick late.
     */
    private void watchDeadlines() {
        long shortest = Math.min(limits.idleTimeout().toNanos(), limits.requestTimeout().toNanos());
        long tickNanos = Math.clamp(shortest / 8, TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1));
        while (!closed) {
            try {
                TimeUnit.NANOSECONDS.sleep(tickNanos);
            } catch (InterruptedException e) {
                return; // closing
            }
            long now = System.nanoTime();
            liveConnections.forEach((connection, watch) -> {
                long deadline = watch.deadlineNanos;
                if (deadline != PolicyRequestReader.NONE && now - deadline >= 0) closeQuietly(connection);
            });
        }
    }

    private static void pauseAfterAcceptError() {
        try {
            Thread.sleep(ACCEPT_ERROR_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) return;
        try {
            closeable.close();
        } catch (Exception e) {
            log.debug("closing {} failed: {}", closeable, e.toString());
        }
    }

    /** host:port (IPv6 in brackets) without any name lookup. */
    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) return AddressText.of(inet);
        return String.valueOf(address);
    }
}
