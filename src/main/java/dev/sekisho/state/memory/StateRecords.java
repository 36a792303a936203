package dev.sekisho.state.memory;

import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.state.RateWindow;

import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.CRC32C;

/**
 * The binary records of the journal and the snapshot. Each record is a frame
 * {@code [payload length: int][CRC-32C of payload: int][payload]}; the payload starts with a type
 * byte. Every record carries the whole new state of one key (not a delta), so replaying a record
 * twice, or replaying it over a snapshot that already holds a newer value of the key, ends in the
 * same state as the last record: that is what lets snapshots be taken while writes continue.
 */
final class StateRecords {
    static final byte RATE = 1;
    static final byte TRIPLET = 2;
    static final byte CLIENT = 3;
    static final byte RESTRICTION = 4;
    static final byte RESTRICTION_REMOVED = 5;
    static final byte SNAPSHOT_HEADER = 6;
    static final byte SNAPSHOT_END = 7;
    /** A key removed while live because the store was over its capacity; names the map by its record type. */
    static final byte KEY_EVICTED = 8;
    /** A sliding-window tally: its window and every member with the time it was last seen. */
    static final byte TALLY = 9;
    /** A small record of named fields (per-account settings), whole; none left: the record is gone. */
    static final byte FIELDS = 10;
    /**
     * A bounded list (recent logins), whole, newest first, as written before lists expired; none left: the list
     * is gone. Still read (recovery gives it {@link #UNKNOWN_EXPIRY}), no longer written.
     */
    static final byte LIST = 11;
    /** A bounded list, whole, newest first, with the epoch nanoseconds it expires at; none left: the list is gone. */
    static final byte EXPIRING_LIST = 12;
    /**
     * Records of one {@code StateStore.atomically} unit, in the order they were made, in one frame: its checksum
     * covers them all, so recovery replays every one of them or, from a torn frame, none. Payload: the count, then
     * each record's payload (without a frame of its own) after its length. Never nested; never in a snapshot.
     */
    static final byte BATCH = 13;
    /** Most records a batch decoder accepts; a unit that made more is journaled record by record. */
    static final int MAX_BATCH_RECORDS = 1 << 16;
    /** The expiry a {@link #LIST} record decodes with: it carried none; the reader decides (see MemoryStateStore). */
    static final long UNKNOWN_EXPIRY = Long.MIN_VALUE;
    /** Most fields in a record or entries in a list a decoder accepts. */
    static final int MAX_ELEMENTS = 4096;

    static final int FRAME_HEADER_BYTES = 8;
    /** A larger length can only be garbage: no key or restriction comes near it. */
    static final int MAX_PAYLOAD_BYTES = 1 << 20;

    private StateRecords() {
    }

    /** Receives decoded records. */
    interface Sink {
        void rate(String key, RateWindow[] windows, long[] tats);

        void triplet(String key, TripletState state);

        /** A triplet whose key is given as its UTF-8 bytes, {@code key[offset, offset+length)}: a snapshot copies them as they are. */
        default void triplet(byte[] key, int offset, int length, TripletState state) {
            triplet(new String(key, offset, length, StandardCharsets.UTF_8), state);
        }

        void client(String key, ClientState state);

        void tally(String key, TallyCell cell);

        void restriction(Restriction restriction);

        /** @param fields the whole record; empty when it was removed */
        void fields(String key, java.util.Map<String, String> fields);

        /**
         * @param entries        the whole list, newest first; empty when it was removed
         * @param expiresAtNanos epoch nanoseconds the list expires at; {@link #UNKNOWN_EXPIRY} from an old {@link #LIST} record
         */
        void list(String key, java.util.List<String> entries, long expiresAtNanos);

        void restrictionRemoved(String id);

        /**
         * @param keyType {@link #RATE}, {@link #TRIPLET}, {@link #CLIENT}, {@link #TALLY} or {@link #EXPIRING_LIST}:
         *                the map the key left (for capacity, or a tally forgotten on purpose)
         */
        void evicted(byte keyType, String key);

        /** The same, the key given as its UTF-8 bytes {@code key[offset, offset+length)}: the triplet table keeps them so. */
        default void evicted(byte keyType, byte[] key, int offset, int length) {
            evicted(keyType, new String(key, offset, length, StandardCharsets.UTF_8));
        }
    }

    /** A sink that keeps nothing: where changes go without a journal, and a base for sinks that want only some records. */
    static class IgnoringSink implements Sink {
        @Override
        public void rate(String key, RateWindow[] windows, long[] tats) {
        }

        @Override
        public void triplet(String key, TripletState state) {
        }

        @Override
        public void client(String key, ClientState state) {
        }

