package dev.sekisho.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * {@link LoadSettings#measure()} or, with a request limit, when the workers have their share
 * of replies (still bounded by the period). Requests that straddle the end are not counted.
 * In fill mode every worker sends its share of distinct greylist triplets, all measured.
 */
public final class LoadGenerator {

    /** Where a run is; workers read it before and after each request. */
    private enum Phase { WARMUP, MEASURE, DONE }

    private final LoadSettings settings;
    private final TrafficMix mix;
    private final Optional<ProcessTreeCpu> targetCpu;
    private volatile Phase phase = Phase.WARMUP;

    public LoadGenerator(LoadSettings settings) {
        this(settings, Optional.empty());
    }

    /** @param targetCpu the policy server's processes, to charge their CPU time over the measured period */
    public LoadGenerator(LoadSettings settings, Optional<ProcessTreeCpu> targetCpu) {
        this.settings = settings;
        this.targetCpu = targetCpu;
        this.mix = new TrafficMix(settings.seed(), settings.mixSize().clients(), settings.mixSize().senders(), settings.policyContext());
    }

    /** Runs once; a generator is not reusable. Fails at once if the target does not accept a connection. */
    public LoadReport run() throws IOException, InterruptedException {
        if (phase != Phase.WARMUP) throw new IllegalStateException("a LoadGenerator runs once");
        PolicyConnection.open(settings.target(), settings.replyTimeout()).close(); // reachable? workers open their own
        int concurrency = settings.concurrency();
        long quota = settings.fillsTriplets() ? 0 : ceilDiv(settings.requestLimit(), concurrency);
        CountDownLatch quotasMet = new CountDownLatch(concurrency);
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        List<Worker> workers = new ArrayList<>(concurrency);
        for (int i = 0; i < concurrency; i++) {
            workers.add(new Worker(i, seeds.split(), quota, quotasMet));
        }
        long measureStart;
        long measureEnd;
        Optional<Duration> cpuAtStart;
        Optional<Duration> cpuUsed;
        List<Thread> threads;
        try {
            if (settings.fillsTriplets()) {
                // Every triplet counts: measure from the first request.
                cpuAtStart = sampleTargetCpu();
                measureStart = System.nanoTime();
                phase = Phase.MEASURE;
                threads = startAll(workers);
            } else {
                threads = startAll(workers);
                Thread.sleep(settings.warmup().toMillis());
                cpuAtStart = sampleTargetCpu();
                measureStart = System.nanoTime();
                phase = Phase.MEASURE;
            }
            // Returns early only when every worker met its quota (request limit or triplets);
            // otherwise the period's end stops the run, and the report's reply count shows it.
            quotasMet.await(settings.measure().toNanos(), TimeUnit.NANOSECONDS);
            measureEnd = System.nanoTime();
            Optional<Duration> cpuAtEnd = sampleTargetCpu();
            cpuUsed = cpuAtEnd.flatMap(end -> cpuAtStart.map(end::minus));
        } finally {
            phase = Phase.DONE;
        }
        for (Thread thread : threads) {
            thread.join(settings.replyTimeout().toMillis() + 1000);
        }
        return combine(workers, Duration.ofNanos(measureEnd - measureStart), cpuUsed);
    }

    private Optional<Duration> sampleTargetCpu() throws IOException {
        return targetCpu.isEmpty() ? Optional.empty() : Optional.of(targetCpu.get().cpuTime());
    }

    private static List<Thread> startAll(List<Worker> workers) {
        return workers.stream()
                .map(worker -> Thread.ofPlatform().name("load-" + worker.index).daemon(true).start(worker))
                .toList();
    }

    private LoadReport combine(List<Worker> workers, Duration measured, Optional<Duration> targetCpu) {
        LatencyHistogram latency = new LatencyHistogram();
        Map<String, Long> byAction = new TreeMap<>();
        long errors = 0;
        for (Worker worker : workers) {
            latency.add(worker.latency);
            worker.repliesByAction.forEach((action, count) -> byAction.merge(action, count[0], Long::sum));
            errors += worker.errors;
        }
        return new LoadReport(hostAndPort(settings.target()), settings.concurrency(), measured, latency.count(), errors, latency, new TreeMap<>(byAction), targetCpu);
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** One connection's closed loop; its tallies are read only after its thread has ended. */
    private final class Worker implements Runnable {
        final int index;
        private final SplittableRandom random;
        private final long measuredQuota;
        private final CountDownLatch quotasMet;
        final LatencyHistogram latency = new LatencyHistogram();
        final Map<String, long[]> repliesByAction = new HashMap<>();
        long errors;

        Worker(int index, SplittableRandom random, long measuredQuota, CountDownLatch quotasMet) {
            this.index = index;
            this.random = random;
            this.measuredQuota = measuredQuota;
            this.quotasMet = quotasMet;
        }

        @Override
        public void run() {
            PolicyConnection connection = null;
            long tripletIndex = index; // fill mode: this worker's triplets are index, index + N, ...
            boolean quotaMet = false; // its share of the request limit, or all its triplets, answered
            try {
                while (phase != Phase.DONE) {
                    if (settings.fillsTriplets() && tripletIndex >= settings.fillTriplets()) {
                        quotaMet = true;
                        return;
                    }
                    byte[] request = (settings.fillsTriplets() ? mix.distinctTriplet(tripletIndex) : mix.next(random)).encode();
                    Phase startedIn = phase;
                    try {
                        if (connection == null) connection = PolicyConnection.open(settings.target(), settings.replyTimeout());
                        long start = System.nanoTime();
                        PolicyReply reply = connection.exchange(request);
                        long nanos = System.nanoTime() - start;
                        if (settings.fillsTriplets()) tripletIndex += settings.concurrency();
                        if (startedIn == Phase.MEASURE && phase == Phase.MEASURE) {
                            latency.record(nanos);
                            repliesByAction.computeIfAbsent(reply.actionWord(), a -> new long[1])[0]++;
                            if (measuredQuota > 0 && latency.count() == measuredQuota) {
                                quotaMet = true;
                                return;
                            }
                        }
                    } catch (IOException e) {
                        if (phase == Phase.DONE) return;
                        errors++;
                        closeQuietly(connection);
                        connection = null;
                        if (!pauseBeforeReconnecting()) return;
                    }
                }
            } finally {
                closeQuietly(connection);
                if (quotaMet) quotasMet.countDown();
            }
        }

        /** A refused connection must not become a busy loop; false when interrupted. */
        private boolean pauseBeforeReconnecting() {
            try {
                Thread.sleep(10);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private static void closeQuietly(PolicyConnection connection) {
            if (connection == null) return;
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing a broken connection; nothing more to learn
            }
        }
    }
}
