package dev.sekisho.postfix;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request's attributes as an immutable map: the names Postfix sends sit in fixed slots, so
 * reading a request builds no hash table and looking up a known name costs an array index.
 * Attributes this server does not know follow in arrival order. Built by {@link Builder}.
 *
 * <p>The values of known names are kept as the bytes that arrived, all in one array, and decoded
 * (UTF-8) the first time they are read: Postfix sends about thirty attributes and a decision
 * reads about ten, so most values never become strings.
 */
final class PolicyAttributes extends AbstractMap<String, String> {

    /** The known names in slot order. */
    private static final String[] NAMES = PolicyRequest.KNOWN_ATTRIBUTES.stream().sorted().toArray(String[]::new);
    private static final Map<String, Integer> SLOTS = slots();
    /** Known names as bytes, by length, so that the reader compares a line's name with one or two candidates. */
    private static final int[][] SLOTS_BY_LENGTH = slotsByLength();
    private static final byte[][] NAME_BYTES = Arrays.stream(NAMES).map(n -> n.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    /** By slot: the value once decoded (racy but idempotent: a String is safe to publish so). */
    private final String[] known;
    /** By slot: where the value's bytes start in {@link #bytes}, {@link #ABSENT} when not sent, {@link #DECODED} when given as a string. */
    private final int[] starts;
    private final int[] lengths;
    private final byte[] bytes;
    private final String[] otherNames;  // names this server does not know, in arrival order
    private final String[] otherValues;
    private final int size;
    private Set<Entry<String, String>> entries; // built on first use (explain, tests), racy but idempotent

    private static final int ABSENT = -1;
    private static final int DECODED = -2;

    private PolicyAttributes(String[] known, int[] starts, int[] lengths, byte[] bytes, String[] otherNames,
                             String[] otherValues, int size) {
        this.known = known;
        this.starts = starts;
        this.lengths = lengths;
        this.bytes = bytes;
        this.otherNames = otherNames;
        this.otherValues = otherValues;
        this.size = size;
    }

    /** The value in a known slot, decoded on first use; null when not sent. */
    private String known(int slot) {
        String value = known[slot];
        if (value != null) return value;
        int start = starts[slot];
        if (start < 0) return null; // ABSENT (DECODED always has its string)
        int length = lengths[slot];
        value = length == 0 ? "" : new String(bytes, start, length, StandardCharsets.UTF_8);
        known[slot] = value;
        return value;
    }

    /** The slot of the known name spelled by {@code bytes[start, start+length)}, or -1: no string and no hash lookup per line. */
    static int knownSlot(byte[] bytes, int start, int length) {
        if (length >= SLOTS_BY_LENGTH.length) return -1;
        for (int slot : SLOTS_BY_LENGTH[length]) {
            if (Arrays.equals(NAME_BYTES[slot], 0, length, bytes, start, start + length)) return slot;
        }
        return -1;
    }

    /**
     * Eight bytes of an array at a time, little-endian: here and for the decoder's searches. Declared before the tables
     * built with it: static fields are set in this order.
     */
    static final VarHandle EIGHT_BYTES = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Known names followed by '=', as the line starts that spell them: "sender=". */
    private static final byte[][] NAME_EQUALS = Arrays.stream(NAMES).map(n -> (n + "=").getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    /** By slot, {@link #NAME_EQUALS} read eight bytes at a time, the last word ending where it ends (it may overlap the one before). */
    private static final long[][] NAME_EQUALS_WORDS = Arrays.stream(NAME_EQUALS).map(PolicyAttributes::words).toArray(long[][]::new);

    private static long[] words(byte[] text) {
        if (text.length < Long.BYTES) return new long[0];
        long[] words = new long[(text.length + Long.BYTES - 1) / Long.BYTES];
        for (int i = 0; i < words.length - 1; i++) words[i] = (long) EIGHT_BYTES.get(text, i * Long.BYTES);
        words[words.length - 1] = (long) EIGHT_BYTES.get(text, text.length - Long.BYTES);
        return words;
    }

    /**
     * True when the line at {@code bytes[start, end)} starts with the known name in {@code slot} and its '=': then
     * that '=' is the line's first (no name holds one), and the decoder need not search for it. Compared eight bytes
     * at a time; this is asked of nearly every line, with the name that followed the line before last time.
     */
    static boolean startsWithNameAndEquals(int slot, byte[] bytes, int start, int end) {
        byte[] expected = NAME_EQUALS[slot];
        int length = expected.length;
        if (end - start < length) return false;
        long[] words = NAME_EQUALS_WORDS[slot];
        if (words.length == 0) return Arrays.equals(expected, 0, length, bytes, start, start + length);
        int last = words.length - 1;
        for (int i = 0; i < last; i++) {
            if ((long) EIGHT_BYTES.get(bytes, start + i * Long.BYTES) != words[i]) return false;
        }
        return (long) EIGHT_BYTES.get(bytes, start + length - Long.BYTES) == words[last];
    }

    /** The length of a known name. */
    static int nameLength(int slot) {
        return NAME_BYTES[slot].length;
    }

    /** How many known names there are: slots are 0 up to this, exclusive. */
    static int knownSlots() {
        return NAMES.length;
    }

    /** The known name in a slot that {@link #knownSlot} gave. */
    static String knownName(int slot) {
        return NAMES[slot];
    }

    @Override
    public String get(Object name) {
        Integer slot = SLOTS.get(name);
        if (slot != null) return known(slot);
        for (int i = 0; i < otherNames.length; i++) {
            if (otherNames[i].equals(name)) return otherValues[i];
        }
        return null;
    }

    @Override
    public boolean containsKey(Object name) {
        return get(name) != null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        Set<Entry<String, String>> built = entries;
        if (built == null) {
            List<Entry<String, String>> list = new ArrayList<>(size);
            for (int slot = 0; slot < known.length; slot++) {
                String value = known(slot);
                if (value != null) list.add(new SimpleImmutableEntry<>(NAMES[slot], value));
            }
            for (int i = 0; i < otherNames.length; i++) list.add(new SimpleImmutableEntry<>(otherNames[i], otherValues[i]));
            built = new EntrySet(List.copyOf(list));
            entries = built;
        }
        return built;
    }

    private static final class EntrySet extends AbstractSet<Entry<String, String>> {
        private final List<Entry<String, String>> list;

        EntrySet(List<Entry<String, String>> list) {
            this.list = list;
        }

        @Override
        public Iterator<Entry<String, String>> iterator() {
            return list.iterator(); // an immutable list's: no remove
        }

        @Override
        public int size() {
            return list.size();
        }
    }

    /**
     * Collects one request's attributes; refuses a name sent twice. Not thread-safe. A connection
     * keeps one and {@link #reset()}s it per request: its arrays are reused, and
     * {@link #build()} copies out only what the request filled.
     */
    static final class Builder {
        private final String[] known = new String[NAMES.length];
        private final int[] starts = new int[NAMES.length];
        private final int[] lengths = new int[NAMES.length];
        private byte[] bytes = new byte[1024]; // a Postfix request's values fit
        private int used;
        private List<String> otherNames;
        private List<String> otherValues;
        private int size;

        Builder() {
            Arrays.fill(starts, ABSENT);
        }

        /** Empty again, for the next request. */
        void reset() {
            Arrays.fill(known, null);
            Arrays.fill(starts, ABSENT);
            used = 0;
            otherNames = null;
            otherValues = null;
            size = 0;
        }

        /**
         * A known name's value (by its {@link #knownSlot}) as the bytes that arrived, {@code source[start, start+length)}; they are
         * copied, and decoded only when read.
         *
         * @return false when the name was already given
         */
        boolean putBytes(int slot, byte[] source, int start, int length) {
            if (starts[slot] != ABSENT) return false;
            if (used + length > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + length));
            if (length > 0) System.arraycopy(source, start, bytes, used, length); // most of what Postfix sends is empty
            starts[slot] = used;
            lengths[slot] = length;
            used += length;
            size++;
            return true;
        }

        /** @return false when the name was already given */
        boolean put(String name, String value) {
            Integer slot = SLOTS.get(name);
            if (slot != null) {
                if (starts[slot] != ABSENT) return false;
                starts[slot] = DECODED;
                known[slot] = value;
            } else {
                if (otherNames == null) {
                    otherNames = new ArrayList<>(4);
                    otherValues = new ArrayList<>(4);
                } else if (otherNames.contains(name)) {
                    return false;
                }
                otherNames.add(name);
                otherValues.add(value);
            }
            size++;
            return true;
        }

        int size() {
            return size;
        }

        /** The attributes, copied out: the builder may be {@link #reset()} and used again. */
        PolicyAttributes build() {
            String[] noNames = new String[0];
            return new PolicyAttributes(known.clone(), starts.clone(), lengths.clone(), Arrays.copyOf(bytes, used),
                    otherNames == null ? noNames : otherNames.toArray(noNames),
                    otherValues == null ? noNames : otherValues.toArray(noNames), size);
        }
    }

    /** A map given by a caller (a test, the explain API) in the same shape. */
    static PolicyAttributes copyOf(Map<String, String> attributes) {
        if (attributes instanceof PolicyAttributes same) return same;
        Builder builder = new Builder();
        attributes.forEach((name, value) -> builder.put(name, value == null ? "" : value));
        return builder.build();
    }

    private static Map<String, Integer> slots() {
        Map<String, Integer> slots = new HashMap<>();
        for (int i = 0; i < NAMES.length; i++) slots.put(NAMES[i], i);
        return Map.copyOf(slots);
    }

    private static int[][] slotsByLength() {
        int longest = Arrays.stream(NAMES).mapToInt(String::length).max().orElse(0);
        int[][] byLength = new int[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            final int l = length;
            byLength[length] = java.util.stream.IntStream.range(0, NAMES.length).filter(i -> NAMES[i].length() == l).toArray();
        }
        return byLength;
    }
}