        @Override
        public void tally(String key, TallyCell cell) {
        }

        @Override
        public void restriction(Restriction restriction) {
        }

        @Override
        public void fields(String key, java.util.Map<String, String> fields) {
        }

        @Override
        public void list(String key, java.util.List<String> entries, long expiresAtNanos) {
        }

        @Override
        public void restrictionRemoved(String id) {
        }

        @Override
        public void evicted(byte keyType, String key) {
        }

        @Override
        public void evicted(byte keyType, byte[] key, int offset, int length) {
        }
    }

    /** A record whose CRC matched but whose content does not parse: a bug or a foreign file, never a torn write. */
    static final class MalformedRecordException extends Exception {
        MalformedRecordException(String message) {
            super(message);
        }
    }

    /** Encodes one frame at a time into a reused buffer. Not thread safe: its owner serialises use. */
    static final class Encoder {
        private final CRC32C crc = new CRC32C();
        private ByteBuffer buffer = ByteBuffer.allocate(256);

        ByteBuffer rate(String key, RateWindow[] windows, long[] tats) {
            begin(RATE);
            putString(key);
            ensure(4 + windows.length * 24);
            buffer.putInt(windows.length);
            for (int i = 0; i < windows.length; i++) {
                buffer.putLong(windows[i].limit());
                buffer.putLong(windows[i].period().toNanos());
                buffer.putLong(tats[i]);
            }
            return end();
        }

        ByteBuffer triplet(String key, TripletState state) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            return triplet(bytes, 0, bytes.length, state);
        }

        /** The same record from the key's UTF-8 bytes, {@code key[offset, offset+length)}. */
        ByteBuffer triplet(byte[] key, int offset, int length, TripletState state) {
            begin(TRIPLET);
            putUtf8(key, offset, length);
            ensure(17);
            buffer.putLong(state.firstSeenNanos());
            buffer.putLong(state.expiresAtNanos());
            buffer.put((byte) (state.passed() ? 1 : 0));
            return end();
        }

        ByteBuffer client(String key, ClientState state) {
            begin(CLIENT);
            putString(key);
            ensure(16);
            buffer.putLong(state.passes());
            buffer.putLong(state.expiresAtNanos());
            return end();
        }

        ByteBuffer tally(String key, TallyCell cell) {
            begin(TALLY);
            putString(key);
            ensure(12);
            buffer.putLong(cell.windowNanos());
            buffer.putInt(cell.size());
            for (int i = 0; i < cell.size(); i++) {
                String member = cell.member(i);
                ensure(9);
                buffer.put((byte) (member == null ? 0 : 1));
                if (member != null) putString(member);
                ensure(8);
                buffer.putLong(cell.seen(i));
            }
            return end();
        }

        ByteBuffer restriction(Restriction r) {
            begin(RESTRICTION);
            putString(r.id());
            putString(r.subject().kind().name());
            putString(r.subject().value());
            putString(r.reason());
            putString(r.imposedBy());
            putString(r.evidence());
            putInstant(r.createdAt());
            putInstant(r.expiresAt());
            ensure(1);
            buffer.put((byte) (r.liftedAt() == null ? 0 : 1));
            if (r.liftedAt() != null) putInstant(r.liftedAt());
            putString(r.liftedBy());
            return end();
        }

        ByteBuffer fields(String key, java.util.Map<String, String> fields) {
            begin(FIELDS);
            putString(key);
            ensure(4);
            buffer.putInt(fields.size());
            for (var field : fields.entrySet()) {
                putString(field.getKey());
                putString(field.getValue());
            }
            return end();
        }

        ByteBuffer list(String key, java.util.List<String> entries, long expiresAtNanos) {
            begin(EXPIRING_LIST);
            putString(key);
            ensure(12);
            buffer.putLong(expiresAtNanos);
            buffer.putInt(entries.size());
            for (String entry : entries) putString(entry);
            return end();
        }

        ByteBuffer restrictionRemoved(String id) {
            begin(RESTRICTION_REMOVED);
            putString(id);
            return end();
        }

