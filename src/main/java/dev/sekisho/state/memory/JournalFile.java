package dev.sekisho.state.memory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One journal file, appended through shared memory mappings of {@link DataDirectory#REGION_BYTES}
 * each: an append is a copy into the page cache, not a system call. Mapping a region extends the
 * file with zeros, so until {@link #close()} truncates them the file is longer than its records.
 *
 * <p>Threads: {@link #append} and {@link #length} under the caller's append lock; {@link #force}
 * and {@link #close} under its maintenance lock, concurrently with appends.
 */
final class JournalFile implements Closeable {
    static final byte[] MAGIC = "SKJRNL1\n".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private FileChannel channel;
    /** The region appends go to; null until the first append. */
    private volatile MappedByteBuffer region;
    /** File offset of {@link #region}'s first byte. */
    private long regionStart;
    /** Bytes of records in the file, the header included: where the next record goes. */
    private long length;
    /** Regions an append filled and left, to be forced by the maintenance side. */
    private final ConcurrentLinkedQueue<MappedByteBuffer> retired = new ConcurrentLinkedQueue<>();

    private JournalFile(Path file, FileChannel channel, long length) {
        this.file = file;
        this.channel = channel;
        this.length = length;
    }

    /**
     * Opens a journal for appending after its records, writing the header first if the file is
     * new (or was left shorter than its header by a crash at creation).
     */
    static JournalFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            if (size < MAGIC.length) {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(MAGIC), 0);
                channel.force(true);
                size = MAGIC.length;
            }
            return new JournalFile(file, channel, size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    long length() {
        return length;
    }

    /** Copies one framed record after the others. Caller holds the append lock. */
    void append(ByteBuffer record) throws IOException {
        int size = record.remaining();
        MappedByteBuffer current = region;
        if (current == null || length + size > regionStart + current.capacity()) {
            current = mapRegionAt(length, Math.max(DataDirectory.REGION_BYTES, size));
        }
        current.put((int) (length - regionStart), record.array(), record.arrayOffset() + record.position(), size);
        length += size;
    }

    private MappedByteBuffer mapRegionAt(long offset, int size) throws IOException {
        MappedByteBuffer next = map(offset, size);
        if (region != null) retired.add(region);
        regionStart = offset;
        region = next;
        return next;
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
        for (MappedByteBuffer old = retired.poll(); old != null; old = retired.poll()) old.force();
        MappedByteBuffer current = region;
        if (current != null) current.force();
    }

    /** Forces, unmaps, cuts the file to its records and closes it. No append may follow. */
    @Override
    public void close() throws IOException {
        force();
        region = null;
        boolean interrupted = Thread.interrupted();
        try (FileChannel closing = channel.isOpen() ? channel : FileChannel.open(file, StandardOpenOption.WRITE)) {
            closing.truncate(length);
            closing.force(true);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
