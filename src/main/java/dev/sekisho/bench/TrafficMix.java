package dev.sekisho.bench;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The population the generated requests are drawn from, fixed by a seed: client addresses
 * spread over many /24 networks plus some IPv6, senders over many domains with some null
 * senders (bounces), recipients in a few local domains. A few clients and senders are much
 * busier than the rest, as on a real MX: picks are skewed towards the start of each pool.
 * Immutable after construction, so all workers share one.
 */
public final class TrafficMix {

    public static final int DEFAULT_CLIENTS = 50_000;
    public static final int DEFAULT_SENDERS = 20_000;

    static final String[] LOCAL_DOMAINS = {"example.test", "corp.example.test", "students.example.test"};
    private static final int IPV4_NETWORKS = 2_500;
    private static final double IPV6_SHARE = 0.02;
    private static final double NULL_SENDER_SHARE = 0.03;
    private static final int LOCAL_PARTS_PER_DOMAIN = 2_000;

    private final String[] clientAddresses;
    private final String[] senders;
    private final String policyContext;

    public TrafficMix(long seed, int clients, int senders, String policyContext) {
        if (clients < 1) throw new IllegalArgumentException("need at least one client, was " + clients);
        if (senders < 1) throw new IllegalArgumentException("need at least one sender, was " + senders);
        SplittableRandom random = new SplittableRandom(seed);
        this.clientAddresses = distinctClientAddresses(random, clients);
        this.senders = senderAddresses(random, senders);
        this.policyContext = policyContext;
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
