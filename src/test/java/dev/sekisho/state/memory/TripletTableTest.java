package dev.sekisho.state.memory;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TripletTableTest {

    /** Every key in one segment, homed in the last sixteen slots of any table size: runs wrap past the end. */
    private static final ToLongFunction<byte[]> CLUSTERED = bytes -> -1L - (Arrays.hashCode(bytes) & 15);

    @Test
    void randomOperationsAgreeWithAMap() {
        checkAgainstAMap(new TripletTable(new SipHash(42, 0)), 200_000, 20_000, new Random(1));
    }

    @Test
    void longProbeRunsThatWrapAroundTheTableAgreeWithAMap() {
        checkAgainstAMap(new TripletTable(CLUSTERED), 30_000, 600, new Random(2));
    }

    @Test
    void keysLongerThanAChunkAmongShortOnesAgreeWithAMap() {
        // One in fifty keys is 16-40 KB (longer than a 16 KiB key chunk), so chunks made to a key's size are filled,
        // freed and compacted among ordinary ones; all in one segment, where compaction comes soonest.
        Random lengths = new Random(3);
        String[] padding = new String[64];
        for (int i = 0; i < padding.length; i++) padding[i] = lengths.nextInt(50) == 0 ? "x".repeat(16_000 + lengths.nextInt(24_000)) : "";
        checkAgainstAMap(new TripletTable(CLUSTERED), 20_000, 300, new Random(4), key -> key + padding[Math.floorMod(key.hashCode(), padding.length)]);
    }

    /**
     * Puts, replaces, removes and sweeps keys drawn from {@code distinctKeys}, mirrors each in a HashMap, and compares
     * lookups, sizes and the alive entries as it goes.
     */
    private static void checkAgainstAMap(TripletTable table, int operations, int distinctKeys, Random random) {
        checkAgainstAMap(table, operations, distinctKeys, random, key -> key);
    }

    private static void checkAgainstAMap(TripletTable table, int operations, int distinctKeys, Random random,
                                         java.util.function.UnaryOperator<String> shape) {
        Map<String, TripletState> model = new HashMap<>();
        long now = 1_000;
        for (int i = 0; i < operations; i++) {
            String key = shape.apply("192.0.2." + random.nextInt(distinctKeys) + "|sender@example.org|rcpt" + random.nextInt(3) + "@example.net");
            int op = random.nextInt(100);
            if (op < 55) {
                TripletState state = new TripletState(now, now + random.nextInt(5_000), random.nextBoolean());
                TripletState returned = table.compute(key, (k, current) -> {
                    assertThat(current).isEqualTo(model.get(k));
                    return state;
                });
                assertThat(returned).isEqualTo(state);
                model.put(key, state);
            } else if (op < 75) {
                table.remove(key);
                model.remove(key);
            } else if (op < 98) {
                assertThat(table.get(key)).isEqualTo(model.get(key));
            } else {
                now += random.nextInt(500);
                long at = now;
                long removed = table.removeExpired(at);
                long expected = model.values().stream().filter(s -> s.expiresAtNanos() <= at).count();
                model.values().removeIf(s -> s.expiresAtNanos() <= at);
                assertThat(removed).isEqualTo(expected);
            }
            assertThat(table.size()).isEqualTo(model.size());
            if (i % 10_000 == 0) assertThat(alive(table, Long.MIN_VALUE)).isEqualTo(model);
        }
        assertThat(alive(table, Long.MIN_VALUE)).isEqualTo(model);
        for (Map.Entry<String, TripletState> entry : model.entrySet()) assertThat(table.get(entry.getKey())).isEqualTo(entry.getValue());
    }

    @Test
    void keysOfAnyLengthAndScriptComeBackAsTheyWentIn() {
        TripletTable table = new TripletTable();
        List<String> keys = List.of("", "a", "2001:db8::/64|ユーザー@例え.jp|受信者@example.jp", "x".repeat(100_000),
                "192.0.2.0/24||postmaster@example.net");
        for (int i = 0; i < keys.size(); i++) table.put(keys.get(i), new TripletState(i, 100 + i, i % 2 == 0));

        Map<String, TripletState> alive = alive(table, 0);
        assertThat(alive).hasSize(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            assertThat(alive.get(keys.get(i))).isEqualTo(new TripletState(i, 100 + i, i % 2 == 0));
            assertThat(table.get(keys.get(i))).isEqualTo(alive.get(keys.get(i)));
        }
        assertThat(table.get("x".repeat(99_999))).isNull();
    }

    @Test
    void forEachAliveSkipsTheDeadAndSweepingRemovesThemForGood() {
        TripletTable table = new TripletTable();
        table.put("dead", new TripletState(0, 10, false));
        table.put("alive", new TripletState(0, 11, true));

        assertThat(alive(table, 10)).containsOnlyKeys("alive");
        assertThat(table.get("dead")).isEqualTo(new TripletState(0, 10, false)); // the caller decides what dead means
        assertThat(table.removeExpired(10)).isEqualTo(1);
        assertThat(table.get("dead")).isNull();
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aFloodThatExpiresLeavesATableThatStillWorks() {
        TripletTable table = new TripletTable(new SipHash(7, 0));
        for (int i = 0; i < 100_000; i++) table.put("flood-" + i, new TripletState(0, 5, false));
        table.put("kept", new TripletState(0, 1_000, true));

        assertThat(table.removeExpired(5)).isEqualTo(100_000);

        assertThat(table.size()).isEqualTo(1);
        assertThat(table.get("kept")).isEqualTo(new TripletState(0, 1_000, true));
        for (int i = 0; i < 1_000; i++) table.put("next-" + i, new TripletState(6, 1_000, false));
        assertThat(alive(table, 6)).hasSize(1_001);
    }

    @Test
    void evictionOffersTheSampledEntryNearestToExpiryAndJournalsTheRemovalOfOneThatPassed() {
        TripletTable table = new TripletTable(new SipHash(3, 0));
        // Keys beyond ASCII: the journal gets the bytes the table keeps the key in, which must decode to the key.
        for (int i = 0; i < 10; i++) table.put("kö" + i + "|ü@例え.jp", new TripletState(0, 100 + i, true));
        EvictionCandidates candidates = table.evictionCandidates(StateRecords.TRIPLET);
        List<String> journaled = new ArrayList<>();

        assertThat(candidates.sample(10)).isTrue(); // the whole table
        assertThat(candidates.candidateExpiry()).isEqualTo(100);
        assertThat(candidates.evictCandidate(evictions(journaled))).isTrue();

        assertThat(journaled).containsExactly("kö0|ü@例え.jp");
        assertThat(table.get("kö0|ü@例え.jp")).isNull();
        assertThat(table.size()).isEqualTo(9);
    }

    @Test
    void theRemovalOfATripletThatNeverPassedIsNotJournaled() {
        TripletTable table = new TripletTable();
        table.put("first-attempt", new TripletState(0, 100, false));
        table.put("passed", new TripletState(0, 200, true));
        EvictionCandidates candidates = table.evictionCandidates(StateRecords.TRIPLET);
        List<String> journaled = new ArrayList<>();

        assertThat(candidates.sample(2)).isTrue();
        assertThat(candidates.evictCandidate(evictions(journaled))).isTrue();
        assertThat(table.get("first-attempt")).isNull();
        assertThat(journaled).isEmpty();

        assertThat(candidates.sample(2)).isTrue();
        assertThat(candidates.evictCandidate(evictions(journaled))).isTrue();
        assertThat(journaled).containsExactly("passed");
        assertThat(table.size()).isZero();
    }

    @Test
    void aCandidateThatChangedSinceItWasSampledIsKept() {
        TripletTable table = new TripletTable();
        table.put("only", new TripletState(0, 100, false));
        EvictionCandidates candidates = table.evictionCandidates(StateRecords.TRIPLET);
        List<String> journaled = new ArrayList<>();

        assertThat(candidates.sample(5)).isTrue();
        table.put("only", new TripletState(0, 200, true)); // a request refreshed it meanwhile

        assertThat(candidates.evictCandidate(evictions(journaled))).isFalse();
        assertThat(journaled).isEmpty();
        assertThat(table.get("only")).isEqualTo(new TripletState(0, 200, true));
    }

    @Test
    void aCandidateThatMovedOrWentSinceItWasSampledIsKeptAndNothingElseTakenInItsPlace() {
        // One hash for every key: the three share one probe run, so removing the first shifts the others back a slot.
        TripletTable table = new TripletTable(bytes -> 7L);
        table.put("first", new TripletState(0, 300, true));
        table.put("second", new TripletState(0, 100, true));
        table.put("third", new TripletState(0, 200, true));
        EvictionCandidates candidates = table.evictionCandidates(StateRecords.TRIPLET);
        List<String> journaled = new ArrayList<>();

        assertThat(candidates.sample(3)).isTrue();
        assertThat(candidates.candidateExpiry()).isEqualTo(100);
        table.remove("first"); // "second" moves into first's slot, "third" into second's
        assertThat(candidates.evictCandidate(evictions(journaled))).as("its slot now holds another key").isFalse();
        assertThat(journaled).isEmpty();
        assertThat(table.get("second")).isEqualTo(new TripletState(0, 100, true));
        assertThat(table.get("third")).isEqualTo(new TripletState(0, 200, true));

        assertThat(candidates.sample(3)).isTrue();
        table.remove("second");
        assertThat(candidates.evictCandidate(evictions(journaled))).as("gone meanwhile").isFalse();
        assertThat(journaled).isEmpty();
        assertThat(table.size()).isEqualTo(1);

        assertThat(candidates.sample(3)).isTrue();
        assertThat(candidates.evictCandidate(evictions(journaled))).isTrue();
        assertThat(journaled).containsExactly("third");
        assertThat(table.size()).isZero();
    }

    @Test
    void anEmptyTableOffersNoCandidate() {
        assertThat(new TripletTable().evictionCandidates(StateRecords.TRIPLET).sample(5)).isFalse();
    }

    @Test
    void successiveSamplesMoveThroughTheTable() {
        TripletTable table = new TripletTable(new SipHash(5, 0));
        for (int i = 0; i < 1_000; i++) table.put("k" + i, new TripletState(0, 1_000 + i, true));
        EvictionCandidates candidates = table.evictionCandidates(StateRecords.TRIPLET);

        // Without evicting: a sampler that started over each time would offer the same entry again and again.
        java.util.Set<Long> offered = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            assertThat(candidates.sample(1)).isTrue();
            offered.add(candidates.candidateExpiry());
        }
        assertThat(offered).as("one sample of one entry at a time walks on through the table").hasSize(200);

        // A sample of k offers the nearest expiry among k entries, not the nearest of the whole table: with the
        // 1,000 expiries 1,000..1,999 spread at random, some of 20 samples of 10 miss the table's minimum.
        java.util.Set<Long> minima = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            assertThat(candidates.sample(10)).isTrue();
            minima.add(candidates.candidateExpiry());
        }
        assertThat(minima).hasSizeGreaterThan(1);

        List<String> journaled = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            assertThat(candidates.sample(1)).isTrue();
            assertThat(candidates.evictCandidate(evictions(journaled))).isTrue();
        }
        assertThat(table.size()).isZero();
        assertThat(journaled).hasSize(1_000).doesNotHaveDuplicates();
    }

    @Test
    void aRemappingThatTouchesTheTableAgainIsRefused() {
        TripletTable table = new TripletTable(new SipHash(9, 0));
        table.put("a", new TripletState(0, 1, false));
        // Same segment whatever the hash: the key itself. Re-entering could resize the arrays under the outer call.
        assertThatThrownBy(() -> table.compute("a", (k, current) -> table.compute("a", (k2, c2) -> c2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("recursive");
        assertThat(table.get("a")).as("the table is usable afterwards").isEqualTo(new TripletState(0, 1, false));
    }

    @Test
    void concurrentComputesOnTheSameKeysLoseNoUpdate() throws Exception {
        TripletTable table = new TripletTable();
        int threads = 4;
        int increments = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < increments; i++) {
                        // firstSeen counts the updates: a lost one would leave the sum short.
                        table.compute("key-" + (i % 50), (k, current) -> new TripletState(current == null ? 1 : current.firstSeenNanos() + 1, Long.MAX_VALUE, false));
                    }
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
        long total = alive(table, 0).values().stream().mapToLong(TripletState::firstSeenNanos).sum();
        assertThat(total).isEqualTo((long) threads * increments);
        assertThat(table.size()).isEqualTo(50);
    }

    private static Map<String, TripletState> alive(TripletTable table, long now) {
        Map<String, TripletState> alive = new HashMap<>();
        table.forEachAlive(now, (bytes, offset, length, state) -> {
            String key = new String(bytes, offset, length, java.nio.charset.StandardCharsets.UTF_8);
            assertThat(alive.put(key, state)).as("visited twice: %s", key).isNull();
        });
        return alive;
    }

    private static StateRecords.Sink evictions(List<String> journaled) {
        return new StateRecords.IgnoringSink() {
            @Override
            public void evicted(byte keyType, byte[] key, int offset, int length) {
                assertThat(keyType).isEqualTo(StateRecords.TRIPLET);
                journaled.add(new String(key, offset, length, java.nio.charset.StandardCharsets.UTF_8));
            }
        };
    }
}
