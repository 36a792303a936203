package dev.sekisho.state.memory;

import dev.sekisho.engine.Restriction;
import dev.sekisho.state.RateWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.SyncFailedException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of an embedded store: {@code state.snapshot} (everything as of the start of journal
 * number N), {@code journal-N.log} (every change since, appended before the changing call returns),
 * and {@code lock} (one process at a time).
 *
 * <p>As a {@link StateRecords.Sink} it appends each change to the current journal with one
 * {@code write} to the OS under a short lock: that survives a process kill; {@link #force()} (called
 * each second by the store) makes it survive a power cut too.
 */
final class DataDirectory implements StateRecords.Sink, Closeable {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

    static final String SNAPSHOT_FILE = "state.snapshot";
    static final String LOCK_FILE = "lock";
    private static final String SNAPSHOT_TEMP_FILE = "state.snapshot.tmp";
    private static final Pattern JOURNAL_NAME = Pattern.compile("journal-(\\d{16})\\.log");
    private static final byte[] JOURNAL_MAGIC = "SKJRNL1\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT_MAGIC = "SKSNAP1\n".getBytes(StandardCharsets.US_ASCII);

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;

    /** Guards the journal channel, its sequence number and {@link #encoder}. */
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Records appended since the last {@link #flush()}; guarded by {@link #appendLock}. */
    private byte[] pending = new byte[64 * 1024];
    private int pendingLength;
    /** Past this many queued bytes an append writes them at once, so the queue stays small. */
    private static final int MAX_PENDING_BYTES = 1 << 20;
    private final StateRecords.Encoder encoder = new StateRecords.Encoder();
    /**
     * A stream, not a FileChannel: interrupting a thread blocked in a FileChannel write closes the
     * channel for every thread, and policy threads do get interrupted (timeouts, cancellation).
     */
    private FileOutputStream journal;
    private long journalSequence;
    private volatile long journalBytes;
    private boolean closed;

    /** One snapshot at a time; never held while holding {@link #appendLock} first. */
    private final ReentrantLock checkpointLock = new ReentrantLock();

    private DataDirectory(Path directory, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Locks the directory, feeds the snapshot and then every later journal record to {@code restore},
     * and opens the newest journal for appending.
     *
     * @throws CorruptStateException when the snapshot or a journal record fails its checks (a torn
     *                               journal tail is not corruption: it is cut off with a warning)
     */
    static DataDirectory open(Path directory, StateRecords.Sink restore) throws IOException {
        Files.createDirectories(directory);
        FileChannel lockChannel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("state directory " + directory + " is in use by another store (" + LOCK_FILE + " is locked)");
        }
        DataDirectory data = new DataDirectory(directory, lockChannel, lock);
        try {
            data.recover(restore);
            return data;
        } catch (IOException | RuntimeException e) {
            data.releaseLock();
            throw e;
        }
    }

    private void recover(StateRecords.Sink restore) throws IOException {
        Files.deleteIfExists(directory.resolve(SNAPSHOT_TEMP_FILE));
        long snapshotSequence = 0;
        Path snapshot = directory.resolve(SNAPSHOT_FILE);
        if (Files.exists(snapshot)) snapshotSequence = readSnapshot(snapshot, restore);
        long newest = Math.max(1, snapshotSequence);
        for (long sequence : journalSequences()) {
            Path file = journalPath(sequence);
            if (sequence < snapshotSequence) {
                // Left behind when a crash came between the snapshot's rename and the clean-up.
                Files.deleteIfExists(file);
                continue;
            }
            replayJournal(file, restore);
            newest = Math.max(newest, sequence);
        }
        journalSequence = newest;
        journal = openJournalForAppend(journalPath(newest));
        journalBytes = Files.size(journalPath(newest));
    }

    private static long readSnapshot(Path file, StateRecords.Sink restore) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] magic = in.readNBytes(SNAPSHOT_MAGIC.length);
            if (!Arrays.equals(magic, SNAPSHOT_MAGIC)) throw new CorruptStateException(file, 0, "not a Sekisho state snapshot");
            StateRecords.FrameReader frames = new StateRecords.FrameReader(in, SNAPSHOT_MAGIC.length);
            try {
                byte[] header = frames.next();
                if (header == null) throw new CorruptStateException(file, frames.offset(), "no header record");
                long sequence = StateRecords.snapshotHeaderSequence(header);
                long count = 0;
                while (true) {
                    long at = frames.offset();
                    byte[] payload = frames.next();
                    if (payload == null) throw new CorruptStateException(file, at, "ends without its end record (truncated)");
                    if (StateRecords.typeOf(payload) == StateRecords.SNAPSHOT_END) {
                        long expected = StateRecords.snapshotEndCount(payload);
                        if (expected != count) throw new CorruptStateException(file, at, "holds " + count + " records, its end record says " + expected);
                        if (frames.next() != null) throw new CorruptStateException(file, frames.offset(), "data after the end record");
                        return sequence;
                    }
                    StateRecords.decode(payload, restore);
                    count++;
                }
            } catch (StateRecords.BadFrameException e) {
                throw new CorruptStateException(file, frames.offset(), e.getMessage());
            } catch (StateRecords.MalformedRecordException e) {
                throw new CorruptStateException(file, frames.offset(), e.getMessage());
            }
        }
    }

    private static void replayJournal(Path file, StateRecords.Sink restore) throws IOException {
        long size = Files.size(file);
        if (size < JOURNAL_MAGIC.length) {
            // Crashed while creating the journal: nothing was ever acknowledged from it.
            Files.delete(file);
            return;
        }
        long goodPrefix;
        String tornReason;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] magic = in.readNBytes(JOURNAL_MAGIC.length);
            if (!Arrays.equals(magic, JOURNAL_MAGIC)) throw new CorruptStateException(file, 0, "not a Sekisho state journal");
            StateRecords.FrameReader frames = new StateRecords.FrameReader(in, JOURNAL_MAGIC.length);
            try {
                byte[] payload;
                while ((payload = frames.next()) != null) StateRecords.decode(payload, restore);
                return;
            } catch (StateRecords.BadFrameException e) {
                goodPrefix = frames.offset();
                tornReason = e.getMessage();
            } catch (StateRecords.MalformedRecordException e) {
                throw new CorruptStateException(file, frames.offset(), e.getMessage());
            }
        }
        // A write cut short by a crash: its call never returned, so nothing acknowledged is lost.
        // Cut it off so that new records do not land behind garbage.
        log.warn("state journal {}: torn record at byte {} ({}); kept the {} bytes before it, dropped {} bytes",
                file, goodPrefix, tornReason, goodPrefix, size - goodPrefix);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(goodPrefix);
            channel.force(true);
        }
    }

    private List<Long> journalSequences() throws IOException {
        List<Long> sequences = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(p -> {
                Matcher m = JOURNAL_NAME.matcher(p.getFileName().toString());
                if (m.matches()) sequences.add(Long.parseLong(m.group(1)));
            });
        }
        sequences.sort(null);
        return sequences;
    }

    private Path journalPath(long sequence) {
        return directory.resolve(String.format("journal-%016d.log", sequence));
    }

    private static FileOutputStream openJournalForAppend(Path file) throws IOException {
        try (RandomAccessFile header = new RandomAccessFile(file.toFile(), "rw")) {
            if (header.length() < JOURNAL_MAGIC.length) {
                header.setLength(0);
                header.write(JOURNAL_MAGIC);
                header.getFD().sync();
            }
        }
        return new FileOutputStream(file.toFile(), true);
    }

    // ---- appending ------------------------------------------------------------------------------

    @Override
    public void rate(String key, RateWindow[] windows, long[] tats) {
        appendLocked(() -> encoder.rate(key, windows, tats));
    }

    @Override
    public void triplet(String key, TripletState state) {
        appendLocked(() -> encoder.triplet(key, state));
    }

    @Override
    public void client(String key, ClientState state) {
        appendLocked(() -> encoder.client(key, state));
    }

    @Override
    public void restriction(Restriction restriction) {
        appendLocked(() -> encoder.restriction(restriction));
    }

    @Override
    public void restrictionRemoved(String id) {
        appendLocked(() -> encoder.restrictionRemoved(id));
    }

    private void appendLocked(java.util.function.Supplier<ByteBuffer> frame) {
        appendLock.lock();
        try {
            append(frame.get());
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Queues a record for the journal. Records reach the OS at the next {@link #flush()}, which the
     * caller makes before it acknowledges anything (the policy server before it answers): many
     * requests' records then share one write, instead of one system call per record.
     * Called with the append lock held.
     */
    private void append(ByteBuffer frame) {
        if (closed) throw new IllegalStateException("state store " + directory + " is closed");
        int length = frame.remaining();
        if (pendingLength + length > pending.length) {
            if (pendingLength + length > MAX_PENDING_BYTES) {
                writePending();
            }
            if (length > pending.length - pendingLength) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + length));
            }
        }
        System.arraycopy(frame.array(), frame.position(), pending, pendingLength, length);
        pendingLength += length;
    }

    /** Hands queued records to the OS (a write, not an fsync): from then on they survive a process kill. */
    void flush() {
        appendLock.lock();
        try {
            if (closed || pendingLength == 0) return;
            writePending();
        } finally {
            appendLock.unlock();
        }
    }

    /** Called with the append lock held. */
    private void writePending() {
        if (pendingLength == 0) return;
        try {
            journal.write(pending, 0, pendingLength);
            journalBytes += pendingLength;
            pendingLength = 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the state journal in " + directory, e);
        }
    }

    /** Bytes in the current journal: the store snapshots when it grows too large. */
    long journalBytes() {
        return journalBytes;
    }

    /** True when the current journal holds any change. */
    boolean journalHasChanges() {
        return journalBytes > JOURNAL_MAGIC.length;
    }

    /** Flush appended records to the disk. */
    void force() throws IOException {
        FileOutputStream current;
        appendLock.lock();
        try {
            if (closed) return;
            writePending();
            current = journal;
        } finally {
            appendLock.unlock();
        }
        try {
            current.getFD().sync();
        } catch (SyncFailedException e) {
            // A checkpoint that rotated the journal meanwhile synced it before closing it.
            if (isCurrent(current)) throw e;
        }
    }

    private boolean isCurrent(FileOutputStream stream) {
        appendLock.lock();
        try {
            return !closed && journal == stream;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Compacts: starts a new journal, writes everything {@code contents} emits to a new snapshot
     * (temp file, fsync, atomic rename), then deletes the journals the snapshot covers. Appends go on
     * meanwhile into the new journal; since records carry whole states, replaying them over a
     * snapshot that already saw some of them is harmless.
     */
    void checkpoint(Consumer<StateRecords.Sink> contents, Instant now) throws IOException {
        checkpointLock.lock();
        try {
            long sequence;
            appendLock.lock();
            try {
                if (closed) throw new IllegalStateException("state store " + directory + " is closed");
                writePending();
                journal.getFD().sync();
                journal.close();
                sequence = ++journalSequence;
                journal = openJournalForAppend(journalPath(sequence));
                journalBytes = Files.size(journalPath(sequence));
            } finally {
                appendLock.unlock();
            }
            Path temp = directory.resolve(SNAPSHOT_TEMP_FILE);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                SnapshotWriter writer = new SnapshotWriter(out);
                out.write(SNAPSHOT_MAGIC);
                writer.frame(writer.encoder.snapshotHeader(sequence, now));
                try {
                    contents.accept(writer);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                writer.frame(writer.encoder.snapshotEnd(writer.count));
                out.flush();
                channel.force(true);
            }
            Files.move(temp, directory.resolve(SNAPSHOT_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory();
            for (long old : journalSequences()) {
                if (old < sequence) Files.deleteIfExists(journalPath(old));
            }
        } finally {
            checkpointLock.unlock();
        }
    }

    /** Makes the rename durable; some platforms cannot open a directory, and there it is skipped. */
    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            log.debug("cannot fsync directory {}: {}", directory, e.toString());
        }
    }

    /** Writes snapshot records; counts them for the end record. */
    private static final class SnapshotWriter implements StateRecords.Sink {
        private final OutputStream out;
        private final StateRecords.Encoder encoder = new StateRecords.Encoder();
        private long count;

        SnapshotWriter(OutputStream out) {
            this.out = out;
        }

        void frame(ByteBuffer frame) {
            try {
                out.write(frame.array(), frame.position(), frame.remaining());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void rate(String key, RateWindow[] windows, long[] tats) {
            frame(encoder.rate(key, windows, tats));
            count++;
        }

        @Override
        public void triplet(String key, TripletState state) {
            frame(encoder.triplet(key, state));
            count++;
        }

        @Override
        public void client(String key, ClientState state) {
            frame(encoder.client(key, state));
            count++;
        }

        @Override
        public void restriction(Restriction restriction) {
            frame(encoder.restriction(restriction));
            count++;
        }

        @Override
        public void restrictionRemoved(String id) {
            throw new IllegalStateException("a snapshot holds no removals");
        }
    }

    /** Forces and closes the journal and releases the directory. */
    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            if (closed) return;
            try {
                writePending();
            } finally {
                closed = true;
            }
            try {
                journal.getFD().sync();
            } finally {
                journal.close();
            }
        } finally {
            appendLock.unlock();
            releaseLock();
        }
    }

    private void releaseLock() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
