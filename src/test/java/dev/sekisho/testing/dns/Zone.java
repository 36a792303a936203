package dev.sekisho.testing.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The data a {@link TestDnsServer} serves, and how it misbehaves. Names are case-insensitive and
 * written without the final dot. Thread safe: a test may change it while the server runs.
 */
public final class Zone {
    /** Every type a "drop all" or "fail all" rule applies to. */
    public static final int ANY_TYPE = -1;

    private final Map<String, List<Record>> records = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> dropped = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> failing = new ConcurrentHashMap<>();
    private final Set<String> truncated = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<Integer>> refused = new ConcurrentHashMap<>();
    private volatile boolean authoritative = true;
    private volatile boolean truncateAllUdp;
    private volatile long ttlSeconds = 300;
    private volatile long negativeTtlSeconds = 60;
    private volatile boolean soaInNegativeAnswers = true;

    public static Zone empty() {
        return new Zone();
    }

    /**
     * Records in master-file syntax (RFC 1035 5), one per line, names relative to the root unless they
     * end with a dot, e.g. {@code example.com. 300 IN TXT "v=spf1 -all"}.
     */
    public static Zone parse(String masterFileText) {
        Zone zone = new Zone();
        try (Master master = new Master(new ByteArrayInputStream(masterFileText.getBytes(StandardCharsets.UTF_8)), Name.root, 300)) {
            for (Record record = master.nextRecord(); record != null; record = master.nextRecord()) zone.add(record);
        } catch (IOException e) {
            throw new UncheckedIOException("bad zone text: " + e.getMessage(), e);
        }
        return zone;
    }

    /** The TTL given to records added from now on by the typed helpers. */
    public Zone ttl(Duration ttl) {
        this.ttlSeconds = ttl.toSeconds();
        return this;
    }

    /** The SOA minimum (and TTL) sent with negative answers, i.e. their negative TTL (RFC 2308 5). */
    public Zone negativeTtl(Duration ttl) {
        this.negativeTtlSeconds = ttl.toSeconds();
        return this;
    }

    long negativeTtlSeconds() {
        return negativeTtlSeconds;
    }

    /** Send negative answers without the SOA, as some servers do: the answer then says nothing about how long it holds. */
    public Zone withoutSoaInNegativeAnswers() {
        this.soaInNegativeAnswers = false;
        return this;
    }

    boolean soaInNegativeAnswers() {
        return soaInNegativeAnswers;
    }

    public Zone add(Record record) {
        records.computeIfAbsent(key(record.getName()), k -> new CopyOnWriteArrayList<>()).add(record);
        return this;
    }

    public Zone a(String name, String... addresses) {
        for (String address : addresses) add(address(name, address, Type.A));
        return this;
    }

    public Zone aaaa(String name, String... addresses) {
        for (String address : addresses) add(address(name, address, Type.AAAA));
        return this;
    }

    public Zone mx(String name, int preference, String exchange) {
        return add(Record.newRecord(name(name), Type.MX, DClass.IN, ttlSeconds, rdata(w -> {
            w.write(preference >> 8);
            w.write(preference);
            writeName(w, exchange);
        })));
    }

    /** One TXT record made of these character-strings (UTF-8, 255 octets each at most). */
    public Zone txt(String name, String... strings) {
        return add(textRecord(name, Type.TXT, List.of(strings)));
    }

    /** One record of type SPF (99), which RFC 7208 3.1 retired and which SPF checkers must ignore. */
    public Zone spfType(String name, String... strings) {
        return add(textRecord(name, Type.SPF, List.of(strings)));
    }

    public Zone ptr(String name, String target) {
        return add(Record.newRecord(name(name), Type.PTR, DClass.IN, ttlSeconds, rdata(w -> writeName(w, target))));
    }

    public Zone cname(String name, String target) {
        return add(Record.newRecord(name(name), Type.CNAME, DClass.IN, ttlSeconds, rdata(w -> writeName(w, target))));
    }

    /** Never answer queries for this name and these types (none given: every type): the client times out. */
    public Zone drop(String name, int... types) {
        dropped.computeIfAbsent(canonical(name), k -> ConcurrentHashMap.newKeySet()).addAll(typeSet(types));
        return this;
    }

