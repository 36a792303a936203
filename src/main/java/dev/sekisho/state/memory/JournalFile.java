package dev.sekisho.state.memory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One journal file. An append copies its frame into a buffer in memory, in the order appends are made; {@link #flush}
 * writes everything the buffer holds with one positional write. The policy server flushes once per event-loop
 * wake-up, before it sends that wake-up's replies, so the decisions of a whole batch share one system call. A written
 * record is in the kernel's page cache: it survives a kill of this process. {@link #force} (each second) makes it
 * survive a power cut too.
 *
 * <p>Why not a shared memory mapping, as this class was before: each record then cost no system call, but every
 * first write to a page of the file was a page fault, every force write-protected the pages again, and regions were
 * unmapped by the collector, each with a TLB shootdown across cores. Measured with the policy server at 64
 * connections, the journal cost 5.5 µs of server CPU per request that way (docs/benchmarks.md, round 10).
 *
 * <p>Layout ({@link #MAGIC}, version 2, unchanged from the mapped writer so that either reads the other's files): the
 * file is cut into regions of {@link DataDirectory#REGION_BYTES} at fixed offsets. Every frame
 * ({@code [length][CRC-32C][payload]}, see StateRecords) starts at an 8-byte aligned offset, lies inside one region
 * and is followed by zeros up to the next aligned offset. A frame that would cross a region's end is put at the start
 * of the next region, and the rest of its region holds {@link #SKIP_TO_NEXT_REGION} where the frame header would have
 * been, then zeros. A zero header, or the end of the file, is the end of the records. A write cut short by a kill
 * leaves a frame whose checksum fails at the end; recovery cuts it off.
 *
 * <p>Threads: {@link #append} from any thread between {@link #enter()} and {@link #exit()}; {@link #flush} from any
 * thread; {@link #force} and {@link #close} under the caller's maintenance lock, {@link #close} only after
 * {@link #seal()}.
 */
final class JournalFile implements Closeable {
    /** Version 2: aligned frames, region ends marked. */
    static final byte[] MAGIC = "SKJRNL2\n".getBytes(StandardCharsets.US_ASCII);
    /** Version 1: frames back to back under a lock. Still read (DataDirectory), no longer written. */
    static final byte[] MAGIC_V1 = "SKJRNL1\n".getBytes(StandardCharsets.US_ASCII);

    static final int ALIGNMENT = 8;
    /** In place of a frame header: the rest of this region is unused, the chain goes on at the next. */
    static final long SKIP_TO_NEXT_REGION = -1L;

    /** The buffer an append copies into, at first; it grows as a batch needs. */
    private static final int INITIAL_BUFFER_BYTES = 64 * 1024;
    /** Appends that find this much unwritten write it themselves: memory stays bounded when nobody flushes. */
    static final int WRITE_BEHIND_BYTES = 1 << 20;
    /**
     * While writes fail (a full or failing disk), appended frames wait in memory; past this many bytes they are dropped
     * and the journal has a gap ({@link GapException}): the process lives on, and a snapshot covers the loss. The bound
     * is per journal file; the buffer never grows past it, and while a failing write is tried a second buffer of
     * the appends made meanwhile exists beside it.
     */
    static final int MAX_PENDING_BYTES = 64 << 20;

    private final Path file;
    private final int regionBytes;
    private final int maxPendingBytes;
    private final Opener opener;

    /** Guards the pending buffer; held only to copy a frame in, or to take the buffer away to write it. */
    private final Object appendLock = new Object();
    private byte[] pending = new byte[INITIAL_BUFFER_BYTES];   // under appendLock
    private int pendingLength;                                 // under appendLock
    /** The file offset of {@code pending[0]}: everything before it was handed to a write. Under appendLock. */
    private long pendingStart;
    /** The end of the appended frames: where the next one goes. Written under appendLock. */
    private volatile long tail;
    /**
     * Pending bytes at which an append writes them itself. Raised after a failed write, so that a disk that keeps
     * failing is tried once per {@link #WRITE_BEHIND_BYTES} more, not on every append. Under appendLock.
     */
    private int writeBehindBytes = WRITE_BEHIND_BYTES;
    /** Set once frames were dropped (see {@link #MAX_PENDING_BYTES}); appends after it are only counted. */
    private volatile GapException gap;
    private long droppedBytes;     // under appendLock
    /** The last write that failed, the cause a gap names. Under appendLock. */
    private Exception lastWriteFailure;
    private int largestPendingCapacity = INITIAL_BUFFER_BYTES; // under appendLock

    /** One write at a time, in file order; held while a taken buffer is written, so a flush waits for the one before. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private FileChannel channel;   // under writeLock; replaced when an interrupt closed it
    private byte[] spare;          // under writeLock: the last written buffer, given back to appends at the next take
    /** Every byte before it is in the file. Written under writeLock. */
    private volatile long written;
    private boolean closed;        // under writeLock

    /** Appends between enter and exit; {@link #seal()} waits for them. */
    private final AtomicInteger writers = new AtomicInteger();
    private volatile boolean sealed;

    private JournalFile(Path file, FileChannel channel, long tail, int regionBytes, int maxPendingBytes, Opener opener) {
        this.file = file;
        this.channel = channel;
        this.tail = tail;
        this.pendingStart = tail;
        this.written = tail;
        this.regionBytes = regionBytes;
        this.maxPendingBytes = maxPendingBytes;
        this.opener = opener;
    }

    /** Opens the file's channel for reading and writing; tests give one that fails on demand. */
    @FunctionalInterface
    interface Opener {
        Opener FILES = file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

        FileChannel open(Path file) throws IOException;
    }

    /**
     * Frames were dropped after writes failed: the file misses changes that were made in memory. Every flush reports
     * it from then on; the store's next snapshot, which holds every change, makes the state whole again.
     */
    static final class GapException extends IOException {
        GapException(String message, Throwable cause) {
            super(message, cause);
        }
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
        return open(file, tail, regionBytes, MAX_PENDING_BYTES, Opener.FILES);
    }

    static JournalFile open(Path file, long tail, int regionBytes, int maxPendingBytes, Opener opener) throws IOException {
        if (regionBytes % ALIGNMENT != 0 || regionBytes < 2 * MAGIC.length) throw new IllegalArgumentException("region of " + regionBytes + " bytes");
        FileChannel channel = opener.open(file);
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
                // Zeros (a mapped region's unused end, from the writer before this one) or a torn last frame: nothing
                // after the tail may be read as a record once appends go on.
                channel.truncate(tail);
            }
            return new JournalFile(file, channel, tail, regionBytes, maxPendingBytes, opener);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Bytes up to the end of the appended frames (the header included): where the next frame goes. */
    long length() {
        return tail;
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
     * Copies one framed record (StateRecords' encoding: header then payload) to the end of the chain, in memory; it is
     * in the file once a {@link #flush} that starts after this returns has returned. Between {@link #enter()} and
     * {@link #exit()}.
     */
    void append(ByteBuffer frame) throws IOException {
        int size = frame.remaining();
        long header = frame.getLong(frame.position());
        if (header == 0 || header == SKIP_TO_NEXT_REGION) throw new IllegalArgumentException("not a frame header: " + header);
        int slot = (int) aligned(size);
        if (slot > regionBytes - MAGIC.length) throw new IllegalArgumentException("record of " + size + " bytes exceeds a journal region");
        boolean writeBehind;
        synchronized (appendLock) {
            if (gap != null) {
                // Written after the gap, this frame would be replayed without the changes before it.
                droppedBytes += slot;
                return;
            }
            long at = tail;
            long regionEnd = (Math.floorDiv(at, regionBytes) + 1) * regionBytes;
            long needed = at + slot > regionEnd ? regionEnd - at + slot : slot;
            if (pendingLength + needed > maxPendingBytes) {
                // Only writes that keep failing let this much wait (a flush or the write-behind takes it otherwise).
                dropPending(pendingLength + needed, lastWriteFailure);
                return;
            }
            if (at + slot > regionEnd) {
                // Does not fit: the rest of this region stays unused, the chain goes on at the next.
                int skipped = (int) (regionEnd - at);
                int index = reserve(skipped);
                ByteBuffer.wrap(pending, index, Long.BYTES).order(ByteOrder.BIG_ENDIAN).putLong(SKIP_TO_NEXT_REGION);
                at = regionEnd;
            }
            int index = reserve(slot);
            System.arraycopy(frame.array(), frame.arrayOffset() + frame.position(), pending, index, size);
            tail = at + slot;
            writeBehind = pendingLength >= writeBehindBytes;
        }
        if (writeBehind) {
            try {
                flush();
            } catch (IOException | RuntimeException e) {
                // The frames stay pending, and the next flush, made before anything is acknowledged, reports it. Thrown
                // from here it would undo a change the caller is making under its key's lock, already journalled.
            }
        }
    }

    /**
     * Room for {@code bytes} at the end of the pending buffer, zeroed; returns where it starts. The caller made sure
     * that the pending frames and these bytes fit in {@link #maxPendingBytes}. Under appendLock.
     */
    private int reserve(int bytes) {
        int index = pendingLength;
        if (index + bytes > pending.length) {
            pending = Arrays.copyOf(pending, (int) Math.max(index + bytes, Math.min(2L * pending.length, maxPendingBytes)));
            largestPendingCapacity = Math.max(largestPendingCapacity, pending.length);
        }
        Arrays.fill(pending, index, index + bytes, (byte) 0); // a reused buffer holds an earlier batch's bytes
        pendingLength += bytes;
        return index;
    }

    /**
     * Writes every frame appended before this call, by any thread, to the file: when it returns they survive a kill
     * of this process. Appends made meanwhile go on into a fresh buffer. When the write fails, its frames stay
     * pending (ahead of the newer ones) for the next flush, and the failure is thrown.
     */
    void flush() throws IOException {
        GapException lost = gap;
        if (lost != null) throw lost;
        if (written >= tail) return; // read in this order: written only grows, and only past appended frames
        writeLock.lock();
        try {
            if (gap != null) throw gap;
            if (closed) return; // close wrote everything appended before the seal, and no append came after
            byte[] taken;
            int length;
            long at;
            synchronized (appendLock) {
                taken = pending;
                length = pendingLength;
                at = pendingStart;
                if (length == 0) return;
                pending = spare != null ? spare : new byte[INITIAL_BUFFER_BYTES];
                spare = null;
                pendingLength = 0;
                pendingStart = at + length;
                writeBehindBytes = WRITE_BEHIND_BYTES;
            }
            try {
                writeFully(ByteBuffer.wrap(taken, 0, length), at);
            } catch (IOException | RuntimeException e) {
                putBack(taken, length, at, e);
                throw e;
            }
            written = at + length;
            // A batch that grew the buffer far beyond the usual does not keep it.
            spare = taken.length > 4 * INITIAL_BUFFER_BYTES ? null : taken;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * A failed write's frames go back in front of the ones appended since. The ones appended since are copied behind
     * them, not the other way round, and the buffer grows by doubling: a disk that fails for minutes costs a copy of
     * each frame once or twice, not once per retry. Past {@link #maxPendingBytes} all of it is dropped. Under writeLock.
     */
    private void putBack(byte[] taken, int length, long at, Exception failure) {
        synchronized (appendLock) {
            lastWriteFailure = failure;
            if (gap != null) {
                droppedBytes += length; // an append dropped the frames behind these meanwhile
                return;
            }
            long total = (long) length + pendingLength;
            if (total > maxPendingBytes) {
                dropPending(total, failure);
                return;
            }
            byte[] merged = taken;
            if (total > taken.length) {
                merged = Arrays.copyOf(taken, (int) Math.min(maxPendingBytes, Math.max(total, 2L * taken.length)));
                largestPendingCapacity = Math.max(largestPendingCapacity, merged.length);
            }
            System.arraycopy(pending, 0, merged, length, pendingLength);
            if (spare == null && pending.length <= 4 * INITIAL_BUFFER_BYTES) spare = pending;
            pending = merged;
            pendingLength = (int) total;
            pendingStart = at;
            writeBehindBytes = (int) Math.min(maxPendingBytes + 1L, total + WRITE_BEHIND_BYTES); // the last try comes just past the bound
        }
    }

    /** Drops every pending frame, {@code total} bytes with the ones taken by a failed write: the journal has a gap. Under appendLock. */
    private void dropPending(long total, Exception failure) {
        droppedBytes = total;
        pending = new byte[INITIAL_BUFFER_BYTES];
        pendingLength = 0;
        gap = new GapException("state journal " + file + ": writes failed and " + total + " bytes of changes waiting for"
                + " them passed the bound of " + maxPendingBytes + " bytes; they were dropped, and the state on disk"
                + " misses changes until the next snapshot is written", failure);
    }

    /** The largest the pending buffer has been: tests check that it keeps to the bound. */
    int largestPendingCapacity() {
        synchronized (appendLock) {
            return largestPendingCapacity;
        }
    }

    /** True once frames were dropped (see {@link GapException}). */
    boolean hasGap() {
        return gap != null;
    }

    /** Bytes of frames dropped or not taken since the gap; 0 without one. */
    long droppedBytes() {
        synchronized (appendLock) {
            return droppedBytes;
        }
    }

    /**
     * Positional writes until every byte is in. An interrupt of the calling thread (a cancelled task) must not take
     * the journal down with it: the interrupt is held back during the write, and a channel that one closed anyway is
     * opened again and the write repeated (it writes the same bytes at the same place).
     */
    private void writeFully(ByteBuffer bytes, long at) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    while (bytes.hasRemaining()) channel.write(bytes, at + bytes.position());
                    return;
                } catch (ClosedChannelException e) {
                    if (attempt == 3 || closed) throw e;
                    interrupted |= Thread.interrupted();
                    channel = opener.open(file);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** The payload length in a frame header. */
    static int lengthOf(long header) {
        return (int) (header >>> 32);
    }

    static long aligned(long bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** Writes what is pending and forces every written record to the disk. */
    void force() throws IOException {
        flush();
        writeLock.lock();
        boolean interrupted = Thread.interrupted(); // an interrupt would close the channel under the writers
        try {
            if (!closed) channel.force(false); // fdatasync: the data and the file's length, not its times
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
            writeLock.unlock();
        }
    }

    /**
     * Writes what is pending, forces it and closes the file. Only after {@link #seal()}. When the write or the force
     * fails, the journal stays open with its frames pending, and close can be called again. A journal with a gap is closed
     * without a word: its loss is reported by {@link #flush} and is for a snapshot to cover.
     */
    @Override
    public void close() throws IOException {
        if (!sealed) throw new IllegalStateException("journal " + file + " closed before it was sealed");
        if (gap == null) flush();
        writeLock.lock();
        try {
            if (closed) return;
            if (gap == null) {
                boolean interrupted = Thread.interrupted();
                try {
                    if (!channel.isOpen()) channel = opener.open(file); // an interrupt closed it
                    channel.force(true); // when this fails the journal stays open, and the next close forces again
                } finally {
                    if (interrupted) Thread.currentThread().interrupt();
                }
            }
            // With a gap nothing more is written to it: its frames after the gap were never taken.
            closed = true;
            channel.close();
        } finally {
            writeLock.unlock();
        }
    }
}