        ByteBuffer evicted(byte keyType, String key) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            return evicted(keyType, bytes, 0, bytes.length);
        }

        /** The same record from the key's UTF-8 bytes, {@code key[offset, offset+length)}. */
        ByteBuffer evicted(byte keyType, byte[] key, int offset, int length) {
            begin(KEY_EVICTED);
            ensure(1);
            buffer.put(keyType);
            putUtf8(key, offset, length);
            return end();
        }

        /**
         * @param records {@code count} payloads, each after its length as an int, {@code length} bytes in all
         */
        ByteBuffer batch(int count, byte[] records, int length) {
            begin(BATCH);
            ensure(4 + length);
            buffer.putInt(count);
            buffer.put(records, 0, length);
            return end();
        }

        ByteBuffer snapshotHeader(long journalSequence, Instant writtenAt) {
            begin(SNAPSHOT_HEADER);
            ensure(8);
            buffer.putLong(journalSequence);
            putInstant(writtenAt);
            return end();
        }

        ByteBuffer snapshotEnd(long recordCount) {
            begin(SNAPSHOT_END);
            ensure(8);
            buffer.putLong(recordCount);
            return end();
        }

        private void begin(byte type) {
            buffer.clear();
            buffer.position(FRAME_HEADER_BYTES);
            buffer.put(type);
        }

        private ByteBuffer end() {
            int length = buffer.position() - FRAME_HEADER_BYTES;
            if (length > MAX_PAYLOAD_BYTES) throw new IllegalArgumentException("state record of " + length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
            crc.reset();
            crc.update(buffer.array(), FRAME_HEADER_BYTES, length);
            buffer.putInt(0, length);
            buffer.putInt(4, (int) crc.getValue());
            buffer.flip();
            return buffer;
        }

        private void putString(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            putUtf8(bytes, 0, bytes.length);
        }

        private void putUtf8(byte[] bytes, int offset, int length) {
            ensure(4 + length);
            buffer.putInt(length);
            buffer.put(bytes, offset, length);
        }

        private void putInstant(Instant instant) {
            ensure(12);
            buffer.putLong(instant.getEpochSecond());
            buffer.putInt(instant.getNano());
        }

        private void ensure(int more) {
            if (buffer.remaining() >= more) return;
            ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
            buffer.flip();
            larger.put(buffer);
            buffer = larger;
        }
    }

    /** Reads frames from a stream and verifies them. */
    static final class FrameReader {
        private final InputStream in;
        private final CRC32C crc = new CRC32C();
        private final byte[] header = new byte[FRAME_HEADER_BYTES];
        private long offset;

        FrameReader(InputStream in, long startOffset) {
            this.in = in;
            this.offset = startOffset;
        }

        /** Offset just past the last frame returned: where a good prefix ends. */
        long offset() {
            return offset;
        }

        /**
         * @return the next payload, or null at a clean end of the stream
         * @throws BadFrameException when the frame is cut short or fails its checksum
         */
        byte[] next() throws IOException, BadFrameException {
            int got = in.readNBytes(header, 0, FRAME_HEADER_BYTES);
            if (got == 0) return null;
            if (got < FRAME_HEADER_BYTES) throw new BadFrameException("frame header cut short (" + got + " of 8 bytes)");
            ByteBuffer h = ByteBuffer.wrap(header);
            int length = h.getInt();
            int expectedCrc = h.getInt();
            if (length <= 0 || length > MAX_PAYLOAD_BYTES) throw new BadFrameException("impossible record length " + length);
            byte[] payload = in.readNBytes(length);
            if (payload.length < length) throw new BadFrameException("record cut short (" + payload.length + " of " + length + " bytes)");
            crc.reset();
            crc.update(payload);
            if ((int) crc.getValue() != expectedCrc) throw new BadFrameException("checksum mismatch");
            offset += FRAME_HEADER_BYTES + length;
            return payload;
        }
    }

    static final class BadFrameException extends Exception {
        BadFrameException(String message) {
            super(message);
        }
    }

    /** The type byte of a verified payload. */
    static byte typeOf(byte[] payload) {
        return payload[0];
    }

    /** Applies one state record (not snapshot framing records) to the sink. */
    static void decode(byte[] payload, Sink sink) throws MalformedRecordException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        try {
            byte type = in.get();
            switch (type) {
                case RATE -> {
                    String key = getString(in);
                    int n = in.getInt();
                    if (n <= 0 || n > 1024) throw new MalformedRecordException("rate record with " + n + " windows");
                    RateWindow[] windows = new RateWindow[n];
                    long[] tats = new long[n];
                    for (int i = 0; i < n; i++) {
                        windows[i] = new RateWindow(in.getLong(), Duration.ofNanos(in.getLong()));
                        tats[i] = in.getLong();
                    }
                    sink.rate(key, windows, tats);
                }
                case TRIPLET -> sink.triplet(getString(in), new TripletState(in.getLong(), in.getLong(), in.get() != 0));
                case CLIENT -> sink.client(getString(in), new ClientState(in.getLong(), in.getLong()));
                case TALLY -> {
                    String key = getString(in);
                    long window = in.getLong();
                    int n = in.getInt();
                    if (n < 0 || n > dev.sekisho.state.TallyRequest.MAX_CAP) throw new MalformedRecordException("tally record with " + n + " members");
                    String[] members = new String[n];
                    long[] seen = new long[n];
                    for (int i = 0; i < n; i++) {
                        members[i] = in.get() != 0 ? getString(in) : null;
                        seen[i] = in.getLong();
                    }
                    sink.tally(key, new TallyCell(window, members, seen));
                }
                case RESTRICTION -> {
                    String id = getString(in);
                    Subject subject = new Subject(Subject.Kind.valueOf(getString(in)), getString(in));
                    String reason = getString(in);
                    String imposedBy = getString(in);
                    String evidence = getString(in);
                    Instant createdAt = getInstant(in);
                    Instant expiresAt = getInstant(in);
                    Instant liftedAt = in.get() != 0 ? getInstant(in) : null;
                    String liftedBy = getString(in);
                    sink.restriction(new Restriction(id, subject, reason, imposedBy, evidence, createdAt, expiresAt, liftedAt, liftedBy));
                }
                case FIELDS -> {
                    String key = getString(in);
                    int n = in.getInt();
                    if (n < 0 || n > MAX_ELEMENTS) throw new MalformedRecordException("record with " + n + " fields");
                    java.util.Map<String, String> fields = new java.util.TreeMap<>();
                    for (int i = 0; i < n; i++) fields.put(getString(in), getString(in));
                    sink.fields(key, java.util.Collections.unmodifiableMap(fields));
                }
                case LIST, EXPIRING_LIST -> {
                    String key = getString(in);
                    long expiresAt = type == EXPIRING_LIST ? in.getLong() : UNKNOWN_EXPIRY;
                    if (type == EXPIRING_LIST && expiresAt == UNKNOWN_EXPIRY) throw new MalformedRecordException("list with an impossible expiry");
                    int n = in.getInt();
                    if (n < 0 || n > MAX_ELEMENTS) throw new MalformedRecordException("list with " + n + " entries");
                    java.util.List<String> entries = new java.util.ArrayList<>(n);
                    for (int i = 0; i < n; i++) entries.add(getString(in));
                    sink.list(key, java.util.List.copyOf(entries), expiresAt);
                }
                case RESTRICTION_REMOVED -> sink.restrictionRemoved(getString(in));
                case BATCH -> {
                    int n = in.getInt();
                    if (n <= 0 || n > MAX_BATCH_RECORDS) throw new MalformedRecordException("batch of " + n + " records");
                    // Split and check the framing first: a batch that does not parse applies none of its records.
                    byte[][] records = new byte[n][];
                    for (int i = 0; i < n; i++) {
                        int length = in.getInt();
                        if (length <= 0 || length > in.remaining()) throw new MalformedRecordException("batch record of " + length + " bytes");
                        records[i] = new byte[length];
                        in.get(records[i]);
                        byte inner = records[i][0];
                        if (inner == BATCH || inner == SNAPSHOT_HEADER || inner == SNAPSHOT_END) {
                            throw new MalformedRecordException("record of type " + inner + " inside a batch");
                        }
                    }
                    for (byte[] record : records) decode(record, sink);
                }
                case KEY_EVICTED -> {
                    byte keyType = in.get();
                    if (keyType != RATE && keyType != TRIPLET && keyType != CLIENT && keyType != TALLY && keyType != EXPIRING_LIST) {
                        throw new MalformedRecordException("eviction from unknown map " + keyType);
                    }
                    sink.evicted(keyType, getString(in));
                }
                default -> throw new MalformedRecordException("unknown record type " + type);
            }
            if (in.hasRemaining()) throw new MalformedRecordException(in.remaining() + " unexpected bytes after a record of type " + type);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MalformedRecordException("record does not parse: " + e);
        }
    }

    static long snapshotHeaderSequence(byte[] payload) throws MalformedRecordException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        try {
            if (in.get() != SNAPSHOT_HEADER) throw new MalformedRecordException("snapshot does not start with its header record");
            return in.getLong();
        } catch (BufferUnderflowException e) {
            throw new MalformedRecordException("snapshot header too short");
        }
    }

    static long snapshotEndCount(byte[] payload) throws MalformedRecordException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        try {
            in.get();
            return in.getLong();
        } catch (BufferUnderflowException e) {
            throw new MalformedRecordException("snapshot end record too short");
        }
    }

    private static String getString(ByteBuffer in) throws MalformedRecordException {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) throw new MalformedRecordException("string length " + length + " exceeds the record");
        String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    private static Instant getInstant(ByteBuffer in) {
        return Instant.ofEpochSecond(in.getLong(), in.getInt());
    }
}
