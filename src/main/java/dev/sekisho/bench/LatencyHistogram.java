package dev.sekisho.bench;

/**
 * Request latencies in nanoseconds, in log-linear buckets: exact below 32 ns, then each power
 * of two split into 32 equal buckets, so a reported value is within 1/32 (about 3 %) above the
 * true one. Fixed size (about 15 KiB), no allocation when recording. Not thread safe: each
 * worker records into its own and the generator {@linkplain #add merges} them at the end.
 */
public final class LatencyHistogram {

    /** 2^5 buckets per power of two; the 5 bits after a value's leading one pick the bucket. */
    private static final int SUB_BUCKET_BITS = 5;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    /** Values below SUB_BUCKETS get one bucket each; then (63 - 5) powers of two of 32 buckets. */
    private static final int BUCKETS = SUB_BUCKETS + (63 - SUB_BUCKET_BITS) * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    public void record(long nanos) {
        if (nanos < 0) throw new IllegalArgumentException("latency cannot be negative: " + nanos);
        counts[bucketOf(nanos)]++;
        total++;
        if (nanos > max) max = nanos;
    }

    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) counts[i] += other.counts[i];
        total += other.total;
        max = Math.max(max, other.max);
    }

    public long count() {
        return total;
    }

    public long maxNanos() {
        return max;
    }

    /**
     * The smallest bucket bound at or below which a {@code quantile} (0..1) of all recorded
     * values lie: the highest value its bucket can hold, capped at the largest value seen.
     */
    public long valueAtQuantile(double quantile) {
        if (quantile < 0 || quantile > 1) throw new IllegalArgumentException("quantile must be within 0..1, was " + quantile);
        if (total == 0) return 0;
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) return Math.min(highestValueIn(i), max);
        }
        return max;
    }

    static int bucketOf(long value) {
        if (value < SUB_BUCKETS) return (int) value;
        int exponent = 63 - Long.numberOfLeadingZeros(value); // >= SUB_BUCKET_BITS
        int shift = exponent - SUB_BUCKET_BITS;
        int subBucket = (int) (value >>> shift) - SUB_BUCKETS; // 0..31: the bits after the leading one
        return SUB_BUCKETS + shift * SUB_BUCKETS + subBucket;
    }

    static long highestValueIn(int bucket) {
        if (bucket < SUB_BUCKETS) return bucket;
        int shift = (bucket - SUB_BUCKETS) / SUB_BUCKETS;
        long subBucket = (bucket - SUB_BUCKETS) % SUB_BUCKETS;
        long lowest = (SUB_BUCKETS + subBucket) << shift;
        return lowest + (1L << shift) - 1;
    }
}
