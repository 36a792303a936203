package dev.sekisho.bench;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The population the generated requests are drawn from, fixed by a seed: client addresses
 * spread over many /24 networks plus some IPv6, senders over many domains with some null
 * senders (bounces), recipients in a few local domains. A few clients and senders are much
 * busier than the rest, as on a real MX: picks are skewed towards the start of each pool.
 * Immutable after construction, so all connections share one.
 *
 * <p>Each request exists in two forms that must stay byte for byte equal: {@link #next} gives
 * it as a {@link GeneratedRequest} (readable, for tests and tools), {@link #writeNext} writes
 * its encoding straight into a buffer from pieces encoded once here, without a String per
 * request, for the load generator's hot loop. Both draw from the caller's random in the same
 * order; a test compares them over the seeded sequence.
 */
public final class TrafficMix {

    public static final int DEFAULT_CLIENTS = 50_000;
    public static final int DEFAULT_SENDERS = 20_000;

    static final String[] LOCAL_DOMAINS = {"example.test", "corp.example.test", "students.example.test"};
    private static final int IPV4_NETWORKS = 2_500;
    private static final double IPV6_SHARE = 0.02;
    private static final double NULL_SENDER_SHARE = 0.03;
    private static final int LOCAL_PARTS_PER_DOMAIN = 2_000;

    /*
     * The request's fixed text between the varying values, in GeneratedRequest.encode()'s order
     * (Postfix 3.7's attribute order; SMTPD_POLICY_README, "Protocol description").
     */
    private static final byte[] HEAD = ascii("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=");
    private static final byte[] BEFORE_PORT = ascii("\nclient_name=unknown\nreverse_client_name=unknown\nclient_port=");
    private static final byte[] BEFORE_HELO = ascii("\nhelo_name=");
    private static final byte[] BEFORE_SENDER = ascii("\nsender=");
    private static final byte[] BEFORE_RECIPIENT = ascii("\nrecipient=");
    private static final byte[] BEFORE_INSTANCE = ascii("\nrecipient_count=0\nqueue_id=\ninstance=");
    private static final byte[] FILL_SENDER_PREFIX = ascii("fill");
    private static final byte[] FILL_SENDER_DOMAIN = ascii("@senders");
    private static final byte[] FILL_SENDER_SUFFIX = ascii(".example.com");
    private static final byte[] INSTANCE_END = ascii(".0");
    private static final byte[] HEX_DIGITS = ascii("0123456789abcdef");
    /** The longest decimal long, the longest hex instance ("ffff.ffffffff.ffff.0"), with room. */
    private static final int MAX_NUMBERS_BYTES = 4 * 20 + 24;

    private final String[] clientAddresses;
    private final String[] senders;
    private final String policyContext;
    // The pools once more, encoded: what writeNext copies.
    private final byte[][] clientAddressBytes;
    private final byte[][] heloBytes;
    private final byte[][] senderBytes;
    private final byte[][] recipientBytes;
    /** From "\nsize=0" to the empty line that ends the request, with this mix's policy_context. */
    private final byte[] tail;
    private final int maxRequestBytes;

    public TrafficMix(long seed, int clients, int senders, String policyContext) {
        if (clients < 1) throw new IllegalArgumentException("need at least one client, was " + clients);
        if (senders < 1) throw new IllegalArgumentException("need at least one sender, was " + senders);
        SplittableRandom random = new SplittableRandom(seed);
        this.clientAddresses = distinctClientAddresses(random, clients);
        this.senders = senderAddresses(random, senders);
        this.policyContext = policyContext;
        this.clientAddressBytes = new byte[clients][];
        this.heloBytes = new byte[clients][];
        for (int i = 0; i < clients; i++) {
            clientAddressBytes[i] = ascii(clientAddresses[i]);
            heloBytes[i] = ascii(heloFor(i));
        }
        this.senderBytes = new byte[senders][];
        for (int i = 0; i < senders; i++) senderBytes[i] = ascii(this.senders[i]);
        this.recipientBytes = new byte[LOCAL_DOMAINS.length * LOCAL_PARTS_PER_DOMAIN][];
        for (int i = 0; i < recipientBytes.length; i++) recipientBytes[i] = ascii(recipient(i));
        this.tail = ("\n" + GeneratedRequest.afterInstance(policyContext)).getBytes(StandardCharsets.UTF_8);
        this.maxRequestBytes = HEAD.length + longest(clientAddressBytes) + BEFORE_PORT.length + BEFORE_HELO.length
                + longest(heloBytes) + BEFORE_SENDER.length + Math.max(longest(senderBytes), FILL_SENDER_PREFIX.length
                + FILL_SENDER_DOMAIN.length + FILL_SENDER_SUFFIX.length) + BEFORE_RECIPIENT.length + longest(recipientBytes)
                + BEFORE_INSTANCE.length + INSTANCE_END.length + tail.length + MAX_NUMBERS_BYTES;
    }

    /** The most bytes {@link #writeNext} or {@link #writeDistinctTriplet} can write: the size of a send buffer. */
    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    public int clientCount() {
        return clientAddresses.length;
    }

    /** A request from the skewed mix; {@code random} is the calling worker's own. */
    public GeneratedRequest next(SplittableRandom random) {
        int client = skewedIndex(random, clientAddresses.length);
        String sender = random.nextDouble() < NULL_SENDER_SHARE ? "" : senders[skewedIndex(random, senders.length)];
        return new GeneratedRequest(clientAddresses[client], 1024 + random.nextInt(64_000), heloFor(client), sender,
                recipient(random.nextInt(LOCAL_DOMAINS.length * LOCAL_PARTS_PER_DOMAIN)),
                instance(random.nextLong()), policyContext);
    }

    /**
     * Writes the encoding of the request {@link #next} would return for the same state of
     * {@code random} into {@code out} from its start (at most {@link #maxRequestBytes()}
     * bytes), drawing exactly what next draws, in the same order; returns its length.
     */
    public int writeNext(SplittableRandom random, byte[] out) {
        int client = skewedIndex(random, clientAddresses.length);
        int sender = random.nextDouble() < NULL_SENDER_SHARE ? -1 : skewedIndex(random, senders.length);
        int port = 1024 + random.nextInt(64_000);
        int recipient = random.nextInt(LOCAL_DOMAINS.length * LOCAL_PARTS_PER_DOMAIN);
        long instance = random.nextLong();
        int at = put(out, 0, HEAD);
        at = put(out, at, clientAddressBytes[client]);
        at = put(out, at, BEFORE_PORT);
        at = putDecimal(out, at, port);
        at = put(out, at, BEFORE_HELO);
        at = put(out, at, heloBytes[client]);
        at = put(out, at, BEFORE_SENDER);
        if (sender >= 0) at = put(out, at, senderBytes[sender]); // the null sender is an empty value
        at = put(out, at, BEFORE_RECIPIENT);
        at = put(out, at, recipientBytes[recipient]);
        at = put(out, at, BEFORE_INSTANCE);
        at = putInstance(out, at, instance);
        return put(out, at, tail);
    }

    /** Writes the encoding of {@link #distinctTriplet}{@code (index)} into {@code out}, as {@link #writeNext} does. */
    public int writeDistinctTriplet(long index, byte[] out) {
        if (index < 0) throw new IllegalArgumentException("triplet index cannot be negative: " + index);
        int client = (int) (index % clientAddresses.length);
        long cycle = index / clientAddresses.length;
        int at = put(out, 0, HEAD);
        at = put(out, at, clientAddressBytes[client]);
        at = put(out, at, BEFORE_PORT);
        at = putDecimal(out, at, 1024 + index % 64_000);
        at = put(out, at, BEFORE_HELO);
        at = put(out, at, heloBytes[client]);
        at = put(out, at, BEFORE_SENDER);
        at = put(out, at, FILL_SENDER_PREFIX);
        at = putDecimal(out, at, cycle);
        at = put(out, at, FILL_SENDER_DOMAIN);
        at = putDecimal(out, at, cycle % 1000);
        at = put(out, at, FILL_SENDER_SUFFIX);
        at = put(out, at, BEFORE_RECIPIENT);
        at = put(out, at, recipientBytes[(int) (index % (LOCAL_DOMAINS.length * LOCAL_PARTS_PER_DOMAIN))]);
        at = put(out, at, BEFORE_INSTANCE);
        at = putInstance(out, at, index);
        return put(out, at, tail);
    }

    /**
     * The {@code index}-th of a sequence of requests whose (client address, sender, recipient)
     * triplets are all distinct, to fill a greylist: the client cycles fastest and the sender
     * changes with every cycle, so no two indexes share client and sender.
     */
    public GeneratedRequest distinctTriplet(long index) {
        if (index < 0) throw new IllegalArgumentException("triplet index cannot be negative: " + index);
        int client = (int) (index % clientAddresses.length);
        long cycle = index / clientAddresses.length;
        return new GeneratedRequest(clientAddresses[client], 1024 + (int) (index % 64_000), heloFor(client),
                "fill" + cycle + "@" + "senders" + (cycle % 1000) + ".example.com",
                recipient((int) (index % (LOCAL_DOMAINS.length * LOCAL_PARTS_PER_DOMAIN))),
                instance(index), policyContext);
    }

    /** Cubing a uniform draw: the first 1 % of the pool gets about a fifth of the picks. */
    private static int skewedIndex(SplittableRandom random, int size) {
        double u = random.nextDouble();
        return (int) (size * u * u * u);
    }

    private static String heloFor(int client) {
        return "mail" + client + ".sender" + (client % 997) + ".example.com";
    }

    private static String recipient(int index) {
        return "user" + (index / LOCAL_DOMAINS.length) + "@" + LOCAL_DOMAINS[index % LOCAL_DOMAINS.length];
    }

    /** Shaped like Postfix's instance attribute (pid.seconds.microseconds.counter, hex). */
    private static String instance(long bits) {
        return Long.toHexString((bits >>> 48) & 0xffff) + "." + Long.toHexString((bits >>> 16) & 0xffffffffL)
                + "." + Long.toHexString(bits & 0xffff) + ".0";
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** instance(bits) as bytes: the same three hex numbers without a String. */
    private static int putInstance(byte[] out, int at, long bits) {
        at = putHex(out, at, (bits >>> 48) & 0xffff);
        out[at++] = '.';
        at = putHex(out, at, (bits >>> 16) & 0xffffffffL);
        out[at++] = '.';
        at = putHex(out, at, bits & 0xffff);
        return put(out, at, INSTANCE_END);
    }

    /** As Long.toString for a value that is not negative. */
    private static int putDecimal(byte[] out, int at, long value) {
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) digits++;
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + digits;
    }

    /** As Long.toHexString for a value that is not negative: lower case, no leading zeros. */
    private static int putHex(byte[] out, int at, long value) {
        int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 3) / 4);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out[at++] = HEX_DIGITS[(int) (value >>> shift) & 0xf];
        }
        return at;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int longest(byte[][] values) {
        int longest = 0;
        for (byte[] value : values) longest = Math.max(longest, value.length);
        return longest;
    }

    private static String[] distinctClientAddresses(SplittableRandom random, int count) {
        int[] networks = new int[IPV4_NETWORKS];
        for (int i = 0; i < networks.length; i++) {
            // First octet 1..223 without 10 and 127: addresses that look public. They are only
            // data in the requests; nothing ever connects to them.
            int first;
            do {
                first = 1 + random.nextInt(223);
            } while (first == 10 || first == 127);
            networks[i] = first << 16 | random.nextInt(1 << 16);
        }
        Set<String> addresses = new HashSet<>();
        String[] result = new String[count];
        int filled = 0;
        while (filled < count) {
            String address;
            if (random.nextDouble() < IPV6_SHARE) {
                address = "2001:db8:" + Integer.toHexString(random.nextInt(1 << 16)) + ":"
                        + Integer.toHexString(random.nextInt(1 << 16)) + "::" + Integer.toHexString(1 + random.nextInt(0xfffe));
            } else {
                int network = networks[random.nextInt(networks.length)];
                address = (network >>> 16) + "." + ((network >>> 8) & 0xff) + "." + (network & 0xff) + "." + (1 + random.nextInt(254));
            }
            if (addresses.add(address)) result[filled++] = address;
        }
        return result;
    }

    private static String[] senderAddresses(SplittableRandom random, int count) {
        String[] result = new String[count];
        for (int i = 0; i < count; i++) {
            result[i] = "user" + i + "@d" + random.nextInt(8_000) + ".example.com";
        }
        return result;
    }
}
