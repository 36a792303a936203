package dev.sekisho.app;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log lines from many request threads through one background thread, in batches: under
 * load many lines share one write, and when traffic stops the last line is written at once.
 * Verdict lines (one per refused request, tens of thousands a second on a busy MX) go this way;
 * a general-purpose appender that wakes a writer and makes a system call per line costs more than
 * the decision itself, so while lines keep coming the writer polls every 5 ms and callers
 * only queue. Nothing is dropped: when the writer falls far behind, callers wait.
 *
 * <p>A thread that works in rounds (a policy event loop: decide what arrived, then answer) calls
 * {@link #handOff} at the end of each round; from its first call on, its lines are held in its own
 * buffer and handed to the writer together, one queue entry a round instead of one a line.
 */
final class LineWriter implements AutoCloseable {
    /** How far the writer may fall behind before callers wait: some 80,000 verdict lines. */
    private static final int MAX_QUEUED_BYTES = 32 * 1024 * 1024;
    private static final int BATCH_BYTES = 64 * 1024;
    /** A holding thread hands its lines over at the latest when they fill this much. */
    private static final int MAX_HELD_BYTES = 64 * 1024;
    /**
     * While lines keep coming the writer polls the queue at this pace instead of being woken per
     * line: waking a parked thread is a system call, as costly as the decision the line reports.
     * A line waits at most this long; after a quiet spell the writer parks until woken. Measured
     * at 30,000 lines a second on 2 vCPUs: polling every 1 ms cost 42 µs of CPU per request, every
     * 5 ms 35 µs (each wake-up of the writer displaces a request thread), every 10 ms no better.
     */
    private static final long BUSY_POLL_NANOS = 5_000_000;
    private static final int QUIET_ROUNDS_BEFORE_IDLE = 10;
    /** The time of day in UTC to the second, with the dot before the milliseconds: logback's pattern in UTC. */
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.");

    private final OutputStream out;
    private final InstantSource wallClock;
    /** Lines encoded by the threads that wrote them, each ending in a newline: one line, or a round's lines. */
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<ThreadLines> threadLines = ThreadLocal.withInitial(ThreadLines::new);
    private static final int MAX_KEPT_BUILDER_CHARS = 16 * 1024;
    private final AtomicInteger queuedBytes = new AtomicInteger();
    private final AtomicBoolean idle = new AtomicBoolean();
    private final Thread writer;
    private volatile boolean closed;
    private volatile Stamp lastStamp = new Stamp(Long.MIN_VALUE, "");

    /** @param wallClock timestamps of the lines: the real time, even when decisions run on a test clock */
    LineWriter(OutputStream out, InstantSource wallClock) {
        this.out = out;
        this.wallClock = wallClock;
        this.writer = Thread.ofPlatform().daemon().name("sekisho-verdict-log").start(this::drain);
    }

    /**
     * A line already carrying its timestamp, level and logger, like the other log lines; append the
     * message, then {@link #submit}. The builder is this thread's own and is used again for its
     * next line, so it must not be kept.
     */
    StringBuilder start(String logger) {
        long millis = wallClock.millis();
        Stamp stamp = lastStamp;
        if (stamp.millis() != millis) stamp = newStamp(millis);
        ThreadLines mine = threadLines.get();
        StringBuilder line = mine.builder;
        if (line.capacity() > MAX_KEPT_BUILDER_CHARS) {
            line = new StringBuilder(512);
            mine.builder = line;
        }
        line.setLength(0);
        return line.append(stamp.text()).append(" INFO  ").append(logger).append(' ');
    }

    /**
     * Kept out of {@link #start}, so that the compiled hot path stays small. The date and time of day are formatted once
     * a second and the milliseconds appended: a busy server needs a new stamp every millisecond, and java.time's formatter
     * cost it about 1 % of its CPU (measured under the benchmark's load, where C2 had also thrown its code away once).
     */
    private Stamp newStamp(long millis) {
        long second = Math.floorDiv(millis, 1000);
        Stamp previous = lastStamp;
        String secondText = Math.floorDiv(previous.millis(), 1000) == second
                ? previous.text().substring(0, previous.text().length() - MILLIS_AND_ZONE.length())
                : LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC).format(SECOND);
        int milli = (int) Math.floorMod(millis, 1000);
        String text = secondText + (char) ('0' + milli / 100) + (char) ('0' + milli / 10 % 10) + (char) ('0' + milli % 10) + 'Z';
        Stamp stamp = new Stamp(millis, text);
        lastStamp = stamp;
        return stamp;
    }

    /** The timestamp text of one millisecond ({@code 2026-12-04T07:45:18.880Z}): under load many lines share it. */
    private record Stamp(long millis, String text) {
    }

    /** What follows the second in a stamp: three digits of milliseconds and the zone. */
    private static final String MILLIS_AND_ZONE = "000Z";

    /** Each thread's own: the builder its lines are made in, and the lines it holds until its round ends. */
    private static final class ThreadLines {
        StringBuilder builder = new StringBuilder(512);
        /** Set by the thread's first {@link #handOff}: from then on its lines wait for the next. */
        boolean holding;
        byte[] held;
        int heldLength;
    }

    void submit(StringBuilder line) {
        byte[] bytes = utf8(line.append('\n'));
        ThreadLines mine = threadLines.get();
        if (!mine.holding) {
            enqueue(bytes);
            return;
        }
        if (mine.heldLength + bytes.length > MAX_HELD_BYTES) {
            handOff(mine); // what came before goes first
            if (bytes.length > MAX_HELD_BYTES) {
                enqueue(bytes);
                return;
            }
        }
        if (mine.held == null) mine.held = new byte[MAX_HELD_BYTES];
        System.arraycopy(bytes, 0, mine.held, mine.heldLength, bytes.length);
        mine.heldLength += bytes.length;
    }

    /**
     * Hands the lines this thread submitted since its last call to the writer, as one entry, and holds its later lines
     * until its next call. The thread must call it at the end of every round in which it may have submitted lines (an
     * event loop: before the replies of a wake-up go out), or they wait; and once more before the writer closes, which
     * cannot reach another thread's held lines (the policy event loops do so as they end, and are joined before it closes).
     */
    void handOff() {
        ThreadLines mine = threadLines.get();
        mine.holding = true;
        handOff(mine);
    }

    private void handOff(ThreadLines mine) {
        if (mine.heldLength == 0) return;
        enqueue(Arrays.copyOf(mine.held, mine.heldLength));
        mine.heldLength = 0;
    }

    private void enqueue(byte[] lines) {
        queue.add(lines);
        if (queuedBytes.addAndGet(lines.length) > MAX_QUEUED_BYTES) {
            while (queuedBytes.get() > MAX_QUEUED_BYTES && !closed) LockSupport.parkNanos(1_000_000);
        }
        if (idle.get() && idle.compareAndSet(true, false)) LockSupport.unpark(writer);
    }

    private void drain() {
        byte[] batch = new byte[BATCH_BYTES];
        int quietRounds = QUIET_ROUNDS_BEFORE_IDLE;
        while (true) {
            int length = 0;
            for (byte[] bytes = queue.poll(); bytes != null; bytes = queue.poll()) {
                queuedBytes.addAndGet(-bytes.length);
                if (length + bytes.length > batch.length) {
                    write(batch, length);
                    length = 0;
                    if (bytes.length > batch.length) {
                        write(bytes, bytes.length);
                        continue;
                    }
                }
                System.arraycopy(bytes, 0, batch, length, bytes.length);
                length += bytes.length;
            }
            if (length > 0) {
                write(batch, length);
                quietRounds = 0;
            } else {
                quietRounds++;
            }
            if (closed && queue.isEmpty()) return;
            if (quietRounds < QUIET_ROUNDS_BEFORE_IDLE) {
                // Busy: come back on our own shortly, so that callers never pay for waking us.
                LockSupport.parkNanos(BUSY_POLL_NANOS);
                continue;
            }
            idle.set(true);
            // re-check after announcing idleness, so a line added meanwhile is not left waiting
            if (queue.isEmpty() && !closed) LockSupport.parkNanos(100_000_000);
            idle.set(false);
        }
    }

    /**
     * The line's bytes in UTF-8. Two bulk copies (the builder's Latin-1 bytes into a string, then, found to be ASCII,
     * into the result) cost a fraction of reading the builder a char at a time: a verdict line is some 400 bytes.
     */
    private static byte[] utf8(StringBuilder line) {
        return line.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void write(byte[] bytes, int length) {
        try {
            out.write(bytes, 0, length);
            out.flush();
        } catch (IOException e) {
            // Standard output is gone (the reader died): nothing sensible is left to tell.
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
