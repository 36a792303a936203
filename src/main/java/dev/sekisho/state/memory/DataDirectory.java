package dev.sekisho.state.memory;

import dev.sekisho.engine.Restriction;
import dev.sekisho.state.RateWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * <p>As a {@link StateRecords.Sink} it appends each change to the current journal by copying it
 * into a shared memory mapping of the file, under a short lock. The page cache belongs to the
 * kernel, so the record survives a process kill the moment the copy ends, without a system call
 * per record (a write per request cost as much as the decision itself); {@link #force()} (called
 * each second by the store) makes it survive a power cut too. The file is mapped in regions of
 * {@link #REGION_BYTES}, so a journal that was not closed cleanly ends in zeros: recovery reads
 * them as the unused end, and a clean close truncates them.
 */
final class DataDirectory implements StateRecords.Sink, Closeable {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

    static final String SNAPSHOT_FILE = "state.snapshot";
    static final String LOCK_FILE = "lock";
    private static final String SNAPSHOT_TEMP_FILE = "state.snapshot.tmp";
    private static final Pattern JOURNAL_NAME = Pattern.compile("journal-(\\d{16})\\.log");
    private static final byte[] JOURNAL_MAGIC = JournalFile.MAGIC;
    private static final byte[] SNAPSHOT_MAGIC = "SKSNAP1\n".getBytes(StandardCharsets.US_ASCII);

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;

    /** How much of the journal file one mapping covers. */
    static final int REGION_BYTES = 4 << 20;

    /**
     * Guards the journal file, its sequence number and the current region. Held only to copy an
     * encoded record, and while the journal is swapped: every policy request appends, so the
     * encoding happens before, in the calling thread's own encoder.
     */
    private final ReentrantLock appendLock = new ReentrantLock();
    private final ThreadLocal<StateRecords.Encoder> encoders = ThreadLocal.withInitial(StateRecords.Encoder::new);
    private JournalFile journal;
    private long journalSequence;
    /** Bytes of records in the current journal, its header included: where the next record goes. */
    private volatile long journalBytes;
    private boolean closed;

    /**
     * Forcing, rotating and closing the journal, one at a time: whoever holds it may force and
     * unmap regions no append can reach any more. Taken before {@link #appendLock}, never after.
     */
    private final ReentrantLock maintenanceLock = new ReentrantLock();

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
        journal = JournalFile.open(journalPath(newest));
        journalBytes = journal.length();
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
        if (onlyZerosFrom(file, goodPrefix)) {
            // The mapped region's unused end, left by a store that was not closed cleanly.
            log.info("state journal {}: {} bytes of records, then {} unused bytes of its last region; cut them off", file, goodPrefix, size - goodPrefix);
        } else {
            // A copy cut short by a crash: its call never returned, so nothing acknowledged is lost.
            log.warn("state journal {}: torn record at byte {} ({}); kept the {} bytes before it, dropped {} bytes",
                    file, goodPrefix, tornReason, goodPrefix, size - goodPrefix);
        }
        // Cut it off so that new records do not land behind garbage.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(goodPrefix);
            channel.force(true);
        }
    }

    private static boolean onlyZerosFrom(Path file, long offset) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.skipNBytes(offset);
            byte[] chunk = new byte[1 << 16];
            for (int n = in.read(chunk); n > 0; n = in.read(chunk)) {
                for (int i = 0; i < n; i++) if (chunk[i] != 0) return false;
            }
            return true;
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

    // ---- appending ------------------------------------------------------------------------------

    @Override
    public void rate(String key, RateWindow[] windows, long[] tats) {
        append(encoders.get().rate(key, windows, tats));
    }

    @Override
    public void triplet(String key, TripletState state) {
        append(encoders.get().triplet(key, state));
    }

    @Override
    public void client(String key, ClientState state) {
        append(encoders.get().client(key, state));
    }

    @Override
    public void tally(String key, TallyCell cell) {
        append(encoders.get().tally(key, cell));
    }

    @Override
    public void restriction(Restriction restriction) {
        append(encoders.get().restriction(restriction));
    }

    @Override
    public void fields(String key, java.util.Map<String, String> fields) {
        append(encoders.get().fields(key, fields));
    }

    @Override
    public void list(String key, java.util.List<String> entries, long expiresAtNanos) {
        append(encoders.get().list(key, entries, expiresAtNanos));
    }

    @Override
    public void restrictionRemoved(String id) {
        append(encoders.get().restrictionRemoved(id));
    }

    @Override
    public void evicted(byte keyType, String key) {
        append(encoders.get().evicted(keyType, key));
    }

    /**
     * Appends the records of one atomic unit as one {@link StateRecords#BATCH} frame: recovery replays all of
     * them or none.
     */
    void batch(int count, byte[] records, int length) {
        append(encoders.get().batch(count, records, length));
    }

    private void append(ByteBuffer record) {
        lockForAppend();
        try {
            if (closed) throw new IllegalStateException("state store " + directory + " is closed");
            journal.append(record);
            journalBytes += record.remaining();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the state journal in " + directory, e);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * The lock is held for a copy of a few hundred bytes, so a thread that finds it taken (its
     * holder's carrier was preempted, say) spins a little before queueing: parking a virtual
     * thread and waking it again costs a hundred times the copy, and a holder that releases the
     * lock with nobody queued wakes nobody.
     */
    private void lockForAppend() {
        for (int spin = 0; spin < APPEND_LOCK_SPINS; spin++) {
            if (appendLock.tryLock()) return;
            Thread.onSpinWait();
        }
        appendLock.lock();
    }

    private static final int APPEND_LOCK_SPINS = 2_000;

    /**
     * Nothing to do: an appended record is in the kernel's page cache as soon as its append
     * returns. Kept so that the store's contract (records are handed over before the caller
     * acknowledges anything) reads the same for every store.
     */
    void flush() {
    }

    /** Bytes in the current journal: the store snapshots when it grows too large. */
    long journalBytes() {
        return journalBytes;
    }

    /** True when the current journal holds any change. */
    boolean journalHasChanges() {
        return journalBytes > JOURNAL_MAGIC.length;
    }

    /** Forces appended records to the disk. */
    void force() throws IOException {
        maintenanceLock.lock();
        try {
            JournalFile current;
            appendLock.lock();
            try {
                if (closed) return;
                current = journal;
            } finally {
                appendLock.unlock();
            }
            // Appends go on meanwhile; what they add after this point waits for the next force.
            current.force();
        } finally {
            maintenanceLock.unlock();
        }
    }

    /**
     * Compacts: starts a new journal, writes everything {@code contents} emits to a new snapshot
     * (temp file, fsync, atomic rename), then deletes the journals the snapshot covers. Appends go on
     * meanwhile into the new journal; since records carry whole states, replaying them over a
     * snapshot that already saw some of them is harmless.
     */
    void checkpoint(Consumer<StateRecords.Sink> contents, Instant now) throws IOException {
        maintenanceLock.lock();
        try {
            long sequence;
            JournalFile previous;
            appendLock.lock();
            try {
                if (closed) throw new IllegalStateException("state store " + directory + " is closed");
                previous = journal;
                sequence = ++journalSequence;
                journal = JournalFile.open(journalPath(sequence));
                journalBytes = journal.length();
            } finally {
                appendLock.unlock();
            }
            previous.close(); // no append can reach it any more
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
            maintenanceLock.unlock();
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
        public void tally(String key, TallyCell cell) {
            frame(encoder.tally(key, cell));
            count++;
        }

        @Override
        public void restriction(Restriction restriction) {
            frame(encoder.restriction(restriction));
            count++;
        }

        @Override
        public void fields(String key, java.util.Map<String, String> fields) {
            frame(encoder.fields(key, fields));
            count++;
        }

        @Override
        public void list(String key, java.util.List<String> entries, long expiresAtNanos) {
            frame(encoder.list(key, entries, expiresAtNanos));
            count++;
        }

        @Override
        public void restrictionRemoved(String id) {
            throw new IllegalStateException("a snapshot holds no removals");
        }

        @Override
        public void evicted(byte keyType, String key) {
            throw new IllegalStateException("a snapshot holds no removals");
        }
    }

    /** Forces and closes the journal and releases the directory. */
    @Override
    public void close() throws IOException {
        maintenanceLock.lock();
        try {
            appendLock.lock();
            try {
                if (closed) return;
                closed = true;
            } finally {
                appendLock.unlock();
            }
            journal.close();
        } finally {
            maintenanceLock.unlock();
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
