package dev.sekisho.state.memory;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One journal file, appended through shared memory mappings without a lock: an append is a
 * compare-and-set and a copy into the page cache, not a system call.
 *
 * <p>Layout ({@link #MAGIC}, version 2): the file is cut into regions of
 * {@link DataDirectory#REGION_BYTES} at fixed offsets, each mapped when appends reach it (mapping
 * extends the file with zeros, so until {@link #close()} truncates them the file is longer than
 * its records). Every frame ({@code [length][CRC-32C][payload]}, see StateRecords) starts at an
 * 8-byte aligned offset, lies inside one region and is followed by zeros up to the next aligned
 * offset. A frame that would cross a region's end is put at the start of the next region, and the
 * rest of its region holds {@link #SKIP_TO_NEXT_REGION} where the frame header would have been.
 *
 * <p>Appending: a writer claims the place of its frame by a compare-and-set of the 8-byte frame
 * header (length and checksum) at the end of the chain, from zero to its header, then copies the
 * payload. The header is thus in the file the moment the place is taken: a writer killed (or
 * preempted) before its copy ends leaves a frame whose checksum fails but whose length is right,
 * so recovery steps over it to the frames after it, which other writers may have finished and
 * acknowledged meanwhile. A zero header is a place nobody took: the end of the records. No writer
 * waits for another, so a writer whose thread the kernel preempts holds nobody up (a lock did).
 *
 * <p>Threads: {@link #append} from any thread between {@link #enter()} and {@link #exit()};
 * {@link #force} and {@link #close} under the caller's maintenance lock, {@link #close} only after
 * {@link #seal()}.
 */
final class JournalFile implements Closeable {
    /** Version 2: aligned frames claimed by compare-and-set, region ends marked. */
    static final byte[] MAGIC = "SKJRNL2\n".getBytes(StandardCharsets.US_ASCII);
    /** Version 1: frames back to back under a lock. Still read (DataDirectory), no longer written. */
    static final byte[] MAGIC_V1 = "SKJRNL1\n".getBytes(StandardCharsets.US_ASCII);

    static final int ALIGNMENT = 8;
    /** In place of a frame header: the rest of this region is unused, the chain goes on at the next. */
    static final long SKIP_TO_NEXT_REGION = -1L;
    /** Frame headers read and claimed as one big-endian long, as StateRecords writes length then CRC. */
    private static final VarHandle HEADER = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(JournalFile.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Path file;
    private final int regionBytes;
    private FileChannel channel;               // replaced only under mapLock (an interrupt closed it)
    private final Object mapLock = new Object();
    /** The region appends go to; replaced under mapLock when the chain reaches its end. */
    private volatile Region region;
    /**
     * A frame boundary at or before the end of the chain: where a writer starts looking for the
     * first unclaimed header. Only ever moves forward (compare-and-set through {@link #TAIL}).
     */
    @SuppressWarnings("unused") // through TAIL
    private volatile long tail;
    /** Regions the chain left, to be forced by the maintenance side. */
    private final ConcurrentLinkedQueue<MappedByteBuffer> retired = new ConcurrentLinkedQueue<>();
    /** Retired regions forced once, to be forced once more at the next tick (see {@link #force()}). */
    private final ConcurrentLinkedQueue<MappedByteBuffer> forcedOnce = new ConcurrentLinkedQueue<>();
    /** Appends between enter and exit; {@link #seal()} waits for them. */
    private final AtomicInteger writers = new AtomicInteger();
    private volatile boolean sealed;

    private record Region(MappedByteBuffer buffer, long start, long end) {
    }

    private JournalFile(Path file, FileChannel channel, long tail, int regionBytes) {
        this.file = file;
        this.channel = channel;
        this.tail = tail;
        this.regionBytes = regionBytes;
    }

    /**
     * Opens a journal for appending at {@code tail}, the end of its records as recovery found
     * them (every byte after it is cut off), or creates it with its header when it is new or
     * shorter than its header.
     */
    static JournalFile open(Path file, long tail) throws IOException {
        return open(file, tail, DataDirectory.REGION_BYTES);
    }

    static JournalFile open(Path file, long tail, int regionBytes) throws IOException {
        if (regionBytes % ALIGNMENT != 0 || regionBytes < 2 * MAGIC.length) throw new IllegalArgumentException("region of " + regionBytes + " bytes");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            if (size < MAGIC.length || tail < MAGIC.length) {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(MAGIC), 0);
                channel.force(true);
                tail = MAGIC.length;
            } else if (tail % ALIGNMENT != 0) {
                throw new IllegalArgumentException("journal tail " + tail + " is not aligned");
            } else if (size > tail) {
                // Zeros (a region's unused end) or a torn last frame: a claimed header must never
                // be found past the tail, so the bytes go, and mapping brings back zeros.
                channel.truncate(tail);
            }
            return new JournalFile(file, channel, tail, regionBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Bytes up to the end of the chain (at least, the header included): where the next frame goes. */
    long length() {
        return (long) TAIL.getVolatile(this);
    }

    /** Starts an append; false when the journal was sealed (the caller goes to the new one). */
    boolean enter() {
        writers.incrementAndGet();
        if (sealed) {
            writers.decrementAndGet();
            return false;
        }
        return true;
    }

    void exit() {
        writers.decrementAndGet();
    }

    /** No append may start after this returns, and every append started has ended. */
    void seal() {
        sealed = true;
        while (writers.get() != 0) Thread.onSpinWait();
    }

    /**
     * Copies one framed record (StateRecords' encoding: header then payload) to the end of the
     * chain. Between {@link #enter()} and {@link #exit()}.
     */
    void append(ByteBuffer frame) throws IOException {
        int size = frame.remaining();
        long header = frame.getLong(frame.position());
        if (header == 0 || header == SKIP_TO_NEXT_REGION) throw new IllegalArgumentException("not a frame header: " + header);
        long slot = aligned(size);
        if (slot > regionBytes - MAGIC.length) throw new IllegalArgumentException("record of " + size + " bytes exceeds a journal region");
        while (true) {
            Region current = region;
            long at = (long) TAIL.getVolatile(this);
            if (current == null || at >= current.end) {
                nextRegion(current, at);
                continue;
            }
            if (at < current.start) continue; // the region changed since the tail was read
            int index = (int) (at - current.start);
            long found = (long) HEADER.getVolatile(current.buffer, index);
            if (found == 0) {
                if (at + slot > current.end) {
                    // Does not fit: the rest of this region stays unused, the chain goes on at the next.
                    if (HEADER.compareAndSet(current.buffer, index, 0L, SKIP_TO_NEXT_REGION)) {
                        TAIL.compareAndSet(this, at, current.end);
                    }
                    continue;
                }
                if (HEADER.compareAndSet(current.buffer, index, 0L, header)) {
                    // The place is ours, and the header says how long it is: copy the payload.
                    current.buffer.put(index + StateRecords.FRAME_HEADER_BYTES, frame.array(),
                            frame.arrayOffset() + frame.position() + StateRecords.FRAME_HEADER_BYTES,
                            size - StateRecords.FRAME_HEADER_BYTES);
                    TAIL.compareAndSet(this, at, at + slot);
                    return;
                }
                found = (long) HEADER.getVolatile(current.buffer, index);
            }
            // Another writer claimed this place: help the tail past it and look again.
            long next = found == SKIP_TO_NEXT_REGION ? current.end : at + aligned(StateRecords.FRAME_HEADER_BYTES + lengthOf(found));
            TAIL.compareAndSet(this, at, next);
        }
    }

    /** The payload length in a claimed frame header. */
    static int lengthOf(long header) {
        return (int) (header >>> 32);
    }

    static long aligned(long bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** Maps the region holding {@code at} when {@code seen} is still the current one. */
    private void nextRegion(Region seen, long at) throws IOException {
        synchronized (mapLock) {
            if (region != seen) return;
            long start = Math.floorDiv(at, regionBytes) * (long) regionBytes;
            Region next = new Region(map(start, regionBytes), start, start + regionBytes);
            if (seen != null) retired.add(seen.buffer);
            region = next;
        }
    }

    /**
     * Maps without letting an interrupt close the channel: an interrupted policy thread (a timeout,
     * a cancelled request) must not take the journal down with it. A channel closed by an interrupt
     * that arrives during the call is opened again.
     */
    private MappedByteBuffer map(long offset, int size) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return channel.map(FileChannel.MapMode.READ_WRITE, offset, size);
                } catch (ClosedChannelException e) {
                    if (attempt == 3) throw e;
                    Thread.interrupted();
                    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * Forces every appended record to the disk, and lets go of the regions no append can reach:
     * the collector unmaps them with their buffers. (The JDK that Java 21 targets has no public
     * call to unmap at once; sun.misc.Unsafe's is going away.) Under load a region lives about a
     * second, so its buffer dies young and is unmapped at the next young collection.
     */
    void force() {
        Region current = region; // first: a region retired after this read is among those polled below
        // A region is forced on two ticks, not one: a writer that claimed the last slot of a region and was preempted
        // before copying may still be copying when the region is retired and forced the first time; its append
        // returns (and is acknowledged) after that, and the second force, a tick later, writes it.
        for (MappedByteBuffer old = forcedOnce.poll(); old != null; old = forcedOnce.poll()) old.force();
        for (MappedByteBuffer old = retired.poll(); old != null; old = retired.poll()) {
            old.force();
            forcedOnce.add(old);
        }
        if (current != null) current.buffer.force();
    }

    /** Forces, unmaps, cuts the file to its records and closes it. Only after {@link #seal()}. */
    @Override
    public void close() throws IOException {
        if (!sealed) throw new IllegalStateException("journal " + file + " closed before it was sealed");
        force();
        region = null;
        boolean interrupted = Thread.interrupted();
        try (FileChannel closing = channel.isOpen() ? channel : FileChannel.open(file, StandardOpenOption.WRITE)) {
            closing.truncate(length());
            closing.force(true);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