    /** Answer SERVFAIL for this name and these types (none given: every type). */
    public Zone servfail(String name, int... types) {
        failing.computeIfAbsent(canonical(name), k -> ConcurrentHashMap.newKeySet()).addAll(typeSet(types));
        return this;
    }

    /** Answer every UDP query for this name with an empty, truncated (TC) answer, so clients retry over TCP. */
    public Zone truncateUdp(String name) {
        truncated.add(canonical(name));
        return this;
    }

    /** Truncate every UDP answer. */
    public Zone truncateAllUdp() {
        truncateAllUdp = true;
        return this;
    }

    /** Answer REFUSED for this name and these types (none given: every type), as a server that does not serve the zone may. */
    public Zone refuse(String name, int... types) {
        refused.computeIfAbsent(canonical(name), k -> ConcurrentHashMap.newKeySet()).addAll(typeSet(types));
        return this;
    }

    /**
     * Answer without the AA bit, as a server that is named in a delegation but does not serve the zone
     * does (a lame delegation, RFC 1912 2.8); by default every answer is authoritative.
     */
    public Zone notAuthoritative() {
        this.authoritative = false;
        return this;
    }

    boolean authoritative() {
        return authoritative;
    }

    boolean refuses(Name name, int type) {
        return matches(refused, name, type);
    }

    /** Forget the records of a name (its misbehaviour rules stay). */
    public Zone remove(String name) {
        records.remove(canonical(name));
        return this;
    }

    // ---- read by the server --------------------------------------------------------------------

    List<Record> recordsAt(Name name) {
        return records.getOrDefault(key(name), List.of());
    }

    /** True when some record lives at this name or below it (an empty non-terminal exists, RFC 8020). */
    boolean exists(Name name) {
        String key = key(name);
        if (records.containsKey(key)) return true;
        String suffix = "." + key;
        return records.keySet().stream().anyMatch(k -> k.endsWith(suffix)) || key.isEmpty();
    }

    boolean drops(Name name, int type) {
        return matches(dropped, name, type);
    }

    boolean fails(Name name, int type) {
        return matches(failing, name, type);
    }

    boolean truncates(Name name) {
        return truncateAllUdp || truncated.contains(key(name));
    }

    private static boolean matches(Map<String, Set<Integer>> rules, Name name, int type) {
        Set<Integer> types = rules.get(key(name));
        return types != null && (types.contains(ANY_TYPE) || types.contains(type));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Set<Integer> typeSet(int... types) {
        if (types.length == 0) return Set.of(ANY_TYPE);
        return java.util.Arrays.stream(types).boxed().collect(java.util.stream.Collectors.toSet());
    }

    static String key(Name name) {
        return canonical(name.toString(true));
    }

    static String canonical(String name) {
        String text = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return text.toLowerCase(Locale.ROOT);
    }

    private Record address(String name, String address, int type) {
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length != (type == Type.A ? 4 : 16)) throw new IllegalArgumentException(address + " is not a " + Type.string(type) + " address");
            return Record.newRecord(name(name), type, DClass.IN, ttlSeconds, bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + address, e);
        }
    }

    private Record textRecord(String name, int type, List<String> strings) {
        return Record.newRecord(name(name), type, DClass.IN, ttlSeconds, rdata(w -> {
            for (String s : strings) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                if (bytes.length > 255) throw new IllegalArgumentException("character-string longer than 255 octets: " + s);
                w.write(bytes.length);
                w.writeBytes(bytes);
            }
        }));
    }

    private interface RdataWriter {
        void write(ByteArrayOutputStream out);
    }

    private static byte[] rdata(RdataWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out);
        return out.toByteArray();
    }

    /** Labels as octets, uncompressed; any character is allowed, as in test data that is deliberately odd. */
    private static void writeName(ByteArrayOutputStream out, String name) {
        String text = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (!text.isEmpty()) {
            for (String label : text.split("\\.", -1)) {
                byte[] bytes = label.getBytes(StandardCharsets.UTF_8);
                out.write(bytes.length);
                out.writeBytes(bytes);
            }
        }
        out.write(0);
    }

    static Name name(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeName(out, name);
        try {
            return new Name(new org.xbill.DNS.DNSInput(out.toByteArray()));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a usable test name: " + name, e);
        }
    }
}
