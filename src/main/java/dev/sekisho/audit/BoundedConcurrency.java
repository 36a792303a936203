package dev.sekisho.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Runs one piece of blocking work per input on virtual threads, at most {@code concurrency} at a time,
 * and returns the results in input order. A thread is started only once a permit is free, so a run over
 * 100,000 inputs holds {@code concurrency} threads, not 100,000 (the DNS load is bounded further by the
 * resolver's own limit on queries in flight).
 */
public final class BoundedConcurrency {
    private final int concurrency;

    public BoundedConcurrency(int concurrency) {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        this.concurrency = concurrency;
    }

    public int concurrency() {
        return concurrency;
    }

    /**
     * @param work      the work for one input; must not block forever (DNS lookups have deadlines)
     * @param onFailure turns an unexpected exception for one input into that input's result, so one bad input never loses the others
     * @param progress  called with the number of inputs done after each one (from worker threads)
     */
    public <I, O> List<O> run(List<I> inputs, Function<I, O> work, BiFunction<I, RuntimeException, O> onFailure, IntConsumer progress) {
        Objects.requireNonNull(work, "work");
        List<O> results = new ArrayList<>(Collections.nCopies(inputs.size(), null));
        Semaphore permits = new Semaphore(concurrency);
        AtomicInteger done = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < inputs.size(); i++) {
                permits.acquireUninterruptibly();
                int index = i;
                threads.execute(() -> {
                    I input = inputs.get(index);
                    try {
                        O result;
                        try {
                            result = work.apply(input);
                        } catch (RuntimeException e) {
                            result = onFailure.apply(input, e);
                        }
                        synchronized (results) {
                            results.set(index, result);
                        }
                    } finally {
                        permits.release(); // even after an Error, so the loop starting the others never waits forever
                    }
                    progress.accept(done.incrementAndGet());
                });
            }
        } // close() waits for every task
        synchronized (results) {
            return List.copyOf(results);
        }
    }
}
