package dev.sekisho.testing;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a small MaxMind DB (format 2.0) from networks and their records, so tests read real MMDB files with MaxMind's
 * own reader without any downloaded database. An IPv6 tree (ip_version 6) holding IPv4 networks at ::/96, as the
 * MaxMind DB specification lays them out; the data section is written without pointers (each network's record is
 * encoded once per distinct record object). Values: String (utf8_string), Integer (uint32, or int32 when negative),
 * Long (uint64), BigInteger (uint128), Double, Float, Boolean, byte[] (bytes), Map (map with string keys), List (array),
 * and {@link Uint16}. A more specific network inside another overrides it for its own addresses.
 */
public final class MmdbWriter {
    /** The metadata marker that ends the data section (MaxMind DB spec, "Database Metadata"). */
    static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};
    /** The sixteen zero bytes between the search tree and the data section. */
    private static final int DATA_SECTION_SEPARATOR = 16;

    /** A value to write as uint16 (e.g. metadata's record_size). */
    public record Uint16(int value) {
        public Uint16 {
            if (value < 0 || value > 0xFFFF) throw new IllegalArgumentException("not a uint16: " + value);
        }
    }

    private final String databaseType;
    private final Map<String, Map<String, Object>> networks = new LinkedHashMap<>();
    private int recordSize = 24;
    private long buildEpoch = 1_700_000_000L;

    public MmdbWriter(String databaseType) {
        this.databaseType = Objects.requireNonNull(databaseType, "databaseType");
    }

    /** Adds a network ("203.0.113.0/24", "2001:db8::/32", or one address) and its record. */
    public MmdbWriter network(String cidr, Map<String, Object> record) {
        networks.put(cidr, Objects.requireNonNull(record, "record"));
        return this;
    }

    /** 24, 28 or 32 bits per search tree record (default 24). */
    public MmdbWriter recordSize(int bits) {
        if (bits != 24 && bits != 28 && bits != 32) throw new IllegalArgumentException("record size must be 24, 28 or 32, was " + bits);
        this.recordSize = bits;
        return this;
    }

    public MmdbWriter buildEpoch(long seconds) {
        this.buildEpoch = seconds;
        return this;
    }

    /** A record of the GeoLite2/GeoIP2 Country layout. */
    public static Map<String, Object> country(String isoCode) {
        return Map.of("country", Map.of("iso_code", isoCode, "names", Map.of("en", isoCode)),
                "registered_country", Map.of("iso_code", isoCode));
    }

    /** A record of the GeoLite2/GeoIP2 ASN layout. */
    public static Map<String, Object> asn(long number, String organization) {
        return Map.of("autonomous_system_number", number <= Integer.MAX_VALUE ? (Object) (int) number : (Object) number,
                "autonomous_system_organization", organization);
    }

    public Path write(Path file) {
        try {
            Files.write(file, bytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] bytes() {
        // ---- the data section: each distinct record once -------------------------------------------
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Map<Map<String, Object>, Integer> offsets = new IdentityHashMap<>();
        for (Map<String, Object> record : networks.values()) {
            if (!offsets.containsKey(record)) {
                offsets.put(record, data.size());
                encode(record, data);
            }
        }

        // ---- the search tree: one bit per level over the 128-bit address ---------------------------
        Node root = new Node();
        List<Map.Entry<String, Map<String, Object>>> byPrefix = new ArrayList<>(networks.entrySet());
        byPrefix.sort(Comparator.comparingInt(e -> bits(e.getKey()).length));
        for (var entry : byPrefix) insert(root, bits(entry.getKey()), offsets.get(entry.getValue()));
        List<Node> nodes = new ArrayList<>();
        number(root, nodes);
        long nodeCount = nodes.size();
        long largest = nodeCount + DATA_SECTION_SEPARATOR + data.size();
        if (largest >= (1L << recordSize)) throw new IllegalStateException("the tree and data do not fit " + recordSize + "-bit records");
        ByteArrayOutputStream tree = new ByteArrayOutputStream();
        for (Node node : nodes) writeNode(tree, value(node.left, nodeCount), value(node.right, nodeCount));

        // ---- metadata -----------------------------------------------------------------------------
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", (int) nodeCount);
        metadata.put("record_size", new Uint16(recordSize));
        metadata.put("ip_version", new Uint16(6));
        metadata.put("database_type", databaseType);
        metadata.put("languages", List.of("en"));
        metadata.put("binary_format_major_version", new Uint16(2));
        metadata.put("binary_format_minor_version", new Uint16(0));
        metadata.put("build_epoch", buildEpoch);
        metadata.put("description", Map.of("en", "Sekisho test database " + databaseType));

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(tree.toByteArray());
        file.writeBytes(new byte[DATA_SECTION_SEPARATOR]);
        file.writeBytes(data.toByteArray());
        file.writeBytes(METADATA_MARKER);
        encode(metadata, file);
        return file.toByteArray();
    }

    // ---- tree ---------------------------------------------------------------------------------------

    /** A child is a Node, an Integer (offset into the data section), or null (no data). */
    private static final class Node {
        Object left;
        Object right;
        int number;
    }

    /** The network's prefix as bits of the 128-bit IPv6 address; IPv4 networks sit at ::/96. */
    private static boolean[] bits(String cidr) {
        IPAddress address = new IPAddressString(cidr).getAddress();
        if (address == null) throw new IllegalArgumentException("not a network: " + cidr);
        int prefix = address.getNetworkPrefixLength() == null ? address.getBitCount() : address.getNetworkPrefixLength();
        byte[] bytes = address.getLower().getBytes();
        int offset = 0;
        if (address.isIPv4()) {
            byte[] six = new byte[16];
            System.arraycopy(bytes, 0, six, 12, 4);
            bytes = six;
            offset = 96;
        }
        boolean[] bits = new boolean[offset + prefix];
        for (int i = 0; i < bits.length; i++) bits[i] = (bytes[i / 8] & (0x80 >> (i % 8))) != 0;
        return bits;
    }

    private static void insert(Node root, boolean[] path, int dataOffset) {
        Node node = root;
        for (int i = 0; i < path.length - 1; i++) {
            Object child = path[i] ? node.right : node.left;
            Node next;
            if (child instanceof Node n) {
                next = n;
            } else {
                // A shorter network's data (or nothing) continues on both sides below this point.
                next = new Node();
                next.left = child;
                next.right = child;
                if (path[i]) node.right = next;
                else node.left = next;
            }
            node = next;
        }
        if (path[path.length - 1]) node.right = dataOffset;
        else node.left = dataOffset;
    }

    private static void number(Node root, List<Node> nodes) {
        List<Node> queue = new ArrayList<>(List.of(root));
        for (int i = 0; i < queue.size(); i++) {
            Node node = queue.get(i);
            node.number = nodes.size();
            nodes.add(node);
            if (node.left instanceof Node n) queue.add(n);
            if (node.right instanceof Node n) queue.add(n);
        }
    }

    /** A record's value: a node number, node_count for "no data", or node_count + 16 + the data offset. */
    private static long value(Object child, long nodeCount) {
        if (child == null) return nodeCount;
        if (child instanceof Node n) return n.number;
        return nodeCount + DATA_SECTION_SEPARATOR + (Integer) child;
    }

    private void writeNode(ByteArrayOutputStream out, long left, long right) {
        switch (recordSize) {
            case 24 -> {
                writeBigEndian(out, left, 3);
                writeBigEndian(out, right, 3);
            }
            case 28 -> {
                // Seven bytes: the left record's low 24 bits, a middle byte whose high nibble is the left record's top four
                // bits and whose low nibble is the right record's, then the right record's low 24 bits.
                writeBigEndian(out, left & 0xFFFFFF, 3);
                out.write((int) (((left >> 24) & 0x0F) << 4 | ((right >> 24) & 0x0F)));
                writeBigEndian(out, right & 0xFFFFFF, 3);
            }
            default -> {
                writeBigEndian(out, left, 4);
                writeBigEndian(out, right, 4);
            }
        }
    }

    // ---- data section encoding --------------------------------------------------------------------

    private static final int UTF8 = 2, DOUBLE = 3, BYTES = 4, UINT16 = 5, UINT32 = 6, MAP = 7, INT32 = 8, UINT64 = 9, UINT128 = 10,
            ARRAY = 11, BOOLEAN = 14, FLOAT = 15;

    static void encode(Object value, ByteArrayOutputStream out) {
        switch (value) {
            case String s -> {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                control(out, UTF8, b.length);
                out.writeBytes(b);
            }
            case Uint16 u -> unsigned(out, UINT16, BigInteger.valueOf(u.value()));
            case Integer i when i >= 0 -> unsigned(out, UINT32, BigInteger.valueOf(i));
            case Integer i -> {
                control(out, INT32, 4);
                writeBigEndian(out, i & 0xFFFFFFFFL, 4);
            }
            case Long l -> {
                if (l < 0) throw new IllegalArgumentException("uint64 cannot be negative: " + l);
                unsigned(out, UINT64, BigInteger.valueOf(l));
            }
            case BigInteger b -> unsigned(out, UINT128, b);
            case Double d -> {
                control(out, DOUBLE, 8);
                writeBigEndian(out, Double.doubleToLongBits(d), 8);
            }
            case Float f -> {
                control(out, FLOAT, 4);
                writeBigEndian(out, Float.floatToIntBits(f) & 0xFFFFFFFFL, 4);
            }
            case Boolean b -> control(out, BOOLEAN, b ? 1 : 0); // the size is the value; no payload
            case byte[] b -> {
                control(out, BYTES, b.length);
                out.writeBytes(b);
            }
            case Map<?, ?> m -> {
                control(out, MAP, m.size());
                for (var e : m.entrySet()) {
                    encode((String) e.getKey(), out);
                    encode(e.getValue(), out);
                }
            }
            case List<?> list -> {
                control(out, ARRAY, list.size());
                for (Object item : list) encode(item, out);
            }
            default -> throw new IllegalArgumentException("no MMDB type for " + value.getClass().getName());
        }
    }

    /** Unsigned integers are written in as few big-endian bytes as they need (zero in none). */
    private static void unsigned(ByteArrayOutputStream out, int type, BigInteger value) {
        if (value.signum() < 0) throw new IllegalArgumentException("unsigned value is negative: " + value);
        byte[] b = value.toByteArray();
        int start = 0;
        while (start < b.length && b[start] == 0) start++;
        byte[] minimal = Arrays.copyOfRange(b, start, b.length);
        control(out, type, minimal.length);
        out.writeBytes(minimal);
    }

    /**
     * The control byte: three bits of type (0 = extended, the type minus 7 in the next byte) and five of size; a size of
     * 29 or more continues in one, two or three more bytes (29 + n, 285 + n, 65821 + n).
     */
    private static void control(ByteArrayOutputStream out, int type, int size) {
        int sizeBits;
        byte[] sizeBytes;
        if (size < 29) {
            sizeBits = size;
            sizeBytes = new byte[0];
        } else if (size < 285) {
            sizeBits = 29;
            sizeBytes = new byte[]{(byte) (size - 29)};
        } else if (size < 65_821) {
            sizeBits = 30;
            int n = size - 285;
            sizeBytes = new byte[]{(byte) (n >> 8), (byte) n};
        } else {
            sizeBits = 31;
            int n = size - 65_821;
            sizeBytes = new byte[]{(byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        if (type <= 7) {
            out.write(type << 5 | sizeBits);
        } else {
            out.write(sizeBits);
            out.write(type - 7);
        }
        out.writeBytes(sizeBytes);
    }

    private static void writeBigEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) out.write((int) (value >> (8 * i)) & 0xFF);
    }
}
