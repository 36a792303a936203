package dev.sekisho.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The generator sends what writeNext writes; these prove it is byte for byte what next().encode() gives. */
class TrafficMixTest {

    @Test
    void writtenRequestsAreTheEncodedRequestsOfTheSeededSequence() {
        // The benchmark's mix (seed 1, default pools), as connection 0 and connection 63 draw it.
        TrafficMix mix = new TrafficMix(1, TrafficMix.DEFAULT_CLIENTS, TrafficMix.DEFAULT_SENDERS, "mx");
        for (int connection : new int[] {0, 63}) {
            SplittableRandom forRecords = connectionRandom(1, connection);
            SplittableRandom forBytes = connectionRandom(1, connection);
            byte[] buffer = new byte[mix.maxRequestBytes()];
            boolean sawNullSender = false;
            boolean sawIpv6 = false;
            for (int i = 0; i < 30_000; i++) {
                GeneratedRequest expected = mix.next(forRecords);
                int length = mix.writeNext(forBytes, buffer);
                assertThat(Arrays.copyOf(buffer, length)).as("request %d", i).isEqualTo(expected.encode());
                sawNullSender |= expected.sender().isEmpty();
                sawIpv6 |= expected.clientAddress().contains(":");
            }
            assertThat(sawNullSender).isTrue();
            assertThat(sawIpv6).isTrue();
            assertThat(forBytes.nextLong()).as("both drew the same number of values").isEqualTo(forRecords.nextLong());
        }
    }

    @Test
    void writtenFillRequestsAreTheEncodedDistinctTriplets() {
        TrafficMix mix = new TrafficMix(1, 1_000, 500, "submission");
        byte[] buffer = new byte[mix.maxRequestBytes()];
        long[] indexes = {0, 1, 9, 10, 999, 1_000, 64_000, 1_000_000, 123_456_789, 9_999_999_999L};
        for (long start : indexes) {
            for (long index = start; index < start + 100; index++) {
                int length = mix.writeDistinctTriplet(index, buffer);
                assertThat(Arrays.copyOf(buffer, length)).as("triplet %d", index)
                        .isEqualTo(mix.distinctTriplet(index).encode());
            }
        }
    }

    @Test
    void aPolicyContextBeyondAsciiIsSentAsUtf8() {
        TrafficMix mix = new TrafficMix(3, 10, 10, "関所");
        byte[] buffer = new byte[mix.maxRequestBytes()];
        int length = mix.writeNext(new SplittableRandom(3), buffer);

        assertThat(Arrays.copyOf(buffer, length)).isEqualTo(mix.next(new SplittableRandom(3)).encode());
    }

    /** What LoadGenerator gives connection {@code index}: the seed's index-th split. */
    private static SplittableRandom connectionRandom(long seed, int index) {
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < index; i++) seeds.split();
        return seeds.split();
    }
}
