package dev.sekisho.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drives a policy server the way many smtpd processes would: {@code concurrency} persistent
 * connections, each a closed loop (send a request, wait for its reply, send the next), so the
 * server's speed sets the pace and the latency measured is the server's plus loopback.
 *
 * <p>A run is a warm-up (nothing recorded), then a measured period that ends after
 * {@link LoadSettings#measure()} or, with a request limit, when the connections have their
 * share of replies (still bounded by the period). Requests that straddle the end are not
 * counted. In fill mode every connection sends its share of distinct greylist triplets, all
 * measured.
 *
 * <p>The generator shares the machine with the server it measures, so what it spends is taken
 * from the server. One thread (one per core with many connections) drives the connections
 * through a selector, instead of a thread per connection that blocks on each reply (a wake-up and a context switch per request, which
 * cost as much CPU as the DUNNO server itself); each request is written into its connection's
 * buffer from pieces the {@link TrafficMix} encoded once, and replies are scanned as bytes, so
 * a request allocates nothing.
 */
public final class LoadGenerator {

    /** Where a run is; the event loop reads it before and after each request. */
    private enum Phase { WARMUP, MEASURE, DONE }

    /** A refused or broken connection is opened again after this pause, not in a busy loop. */
    private static final long RECONNECT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How often, at most, the loop looks for overdue replies and connections to open again. */
    private static final long TICK_MILLIS = 10;

    private final LoadSettings settings;
    private final TrafficMix mix;
    private final Optional<ProcessTreeCpu> targetCpu;
    private final int threads;
    private volatile Phase phase = Phase.WARMUP;

    public LoadGenerator(LoadSettings settings) {
        this(settings, Optional.empty(), defaultThreads(settings.concurrency()));
    }

    /**
     * @param targetCpu the policy server's processes, to charge their CPU time over the measured period
     * @param threads   event-loop threads the connections are spread over (never more than connections)
     */
    public LoadGenerator(LoadSettings settings, Optional<ProcessTreeCpu> targetCpu, int threads) {
        if (threads < 1) throw new IllegalArgumentException("need at least one generator thread, was " + threads);
        this.settings = settings;
        this.targetCpu = targetCpu;
        this.threads = Math.min(threads, settings.concurrency());
        this.mix = new TrafficMix(settings.seed(), settings.mixSize().clients(), settings.mixSize().senders(), settings.policyContext());
    }

    /**
     * Threads for {@code concurrency} connections: one per 32 connections, at most one per core.
     * A thread with few connections sleeps and is woken for nearly every reply, which is the
     * cost this generator exists to avoid (at concurrency 8 two threads took 18-24 µs of CPU per
     * request against 13-16 µs for one); with many, one thread per core keeps the connections
     * moving while the scheduler gives the other core to the server under test (at 64, two
     * threads let the DUNNO server reach 39,000-45,000 req/s against 15,000-30,000 with one).
     */
    public static int defaultThreads(int concurrency) {
        return Math.max(1, Math.min(concurrency / 32, Runtime.getRuntime().availableProcessors()));
    }

    /** Runs once; a generator is not reusable. Fails at once if the target does not accept a connection. */
    public LoadReport run() throws IOException, InterruptedException {
        if (phase != Phase.WARMUP) throw new IllegalStateException("a LoadGenerator runs once");
        probe(settings.target(), settings.replyTimeout());
        int concurrency = settings.concurrency();
        long quota = settings.fillsTriplets() ? 0 : ceilDiv(settings.requestLimit(), concurrency);
        CountDownLatch quotasMet = new CountDownLatch(concurrency);
        // Connection i draws from the seed's i-th split, as worker i always has: the same requests per connection.
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        List<List<Integer>> connectionsByLoop = new ArrayList<>();
        for (int i = 0; i < threads; i++) connectionsByLoop.add(new ArrayList<>());
        SplittableRandom[] randoms = new SplittableRandom[concurrency];
        for (int i = 0; i < concurrency; i++) {
            randoms[i] = seeds.split();
            connectionsByLoop.get(i % threads).add(i);
        }
        List<EventLoop> loops = new ArrayList<>(threads);
        List<Thread> loopThreads = new ArrayList<>(threads);
        try {
            for (List<Integer> indexes : connectionsByLoop) {
                EventLoop loop = new EventLoop(indexes, randoms, quota, quotasMet);
                loops.add(loop);
                loopThreads.add(Thread.ofPlatform().name("load-" + loops.size()).daemon(true).unstarted(loop));
            }
        } catch (IOException e) {
            for (EventLoop loop : loops) loop.selector.close();
            throw e;
        }
        long measureStart;
        long measureEnd;
        Optional<Duration> cpuUsed;
        Optional<Duration> ownCpuUsed;
        try {
            Optional<Duration> cpuAtStart;
            long ownCpuAtStart;
            if (settings.fillsTriplets()) {
                // Every triplet counts: measure from the first request.
                cpuAtStart = sampleTargetCpu();
                ownCpuAtStart = ownCpuNanos();
                measureStart = System.nanoTime();
                phase = Phase.MEASURE;
                loopThreads.forEach(Thread::start);
            } else {
                loopThreads.forEach(Thread::start);
                Thread.sleep(settings.warmup().toMillis());
                cpuAtStart = sampleTargetCpu();
                ownCpuAtStart = ownCpuNanos();
                measureStart = System.nanoTime();
                phase = Phase.MEASURE;
            }
            // Returns early only when every connection met its quota (request limit or triplets);
            // otherwise the period's end stops the run, and the report's reply count shows it.
            quotasMet.await(settings.measure().toNanos(), TimeUnit.NANOSECONDS);
            measureEnd = System.nanoTime();
            long ownCpuAtEnd = ownCpuNanos();
            Optional<Duration> cpuAtEnd = sampleTargetCpu();
            cpuUsed = cpuAtEnd.flatMap(end -> cpuAtStart.map(end::minus));
            ownCpuUsed = ownCpuAtStart < 0 || ownCpuAtEnd < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(ownCpuAtEnd - ownCpuAtStart));
        } finally {
            phase = Phase.DONE;
            for (EventLoop loop : loops) loop.selector.wakeup();
        }
        for (Thread thread : loopThreads) thread.join(settings.replyTimeout().toMillis() + 1000);
        LatencyHistogram latency = new LatencyHistogram();
        SortedMap<String, Long> byAction = new TreeMap<>();
        long errors = 0;
        for (EventLoop loop : loops) {
            if (loop.failure != null) throw new IOException("the load generator's event loop failed: " + loop.failure, loop.failure);
            latency.add(loop.latency);
            loop.actions.counts().forEach((action, count) -> byAction.merge(action, count, Long::sum));
            errors += loop.errors;
        }
        return new LoadReport(dev.sekisho.engine.AddressText.of(settings.target()), concurrency, Duration.ofNanos(measureEnd - measureStart),
                latency.count(), errors, latency, byAction, cpuUsed, ownCpuUsed);
    }

    /** Opens and closes one connection, so that an unreachable target fails the run with the reason. */
    private static void probe(InetSocketAddress target, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(target, Math.toIntExact(timeout.toMillis()));
        }
    }

    private Optional<Duration> sampleTargetCpu() throws IOException {
        return targetCpu.isEmpty() ? Optional.empty() : Optional.of(targetCpu.get().cpuTime());
    }

    /** This JVM's CPU time (every thread: the loop, JIT, GC), or -1 where the platform does not tell. */
    private static long ownCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** A thread that drives its share of the connections; its tallies are read only after it has ended. */
    private final class EventLoop implements Runnable {
        final Selector selector;
        final LatencyHistogram latency = new LatencyHistogram();
        final ActionCounts actions = new ActionCounts();
        long errors;
        volatile Throwable failure;
        private final Connection[] connections;
        private final long measuredQuota;
        private final CountDownLatch quotasMet;
        /** Connections that have not met their quota. */
        private int running;

        EventLoop(List<Integer> indexes, SplittableRandom[] randoms, long measuredQuota, CountDownLatch quotasMet) throws IOException {
            this.selector = Selector.open();
            this.measuredQuota = measuredQuota;
            this.quotasMet = quotasMet;
            this.connections = new Connection[indexes.size()];
            for (int i = 0; i < connections.length; i++) {
                int index = indexes.get(i);
                connections[i] = new Connection(this, index, randoms[index]);
            }
            this.running = connections.length;
        }

        @Override
        public void run() {
            try {
                long now = System.nanoTime();
                for (Connection connection : connections) connection.connect(now);
                long lastTick = now;
                while (phase != Phase.DONE && running > 0) {
                    selector.select(key -> ((Connection) key.attachment()).ready(key), TICK_MILLIS);
                    now = System.nanoTime();
                    if (now - lastTick >= TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS)) {
                        lastTick = now;
                        for (Connection connection : connections) connection.tick(now);
                    }
                }
            } catch (IOException | RuntimeException e) {
                failure = e;
            } finally {
                for (Connection connection : connections) connection.close();
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // the run is over; nothing more to learn
                }
            }
        }

        void metQuota() {
            running--;
            quotasMet.countDown();
        }
    }

    private enum State { CONNECTING, SENDING, AWAITING_REPLY, PAUSED, FINISHED }

    /** One connection's closed loop, driven by the event loop's thread only. */
    private final class Connection {
        private final EventLoop loop;
        private final SplittableRandom random;
        /** The request is written here with plain array stores, then copied once into the direct buffer the socket sends from. */
        private final byte[] encoded = new byte[mix.maxRequestBytes()];
        private final ByteBuffer request = ByteBuffer.allocateDirect(mix.maxRequestBytes());
        private final ReplyScanner replies;
        private final long timeoutNanos = settings.replyTimeout().toNanos();
        private SocketChannel channel;
        private SelectionKey key;
        private State state = State.PAUSED;
        /** Fill mode: this connection's triplets are index, index + N, ... */
        private long tripletIndex;
        private long sentAt;
        private boolean sentWhileMeasuring;
        /** When the pending step (connect, send, reply) is overdue, or a pause ends. */
        private long deadline;
        private long measured;

        Connection(EventLoop loop, int index, SplittableRandom random) {
            this.loop = loop;
            this.random = random;
            this.tripletIndex = index;
            this.replies = new ReplyScanner(loop.actions, true);
        }

        void connect(long now) {
            try {
                replies.reset();
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // each request is one small write
                deadline = now + timeoutNanos;
                if (channel.connect(settings.target())) {
                    key = channel.register(loop.selector, SelectionKey.OP_READ, this);
                    send();
                } else {
                    key = channel.register(loop.selector, SelectionKey.OP_CONNECT, this);
                    state = State.CONNECTING;
                }
            } catch (IOException e) {
                fail(now);
            }
        }

        void ready(SelectionKey readyKey) {
            try {
                if (!readyKey.isValid()) return;
                if (readyKey.isConnectable()) {
                    channel.finishConnect();
                    key.interestOps(SelectionKey.OP_READ); // and stays so: changing it costs an epoll_ctl
                    send();
                } else if (readyKey.isWritable()) {
                    writeRest();
                } else if (readyKey.isReadable()) {
                    read();
                }
            } catch (IOException e) {
                fail(System.nanoTime());
            }
        }

        private void send() throws IOException {
            if (settings.fillsTriplets() && tripletIndex >= settings.fillTriplets()) {
                finish();
                return;
            }
            int length = settings.fillsTriplets() ? mix.writeDistinctTriplet(tripletIndex, encoded) : mix.writeNext(random, encoded);
            request.clear();
            request.put(encoded, 0, length).flip();
            sentWhileMeasuring = phase == Phase.MEASURE;
            sentAt = System.nanoTime();
            deadline = sentAt + timeoutNanos;
            state = State.SENDING;
            writeRest();
        }

        private void writeRest() throws IOException {
            channel.write(request);
            if (request.hasRemaining()) {
                // The socket buffer is full (never with one small request, but not impossible).
                if (key.interestOps() != (SelectionKey.OP_READ | SelectionKey.OP_WRITE)) {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
                return;
            }
            if (key.interestOps() != SelectionKey.OP_READ) key.interestOps(SelectionKey.OP_READ);
            state = State.AWAITING_REPLY;
        }

        private void read() throws IOException {
            int read = channel.read(replies.buffer());
            if (read < 0) {
                throw new IOException(replies.inReply() ? "policy server closed the connection mid-reply" : "policy server closed the connection");
            }
            if (state != State.AWAITING_REPLY) throw new MalformedReplyException("bytes from the server before the request was sent");
            ActionCounts.Word action = replies.scan();
            if (action == null) return; // more of the reply to come
            long now = System.nanoTime();
            if (settings.fillsTriplets()) tripletIndex += settings.concurrency();
            if (sentWhileMeasuring && phase == Phase.MEASURE) {
                loop.latency.record(now - sentAt);
                action.count++;
                measured++;
                if (measuredQuota() > 0 && measured == measuredQuota()) {
                    finish();
                    return;
                }
            }
            send();
        }

        private long measuredQuota() {
            return loop.measuredQuota;
        }

        void tick(long now) {
            switch (state) {
                case PAUSED -> {
                    if (now - deadline >= 0) connect(now);
                }
                case CONNECTING, SENDING, AWAITING_REPLY -> {
                    if (now - deadline > 0) fail(now); // no reply within the reply timeout
                }
                case FINISHED -> { }
            }
        }

        /** A refused or broken connection, or a reply that was not one: an error, then a new connection. */
        private void fail(long now) {
            close();
            if (phase == Phase.DONE) return;
            loop.errors++;
            state = State.PAUSED;
            deadline = now + RECONNECT_PAUSE_NANOS;
        }

        private void finish() {
            close();
            state = State.FINISHED;
            loop.metQuota();
        }

        void close() {
            if (channel == null) return;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a broken connection; nothing more to learn
            }
            channel = null;
            key = null;
        }
    }
}
