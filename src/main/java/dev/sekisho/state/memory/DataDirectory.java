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
 * <p>As a {@link StateRecords.Sink} it appends each change to the current journal ({@link JournalFile}): the record is
 * copied into the journal's buffer in the order changes are made, and {@link #flush()} writes the buffer to the file
 * with one system call for all the changes since the last (a write per record cost as much as the decision itself).
 * A written record is in the kernel's page cache and survives a process kill; {@link #force()} (called each second by
 * the store) makes it survive a power cut too. The file is cut into regions of {@link #REGION_BYTES} (the layout the
 * mapped writer before the buffered one needed, still read and written the same way); a record that a kill left half
 * written fails its checksum and is cut off.
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
    private final Journals journals;

    /** Opens a journal file for appending at a tail (see {@link JournalFile#open}); tests give journals whose disk fails. */
    @FunctionalInterface
    interface Journals {
        Journals FILES = JournalFile::open;

        JournalFile open(Path file, long tail) throws IOException;
    }

    /** A journal is cut into regions of this size, and no record crosses a region's end (see JournalFile). */
    static final int REGION_BYTES = 4 << 20;

    /**
     * Every policy request appends: the record is encoded in the calling thread's own encoder, and only copied into
     * the journal's buffer under its lock ({@link JournalFile}). A journal that is swapped or closed is sealed first,
     * which waits for the appends in it.
     */
    private final ThreadLocal<StateRecords.Encoder> encoders = ThreadLocal.withInitial(StateRecords.Encoder::new);
    private volatile JournalFile journal;
    /**
     * The journal a checkpoint is swapping out, until its records are all written: a flush that finds the new journal
     * current must still wait for records appended to this one before the swap. Null between checkpoints, unless its
     * records could not be written: then it stays, every flush tries them again, and so does the next force or
     * checkpoint, which closes it once they are in.
     *
     * <p>Meanwhile the new journal may be written ahead of it (its own flushes and write-behind go on). A kill then
     * keeps newer changes and loses older ones, and that is safe: every record holds a key's whole state (StateRecords),
     * so replay yields each key's last written state, never an older value after a newer one.
     */
    private volatile JournalFile retiring;
    /**
     * A swapped-out journal had a gap (its disk failed long enough that records were dropped): until a snapshot is
     * written, the files miss changes, and every flush says so. Set before {@link #retiring} is cleared.
     */
    private volatile JournalFile.GapException uncoveredGap;
    private long journalSequence;  // under maintenanceLock after recovery
    private volatile boolean closed;

    /** Forcing, rotating and closing the journal, one at a time. */
    private final ReentrantLock maintenanceLock = new ReentrantLock();

    private DataDirectory(Path directory, FileChannel lockChannel, FileLock lock, Journals journals) {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.journals = journals;
    }

    /**
     * Locks the directory, feeds the snapshot and then every later journal record to {@code restore},
     * and opens the newest journal for appending.
     *
     * @throws CorruptStateException when the snapshot or a journal record fails its checks (a torn
     *                               journal tail is not corruption: it is cut off with a warning)
     */
    static DataDirectory open(Path directory, StateRecords.Sink restore) throws IOException {
        return open(directory, restore, Journals.FILES);
    }

    static DataDirectory open(Path directory, StateRecords.Sink restore, Journals journals) throws IOException {
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
        DataDirectory data = new DataDirectory(directory, lockChannel, lock, journals);
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
        long newestTail = 0; // 0: start the newest journal afresh
        for (long sequence : journalSequences()) {
            Path file = journalPath(sequence);
            if (sequence < snapshotSequence) {
                // Left behind when a crash came between the snapshot's rename and the clean-up.
                Files.deleteIfExists(file);
                continue;
            }
            long tail = replayJournal(file, restore);
            if (sequence >= newest) {
                newest = sequence;
                newestTail = tail;
            }
        }
        if (newestTail < 0) {
            // A version 1 journal is read, never appended to: the new records go to a new journal.
            newest++;
            newestTail = 0;
        }
        journalSequence = newest;
        journal = journals.open(journalPath(newest), newestTail);
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

    /**
     * Replays one journal.
     *
     * @return where appends go on (the end of its last intact record), 0 when the file is gone
     *         (it never held a record), -1 for a version 1 journal, which is not appended to
     */
    private static long replayJournal(Path file, StateRecords.Sink restore) throws IOException {
        long size = Files.size(file);
        if (size < JOURNAL_MAGIC.length) {
            // Crashed while creating the journal: nothing was ever acknowledged from it.
            Files.delete(file);
            return 0;
        }
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(JOURNAL_MAGIC.length);
        }
        if (Arrays.equals(magic, JournalFile.MAGIC_V1)) {
            replayVersion1(file, restore, size);
            return -1;
        }
        if (!Arrays.equals(magic, JOURNAL_MAGIC)) throw new CorruptStateException(file, 0, "not a Sekisho state journal");
        return replayAligned(file, restore, size);
    }

    /**
     * Version 2 (see {@link JournalFile}): frames at aligned offsets, claimed before they are
     * copied. A frame whose checksum fails was being copied when the process died: its header
     * (claimed in one step) still gives its length, so the frames after it are read too. A zero
     * header is the end; a torn frame with nothing intact after it is cut off.
     */
    private static long replayAligned(Path file, StateRecords.Sink restore, long size) throws IOException {
        long end = JOURNAL_MAGIC.length; // just past the last intact frame
        long torn = 0;
        long tornBytes = 0;
        String stop = null;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = JOURNAL_MAGIC.length;
            scan:
            for (long regionStart = 0; regionStart < size; regionStart += REGION_BYTES) {
                int regionLength = (int) Math.min(REGION_BYTES, size - regionStart);
                ByteBuffer region = channel.map(FileChannel.MapMode.READ_ONLY, regionStart, regionLength);
                while (at < regionStart + regionLength) {
                    int index = (int) (at - regionStart);
                    if (index + StateRecords.FRAME_HEADER_BYTES > regionLength) break scan; // the file ends here
                    long header = region.getLong(index);
                    if (header == 0) break scan; // nobody claimed this place: the end of the records
                    if (header == JournalFile.SKIP_TO_NEXT_REGION) {
                        at = regionStart + REGION_BYTES;
                        continue scan;
                    }
                    int length = JournalFile.lengthOf(header);
                    if (length <= 0 || length > StateRecords.MAX_PAYLOAD_BYTES
                            || index + StateRecords.FRAME_HEADER_BYTES + length > regionLength) {
                        // A header is claimed whole, so this is no killed writer's; unless the file
                        // simply ends inside the frame, nothing after it can be trusted.
                        stop = "impossible record length " + length + " at byte " + at;
                        break scan;
                    }
                    byte[] payload = new byte[length];
                    region.get(index + StateRecords.FRAME_HEADER_BYTES, payload);
                    crc.reset();
                    crc.update(payload);
                    long next = at + JournalFile.aligned(StateRecords.FRAME_HEADER_BYTES + length);
                    if ((int) crc.getValue() != (int) header) {
                        // A writer's copy cut short: its call never returned, nothing acknowledged is in it.
                        torn++;
                        tornBytes += next - at;
                    } else {
                        try {
                            StateRecords.decode(payload, restore);
                        } catch (StateRecords.MalformedRecordException e) {
                            throw new CorruptStateException(file, at, e.getMessage());
                        }
                        end = next;
                    }
                    at = next;
                }
            }
        }
        if (stop != null) {
            log.warn("state journal {}: {}; kept the {} bytes of records before it, dropped {} bytes", file, stop, end, size - end);
        } else if (torn > 0) {
            log.warn("state journal {}: stepped over {} records ({} bytes) that a stopped process left half written; "
                    + "nothing acknowledged was in them", file, torn, tornBytes);
        }
        if (size > end && stop == null) {
            log.info("state journal {}: {} bytes of records, then {} unused bytes; cut them off", file, end, size - end);
        }
        return end;
    }

    /** Version 1: frames back to back; a torn frame can only be the last, and is cut off. */
    private static void replayVersion1(Path file, StateRecords.Sink restore, long size) throws IOException {
        long goodPrefix;
        String tornReason;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.skipNBytes(JOURNAL_MAGIC.length);
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

    @Override
    public void evicted(byte keyType, byte[] key, int offset, int length) {
        append(encoders.get().evicted(keyType, key, offset, length));
    }

    /**
     * Appends the records of one atomic unit as one {@link StateRecords#BATCH} frame: recovery replays all of
     * them or none.
     */
    void batch(int count, byte[] records, int length) {
        append(encoders.get().batch(count, records, length));
    }

    private void append(ByteBuffer record) {
        while (true) {
            JournalFile current = journal;
            if (!current.enter()) {
                // Sealed: a checkpoint swapped in a new journal, or the store is closing.
                if (closed) throw new IllegalStateException("state store " + directory + " is closed");
                Thread.onSpinWait();
                continue;
            }
            try {
                current.append(record);
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the state journal in " + directory, e);
            } finally {
                current.exit();
            }
        }
    }

    /**
     * Writes every record appended so far, by any thread, to its journal file: once this returns they survive a kill
     * of the process.
     *
     * @throws UncheckedIOException when the write fails (the records stay pending for the next flush), or when
     *                              records were dropped and no snapshot has covered them yet
     */
    void flush() {
        // Read the current journal before the retiring one: a checkpoint sets retiring before it swaps the journal, so
        // a flush that finds the new journal also finds the old one, unless that was closed (all written) already.
        // And retiring before the gap: a checkpoint notes a retired journal's gap before it clears retiring.
        JournalFile current = journal;
        JournalFile previous = retiring;
        JournalFile.GapException gap = uncoveredGap;
        try {
            if (previous != null) previous.flush();
            current.flush();
            if (gap != null) throw gap;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the state journal in " + directory, e);
        }
    }

    /** True when records were dropped (see {@link JournalFile#MAX_PENDING_BYTES}): only a snapshot makes the files whole. */
    boolean needsSnapshot() {
        return uncoveredGap != null || journal.hasGap();
    }

    /** Bytes in the current journal: the store snapshots when it grows too large. */
    long journalBytes() {
        return journal.length();
    }

    /** True when the current journal holds any change. */
    boolean journalHasChanges() {
        return journal.length() > JOURNAL_MAGIC.length;
    }

    /** Forces appended records to the disk; first closes a journal a checkpoint could not. */
    void force() throws IOException {
        maintenanceLock.lock();
        try {
            if (closed) return;
            closeRetiring();
            // Appends go on meanwhile; what they add after this point waits for the next force.
            journal.force();
        } finally {
            maintenanceLock.unlock();
        }
    }

    /**
     * Writes and closes the journal an earlier checkpoint swapped out but could not close (its disk failed). Throws
     * while it still fails, and the journal stays retiring. Under maintenanceLock.
     */
    private void closeRetiring() throws IOException {
        JournalFile previous = retiring;
        if (previous == null) return;
        previous.close();
        if (previous.hasGap()) uncoveredGap = gapOf(previous);
        retiring = null;
    }

    private static JournalFile.GapException gapOf(JournalFile journal) {
        try {
            journal.flush();
        } catch (JournalFile.GapException e) {
            return e;
        } catch (IOException e) {
            throw new IllegalStateException("a journal with a gap reported another failure", e);
        }
        throw new IllegalStateException("a journal with a gap did not report it");
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
            if (closed) throw new IllegalStateException("state store " + directory + " is closed");
            closeRetiring(); // an earlier checkpoint's journal: its records go before anything newer is snapshotted
            JournalFile previous = journal;
            long sequence = journalSequence + 1;
            JournalFile next = journals.open(journalPath(sequence), 0);
            journalSequence = sequence;
            retiring = previous; // before the swap: see flush()
            journal = next;
            previous.seal(); // waits for the appends that took the previous journal
            closeRetiring(); // writes them; no append can reach it any more. When that fails, it stays retiring.
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
            // Every change up to the swap is in the snapshot now, the dropped ones too.
            if (uncoveredGap != null) log.info("state snapshot {} written: the changes the journal dropped are on disk again", sequence);
            uncoveredGap = null;
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
        public void triplet(byte[] key, int offset, int length, TripletState state) {
            frame(encoder.triplet(key, offset, length, state));
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

    /**
     * Forces and closes the journal (and one a checkpoint could not close) and releases the directory.
     *
     * @throws IOException when records could not be written, or were dropped and no snapshot covers them: the files
     *                     miss changes the store made
     */
    @Override
    public void close() throws IOException {
        maintenanceLock.lock();
        try {
            if (closed) return;
            closed = true;
            IOException failure = null;
            JournalFile previous = retiring;
            if (previous != null) {
                try {
                    previous.close();
                    if (previous.hasGap()) failure = gapOf(previous);
                } catch (IOException e) {
                    failure = e;
                }
            }
            journal.seal();
            try {
                journal.close();
                if (journal.hasGap()) failure = addTo(failure, gapOf(journal));
            } catch (IOException e) {
                failure = addTo(failure, e);
            }
            if (failure == null && uncoveredGap != null) failure = uncoveredGap;
            if (failure != null) throw failure;
        } finally {
            maintenanceLock.unlock();
            releaseLock();
        }
    }

    private static IOException addTo(IOException first, IOException next) {
        if (first == null) return next;
        first.addSuppressed(next);
        return first;
    }

    private void releaseLock() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
