package dev.sekisho.state.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The greylist triplets, held without an object per entry: a triplet table of an MX grows by millions of keys that
 * each live for days, and as objects (a map node, a String, its bytes and a state record) every one of them was
 * copied by the young collections that promoted it, which paused the policy server for tens of milliseconds every
 * second or two under a flood of new triplets.
 *
 * <p>Here the keys are UTF-8 bytes appended to fixed-size chunks per segment, and the states sit in the slots of an
 * open-addressed index, one array of longs (linear probing, deletion by backward shift, so no tombstones). A collector never
 * looks inside primitive arrays, so holding a million triplets costs it nothing per triplet. A growing segment adds
 * chunks and copies no key (one growing array per segment, copied at each growth, was 3 % of the server's CPU
 * under a flood of new triplets); space a removed key leaves is reclaimed by compacting the segment's keys once
 * they are mostly garbage.
 *
 * <p>Thread safety: {@value #SEGMENTS} segments, each with its own lock, chosen by the key's hash; every operation on
 * a key runs under its segment's lock, so {@link #compute} is atomic like {@code ConcurrentHashMap.compute}. The hash
 * is SipHash with a random key per table: senders and recipients are chosen by whoever sends the mail, and with an
 * unkeyed or merely seeded hash they can be built to share one hash and turn every insert into a walk over all of them.
 */
final class TripletTable {
    static final int SEGMENTS = 64;
    private static final int SEGMENT_SHIFT = Long.SIZE - Integer.numberOfTrailingZeros(SEGMENTS);
    private static final int INITIAL_SLOTS = 64;
    /** Slots are doubled before more than three quarters of them are used: probe runs stay short. */
    private static final int MAX_LOAD_PERCENT = 75;
    /** Each key's bytes are preceded by their length. */
    private static final int LENGTH_BYTES = Integer.BYTES;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final Segment[] segments = new Segment[SEGMENTS];
    private final ToLongFunction<byte[]> hash;
    /** The entries of all segments: the store reads it on every request that may have to evict, without a lock. */
    private final LongAdder size = new LongAdder();

    /** A table whose hash is keyed from a secure random source. */
    TripletTable() {
        this(SipHash.withRandomKey());
    }

    /** @param hash the hash of a key's UTF-8 bytes; tests pass a poor one to force long probe runs */
    TripletTable(ToLongFunction<byte[]> hash) {
        this.hash = hash;
        for (int i = 0; i < SEGMENTS; i++) segments[i] = new Segment();
    }

    /** The state of {@code key}, dead or alive; null when the table has none. */
    TripletState get(String key) {
        byte[] bytes = utf8(key);
        long h = hash.applyAsLong(bytes);
        Segment segment = segmentFor(h);
        synchronized (segment) {
            int slot = segment.find(bytes, h);
            return slot < 0 ? null : segment.state(slot);
        }
    }

    /**
     * Replaces the state of {@code key} with what {@code remapping} makes of the current one (null when absent),
     * atomically: null removes it. The function runs under the segment's lock, so what it journals is ordered with
     * the change itself.
     *
     * @return the new state, or null when there is none
     */
    TripletState compute(String key, BiFunction<String, TripletState, TripletState> remapping) {
        byte[] bytes = utf8(key);
        long h = hash.applyAsLong(bytes);
        Segment segment = segmentFor(h);
        synchronized (segment) {
            // The lock is reentrant; a remapping that came back in could resize the arrays under this call's slot.
            if (segment.computing) throw new IllegalStateException("recursive update of the triplet table (key " + key + ")");
            segment.computing = true;
            try {
                int slot = segment.find(bytes, h);
                // Room first: the remapping journals its change, so nothing may fail between it and the insert
                // (a triplet journalled but never held would come back at the next start).
                if (slot < 0) segment.makeRoomFor(bytes.length);
                TripletState current = slot < 0 ? null : segment.state(slot);
                TripletState next = remapping.apply(key, current);
                if (next == null) {
                    if (slot >= 0) {
                        segment.remove(slot);
                        size.decrement();
                    }
                } else if (slot >= 0) {
                    if (next != current) segment.set(slot, next);
                } else {
                    segment.insert(bytes, h, next);
                    size.increment();
                }
                return next;
            } finally {
                segment.computing = false;
            }
        }
    }

    void put(String key, TripletState state) {
        compute(key, (k, current) -> state);
    }

    void remove(String key) {
        compute(key, (k, current) -> null);
    }

    /** How many triplets are held, dead or alive (exact when no change is under way). */
    long size() {
        return size.sum();
    }

    /**
     * Removes every triplet dead at {@code nowNanos}, one segment at a time.
     *
     * @return how many were removed
     */
    long removeExpired(long nowNanos) {
        long removed = 0;
        for (Segment segment : segments) {
            synchronized (segment) {
                // Counted under the lock, as compute does: a count that lagged would read as over capacity and evict.
                int removedHere = segment.removeExpired(nowNanos);
                size.add(-removedHere);
                removed += removedHere;
            }
        }
        return removed;
    }

    /**
     * Gives {@code visitor} every triplet alive at {@code nowNanos}. Each segment's entries are copied out under its
     * lock and visited after it is released, so a slow visitor (a snapshot being written) holds up no request.
     */
    void forEachAlive(long nowNanos, AliveTriplets visitor) {
        AliveKeys alive = new AliveKeys();
        for (Segment segment : segments) {
            alive.clear();
            synchronized (segment) {
                segment.collectAlive(nowNanos, alive);
            }
            for (int i = 0, start = 0; i < alive.count; start = alive.ends[i++]) {
                visitor.accept(alive.bytes, start, alive.ends[i] - start, alive.states.get(i));
            }
        }
    }

    /** Visits a live triplet: its key as UTF-8 bytes, {@code key[offset, offset+length)}, valid during the call only. */
    @FunctionalInterface
    interface AliveTriplets {
        void accept(byte[] key, int offset, int length, TripletState state);
    }

    /**
     * One segment's live keys, copied out under its lock as the bytes they are kept in: a snapshot of millions of triplets
     * writes those bytes, where a string per key (decoded here, encoded again there) was most of its cost and a burst of
     * garbage for the collector every time.
     */
    private static final class AliveKeys {
        /** The keys one after another; key i ends at {@code ends[i]} and starts where key i-1 ends. */
        byte[] bytes = new byte[64 * 1024];
        int[] ends = new int[1024];
        final List<TripletState> states = new ArrayList<>();
        int count;

        void clear() {
            count = 0;
            states.clear();
        }

        void add(byte[] source, int offset, int length, TripletState state) {
            int start = count == 0 ? 0 : ends[count - 1];
            if (start + length > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, start + length));
            if (count == ends.length) ends = Arrays.copyOf(ends, count * 2);
            System.arraycopy(source, offset, bytes, start, length);
            ends[count++] = start + length;
            states.add(state);
        }
    }

    /** The sampler that eviction uses: it walks the table from where it last stopped. */
    EvictionCandidates evictionCandidates(byte keyType) {
        return new Sampler(keyType);
    }

    private Segment segmentFor(long h) {
        return segments[(int) (h >>> SEGMENT_SHIFT)];
    }

    private static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One lock's share of the table; every method runs with its monitor held.
     *
     * <p>A slot is {@value #STRIDE} longs side by side in one array, so that finding a key and reading or changing its
     * state touch one cache line (and one page) of slots, and then the key's bytes: with the fields in separate arrays
     * a lookup among millions of triplets missed the cache once per array. Per slot:
     * <ol>
     *     <li>{@link #META}: the low half of the key's hash (the segment came from the high half) in the upper 32
     *     bits, for the home slot when growing or shifting and a cheap first comparison; the key's handle in
     *     {@link #keys} plus one in bits 0-30 (never 0 in a used slot, so an empty slot is all zeros); and whether
     *     the triplet passed in bit 31;</li>
     *     <li>{@link #FIRST_SEEN}: when the triplet was first seen, epoch nanoseconds;</li>
     *     <li>{@link #EXPIRES}: when it expires, epoch nanoseconds.</li>
     * </ol>
     */
    private static final class Segment {
        static final int STRIDE = 3;
        static final int META = 0;
        static final int FIRST_SEEN = 1;
        static final int EXPIRES = 2;
        private static final long HANDLE_BITS = 0x7FFF_FFFFL;
        private static final long PASSED_BIT = 0x8000_0000L;

        /** True while a compute on this segment runs its remapping: the lock alone would let it re-enter. */
        boolean computing;
        long[] slots = new long[INITIAL_SLOTS * STRIDE];
        /** How many slots the array holds (a power of two). */
        int capacity = INITIAL_SLOTS;
        int size;
        KeyChunks keys = new KeyChunks();

        int mask() {
            return capacity - 1;
        }

        boolean used(int slot) {
            return slots[slot * STRIDE + META] != 0;
        }

        long expiresAt(int slot) {
            return slots[slot * STRIDE + EXPIRES];
        }

        private static int hashOf(long meta) {
            return (int) (meta >>> 32);
        }

        private static int handleOf(long meta) {
            return (int) (meta & HANDLE_BITS) - 1;
        }

        private static long meta(int hash, int handle, boolean passed) {
            return (long) hash << 32 | (handle + 1L) | (passed ? PASSED_BIT : 0);
        }

        /** @return the key's slot, or -1 */
        int find(byte[] key, long h) {
            int mask = mask();
            for (int slot = (int) h & mask; ; slot = (slot + 1) & mask) {
                long meta = slots[slot * STRIDE + META];
                if (meta == 0) return -1;
                if (hashOf(meta) == (int) h && keys.equals(handleOf(meta), key)) return slot;
            }
        }

        TripletState state(int slot) {
            int at = slot * STRIDE;
            return new TripletState(slots[at + FIRST_SEEN], slots[at + EXPIRES], (slots[at + META] & PASSED_BIT) != 0);
        }

        void set(int slot, TripletState state) {
            int at = slot * STRIDE;
            long meta = slots[at + META];
            slots[at + META] = state.passed() ? meta | PASSED_BIT : meta & ~PASSED_BIT;
            slots[at + FIRST_SEEN] = state.firstSeenNanos();
            slots[at + EXPIRES] = state.expiresAtNanos();
        }

        /** Grows the slots and the key chunks, if need be, so that inserting a key of this length cannot fail. */
        void makeRoomFor(int keyLength) {
            if ((size + 1) * 100L > (long) capacity * MAX_LOAD_PERCENT) resize(capacity * 2);
            keys.makeRoomFor(keyLength);
        }

        void insert(byte[] key, long h, TripletState state) {
            makeRoomFor(key.length);
            int handle = keys.add(key);
            int mask = mask();
            int slot = (int) h & mask;
            while (used(slot)) slot = (slot + 1) & mask;
            int at = slot * STRIDE;
            slots[at + META] = meta((int) h, handle, state.passed());
            slots[at + FIRST_SEEN] = state.firstSeenNanos();
            slots[at + EXPIRES] = state.expiresAtNanos();
            size++;
        }

        /** Backward-shift deletion: later members of the probe run move up so that every run stays unbroken. */
        void remove(int slot) {
            keys.free(handleOf(slots[slot * STRIDE + META]));
            int mask = mask();
            int hole = slot;
            for (int next = (hole + 1) & mask; used(next); next = (next + 1) & mask) {
                int home = hashOf(slots[next * STRIDE + META]) & mask;
                // The entry at next may fill the hole only if its home is not cyclically within (hole, next].
                boolean homeAfterHole = hole <= next ? home > hole && home <= next : home > hole || home <= next;
                if (!homeAfterHole) {
                    System.arraycopy(slots, next * STRIDE, slots, hole * STRIDE, STRIDE);
                    hole = next;
                }
            }
            Arrays.fill(slots, hole * STRIDE, hole * STRIDE + STRIDE, 0L);
            size--;
        }

        int removeExpired(long now) {
            int removed = 0;
            // A removal shifts a later entry into this slot (or an already seen one from the table's start into a
            // slot at its end): look at the same slot again until it holds a live entry or nothing.
            for (int slot = 0; slot < capacity; ) {
                if (used(slot) && expiresAt(slot) <= now) {
                    remove(slot);
                    removed++;
                } else {
                    slot++;
                }
            }
            // A table that held a flood keeps its size until a sweep finds it mostly empty: then both shrink.
            if (size * 100L < (long) capacity * MAX_LOAD_PERCENT / 8 && capacity > INITIAL_SLOTS) {
                resize(Math.max(INITIAL_SLOTS, Integer.highestOneBit(Math.max(1, size)) * 4));
            }
            if (keys.mostlyGarbage()) keys = keys.compacted(this);
            return removed;
        }

        void collectAlive(long now, AliveKeys out) {
            for (int slot = 0; slot < capacity; slot++) {
                if (used(slot) && expiresAt(slot) > now) keys.copyTo(handleAt(slot), state(slot), out);
            }
        }

        /** Tells {@code changes} of the eviction of a used slot's key, given as the bytes the chunks hold it in. */
        void reportEviction(int slot, byte keyType, StateRecords.Sink changes) {
            keys.reportEviction(handleOf(slots[slot * STRIDE + META]), keyType, changes);
        }

        /** The handle of the key in a used slot. */
        int handleAt(int slot) {
            return handleOf(slots[slot * STRIDE + META]);
        }

        /** Points a used slot at its key's new place (compaction). */
        void moveHandle(int slot, int handle) {
            int at = slot * STRIDE + META;
            long meta = slots[at];
            slots[at] = meta((int) (meta >>> 32), handle, (meta & PASSED_BIT) != 0);
        }

        private void resize(int newCapacity) {
            long[] old = slots;
            int oldCapacity = capacity;
            slots = new long[newCapacity * STRIDE];
            capacity = newCapacity;
            int mask = newCapacity - 1;
            for (int from = 0; from < oldCapacity; from++) {
                long meta = old[from * STRIDE + META];
                if (meta == 0) continue;
                int slot = hashOf(meta) & mask;
                while (used(slot)) slot = (slot + 1) & mask;
                System.arraycopy(old, from * STRIDE, slots, slot * STRIDE, STRIDE);
            }
        }
    }

    /**
     * One segment's keys: each as its length then its UTF-8 bytes, appended to chunks of {@value #CHUNK_BYTES} bytes
     * (a longer key gets a chunk of its own). A key's handle is its chunk's index and its position in the chunk.
     * Bytes of removed keys stay until {@link #compacted}.
     */
    private static final class KeyChunks {
        static final int CHUNK_BITS = 14;
        static final int CHUNK_BYTES = 1 << CHUNK_BITS;
        /** Handles plus one must stay positive ints: 2 GiB of keys per segment. */
        static final int MAX_CHUNKS = (1 << (Integer.SIZE - 1 - CHUNK_BITS)) - 1;

        private byte[][] chunks = new byte[4][];
        private int count;
        /** Where the next key goes in the last chunk. */
        private int tail = CHUNK_BYTES;
        private long usedBytes;
        private long garbageBytes;

        /** @return the key's handle */
        int add(byte[] key) {
            return add(key, 0, key.length);
        }

        /** Ensures the current chunk takes a key of this length (called again for the same key, it adds nothing). */
        void makeRoomFor(int length) {
            int needed = LENGTH_BYTES + length;
            if (!fits(needed)) newChunk(Math.max(CHUNK_BYTES, needed));
        }

        /**
         * Whether {@code needed} bytes go at {@code tail} of the last chunk. Keys start below CHUNK_BYTES (a handle's
         * offset bits); a key longer than a chunk goes alone at the start of one made to its size.
         */
        private boolean fits(int needed) {
            if (count == 0 || tail >= CHUNK_BYTES) return false;
            return tail + needed <= CHUNK_BYTES || tail == 0 && needed <= chunks[count - 1].length;
        }

        private int add(byte[] source, int from, int length) {
            int needed = LENGTH_BYTES + length;
            makeRoomFor(length);
            int index = count - 1;
            byte[] chunk = chunks[index];
            int at = tail;
            INT_LE.set(chunk, at, length);
            System.arraycopy(source, from, chunk, at + LENGTH_BYTES, length);
            // A key longer than a chunk fills its own chunk: the next key starts another.
            tail = needed > CHUNK_BYTES ? CHUNK_BYTES : at + needed;
            usedBytes += needed;
            return index << CHUNK_BITS | at;
        }

        private void newChunk(int bytes) {
            if (count == MAX_CHUNKS) throw new IllegalStateException("a segment of the triplet table is full (2 GiB of keys)");
            if (count == chunks.length) chunks = Arrays.copyOf(chunks, Math.min(MAX_CHUNKS, count * 2));
            chunks[count++] = new byte[bytes];
            tail = 0;
        }

        boolean equals(int handle, byte[] key) {
            byte[] chunk = chunks[handle >>> CHUNK_BITS];
            int at = handle & (CHUNK_BYTES - 1);
            int from = at + LENGTH_BYTES;
            return (int) INT_LE.get(chunk, at) == key.length && Arrays.equals(chunk, from, from + key.length, key, 0, key.length);
        }

        void reportEviction(int handle, byte keyType, StateRecords.Sink changes) {
            byte[] chunk = chunks[handle >>> CHUNK_BITS];
            int at = handle & (CHUNK_BYTES - 1);
            changes.evicted(keyType, chunk, at + LENGTH_BYTES, (int) INT_LE.get(chunk, at));
        }

        void copyTo(int handle, TripletState state, AliveKeys out) {
            byte[] chunk = chunks[handle >>> CHUNK_BITS];
            int at = handle & (CHUNK_BYTES - 1);
            out.add(chunk, at + LENGTH_BYTES, (int) INT_LE.get(chunk, at), state);
        }

        void free(int handle) {
            garbageBytes += LENGTH_BYTES + (int) INT_LE.get(chunks[handle >>> CHUNK_BITS], handle & (CHUNK_BYTES - 1));
        }

        boolean mostlyGarbage() {
            return garbageBytes > CHUNK_BYTES && garbageBytes > usedBytes / 2;
        }

        /** The live keys of {@code segment} copied into fresh chunks, slot by slot; its slots are pointed at them. */
        KeyChunks compacted(Segment segment) {
            KeyChunks fresh = new KeyChunks();
            for (int slot = 0; slot < segment.capacity; slot++) {
                if (!segment.used(slot)) continue;
                int handle = segment.handleAt(slot);
                byte[] chunk = chunks[handle >>> CHUNK_BITS];
                int at = handle & (CHUNK_BYTES - 1);
                int length = (int) INT_LE.get(chunk, at);
                segment.moveHandle(slot, fresh.add(chunk, at + LENGTH_BYTES, length));
            }
            return fresh;
        }
    }

    /**
     * Walks the table's slots with a cursor that persists across evictions, so that successive samples move through
     * the table instead of rescanning its start. Used under the store's eviction lock only.
     */
    private final class Sampler implements EvictionCandidates {
        private final byte keyType;
        private int segmentIndex;
        private int slotIndex;
        /**
         * Where the candidate was, and what it held: its key is decoded only if it is evicted (reading the keys of
         * every better sample, each somewhere else in the heap, was most of eviction's cost).
         */
        private Segment candidateSegment;
        private int candidateSlot;
        private int candidateHandle;
        private TripletState candidate;

        Sampler(byte keyType) {
            this.keyType = keyType;
        }

        @Override
        public boolean sample(int count) {
            candidateSegment = null;
            candidate = null;
            int seen = 0;
            // At most one full pass: an empty table yields no candidate.
            for (int segmentsVisited = 0; seen < count && segmentsVisited <= SEGMENTS; ) {
                Segment segment = segments[segmentIndex];
                synchronized (segment) {
                    for (; slotIndex < segment.capacity && seen < count; slotIndex++) {
                        if (!segment.used(slotIndex)) continue;
                        seen++;
                        if (candidate == null || segment.expiresAt(slotIndex) < candidate.expiresAtNanos()) {
                            candidateSegment = segment;
                            candidateSlot = slotIndex;
                            candidateHandle = segment.handleAt(slotIndex);
                            candidate = segment.state(slotIndex);
                        }
                    }
                    if (slotIndex < segment.capacity) break;
                }
                slotIndex = 0;
                segmentIndex = (segmentIndex + 1) % SEGMENTS;
                segmentsVisited++;
            }
            return candidate != null;
        }

        @Override
        public long candidateExpiry() {
            return candidate.expiresAtNanos();
        }

        /**
         * Removes the candidate if its slot still holds the key and state sampled. The removal of a triplet that passed
         * is journaled under the segment's lock, so that a concurrent update of the key is journaled either before it
         * (and evicted with it) or after it (and kept): a restart then holds what memory held. A candidate that moved
         * meanwhile (a removal shifted it, a resize or compaction moved it) or changed is kept; the store samples again.
         *
         * <p>The removal of a triplet that never passed is not journaled. It holds no more than a first attempt's time,
         * and under a flood of new triplets, where every insert evicts one, reading its key back for the record was a
         * cache miss per request: the key was written long before (most of eviction's cost, docs/benchmarks.md,
         * session 22). A restart may bring it back from the journal; the store evicts while it replays, so the
         * capacity holds, and a triplet back from the journal only lets its retry pass as a larger capacity would have.
         */
        @Override
        public boolean evictCandidate(StateRecords.Sink changes) {
            Segment segment = candidateSegment;
            synchronized (segment) {
                if (segment.computing) throw new IllegalStateException("eviction from inside an update of the triplet table");
                int slot = candidateSlot;
                if (slot >= segment.capacity || !segment.used(slot) || segment.handleAt(slot) != candidateHandle
                        || !candidate.equals(segment.state(slot))) {
                    return false;
                }
                if (candidate.passed()) segment.reportEviction(slot, keyType, changes);
                segment.remove(slot);
                size.decrement();
                return true;
            }
        }
    }
}
