package dev.sekisho.state.memory;

import dev.sekisho.engine.Restriction;
import dev.sekisho.state.RateWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Where a store with a data directory sends its changes: straight to the journal, except on the thread running an
 * atomic unit ({@code StateStore.atomically}), whose records are collected and appended at the unit's end as one
 * {@link StateRecords#BATCH} record, so that recovery replays all of them or none.
 *
 * <p>Ordering. Journal records carry whole key states, and replay keeps the last one per key, so a key's records
 * must reach the journal in the order its states were made (one call appends inside the key's lock for that). A unit
 * defers its records, so it must not interleave with another writer of its keys:
 * <ul>
 *     <li>Units run one at a time (this lock is held from a unit's start until its batch is appended), so two units
 *     never interleave, and one that read a state another unit made appends after it.</li>
 *     <li>A snapshot is taken under the same lock ({@link #exclusive}), so it never holds a unit's changes without
 *     the rest of them.</li>
 *     <li>Writers outside units append at once, as before. The store's users write the keys a unit writes (login
 *     counters, recent logins, lifts of restrictions, log positions) in units too, or from the unit's own thread
 *     only (a log position between lines). What remains is eviction: a key evicted while a unit that changed it is
 *     open may come back after a restart; capacity is a soft bound, and it is evicted again. (A sweep removes only
 *     what expired, which replay drops too.) An eviction a unit's own call makes is appended at once, not with the
 *     unit (see {@link #evicted}).</li>
 * </ul>
 * The policy server's hot path (rates, greylisting) never opens a unit and never takes this lock; only the routing
 * check (is this thread in a unit?) is added to each of its records.
 */
final class JournalBatches implements StateRecords.Sink {
    private static final Logger log = LoggerFactory.getLogger(JournalBatches.class);

    private final DataDirectory journal;
    /** Held by the thread running a unit, and by a snapshot; reentrant: nested units join the outer one. */
    private final ReentrantLock lock = new ReentrantLock();
    private final StateRecords.Encoder encoder = new StateRecords.Encoder();
    /** Guarded by {@link #lock}: how deep the current unit is nested; 0 outside units. */
    private int depth;
    /** Guarded by {@link #lock}: the collected records, each a payload after its length. */
    private byte[] records = new byte[1024];
    private int length;
    private int count;
    /** Guarded by {@link #lock}: a call inside the current unit asked for a flush, which waits for the unit's end. */
    private boolean flushAtEnd;

    JournalBatches(DataDirectory journal) {
        this.journal = journal;
    }

    /** Runs {@code work} as one unit, or as part of the unit this thread is running already. */
    <T> T atomically(Supplier<T> work) {
        lock.lock();
        try {
            depth++;
            T result;
            try {
                result = work.get();
            } catch (RuntimeException | Error failed) {
                // The changes happened in memory whatever the work threw: journal them, or a restart would differ.
                if (--depth == 0) {
                    try {
                        appendCollected();
                    } catch (RuntimeException alsoFailed) {
                        failed.addSuppressed(alsoFailed); // the work's own failure is the one to tell
                    }
                }
                throw failed;
            }
            if (--depth == 0) appendCollected();
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code task} while no unit is open (a snapshot must not see a unit half done). */
    void exclusive(Runnable task) {
        lock.lock();
        try {
            if (depth > 0) throw new IllegalStateException("a snapshot cannot be taken inside an atomic unit");
            task.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the journal's pending records to its file (see {@link DataDirectory#flush()}). Inside a unit the unit's
     * records are not appended yet, so the flush is made at the unit's end, after them.
     */
    void flush() {
        if (collecting()) {
            flushAtEnd = true;
            return;
        }
        journal.flush();
    }

    /** Appends the unit's records as one, then makes the flush a call inside the unit asked for. */
    private void appendCollected() {
        try {
            appendBatch();
        } finally {
            if (flushAtEnd) {
                flushAtEnd = false;
                journal.flush();
            }
        }
    }

    private void appendBatch() {
        if (count == 0) return;
        try {
            if (count <= StateRecords.MAX_BATCH_RECORDS && length + 5 <= StateRecords.MAX_PAYLOAD_BYTES) {
                journal.batch(count, records, length);
            } else {
                log.warn("an atomic unit made {} state records ({} bytes), more than one journal record holds: journaled one by one, "
                        + "so a crash while they are written may keep some of them", count, length);
                ByteBuffer in = ByteBuffer.wrap(records, 0, length);
                while (in.hasRemaining()) {
                    byte[] payload = new byte[in.getInt()];
                    in.get(payload);
                    StateRecords.decode(payload, journal);
                }
            }
        } catch (StateRecords.MalformedRecordException e) {
            throw new IllegalStateException("a state record this store encoded does not decode", e);
        } finally {
            length = 0;
            count = 0;
            if (records.length > 1 << 16) records = new byte[1024]; // a rare large unit does not pin its buffer
        }
    }

    /** True on the thread running a unit: its records wait for the unit's end. */
    private boolean collecting() {
        return lock.isHeldByCurrentThread() && depth > 0;
    }

    private void collect(ByteBuffer frame) {
        int payload = frame.remaining() - StateRecords.FRAME_HEADER_BYTES;
        if (records.length - length < 4 + payload) records = Arrays.copyOf(records, Math.max(records.length * 2, length + 4 + payload));
        ByteBuffer.wrap(records, length, 4).putInt(payload);
        System.arraycopy(frame.array(), frame.position() + StateRecords.FRAME_HEADER_BYTES, records, length + 4, payload);
        length += 4 + payload;
        count++;
    }

    @Override
    public void rate(String key, RateWindow[] windows, long[] tats) {
        if (collecting()) collect(encoder.rate(key, windows, tats));
        else journal.rate(key, windows, tats);
    }

    @Override
    public void triplet(String key, TripletState state) {
        if (collecting()) collect(encoder.triplet(key, state));
        else journal.triplet(key, state);
    }

    @Override
    public void client(String key, ClientState state) {
        if (collecting()) collect(encoder.client(key, state));
        else journal.client(key, state);
    }

    @Override
    public void tally(String key, TallyCell cell) {
        if (collecting()) collect(encoder.tally(key, cell));
        else journal.tally(key, cell);
    }

    @Override
    public void restriction(Restriction restriction) {
        if (collecting()) collect(encoder.restriction(restriction));
        else journal.restriction(restriction);
    }

    @Override
    public void fields(String key, Map<String, String> fields) {
        if (collecting()) collect(encoder.fields(key, fields));
        else journal.fields(key, fields);
    }

    @Override
    public void list(String key, List<String> entries, long expiresAtNanos) {
        if (collecting()) collect(encoder.list(key, entries, expiresAtNanos));
        else journal.list(key, entries, expiresAtNanos);
    }

    @Override
    public void restrictionRemoved(String id) {
        if (collecting()) collect(encoder.restrictionRemoved(id));
        else journal.restrictionRemoved(id);
    }

    @Override
    public void evicted(byte keyType, String key) {
        // Not part of the unit: an eviction is appended under the evicted key's lock, at once, so that a policy
        // thread that makes the key again afterwards appends after it. Collected, it would land after that write at
        // the unit's end, and a restart would drop the key (a rate window or a triplet) that was alive.
        journal.evicted(keyType, key);
    }

    @Override
    public void evicted(byte keyType, byte[] key, int offset, int length) {
        journal.evicted(keyType, key, offset, length); // appended at once, as above
    }
}
