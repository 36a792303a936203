package dev.sekisho.state.memory;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SipHashTest {

    /** The paper's test key 00 01 .. 0f, read little-endian. */
    private static final SipHash TEST_KEY = new SipHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);

    /** Input i bytes 00 01 .. (i-1). */
    private static byte[] counting(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte) i;
        return bytes;
    }

    @Test
    void matchesTheReferenceVectorsAcrossWordBoundaries() {
        // SipHash-2-4 reference vectors (the paper's appendix and its reference implementation), by input length.
        assertThat(TEST_KEY.applyAsLong(counting(0))).isEqualTo(0x726fdb47dd0e0e31L);
        assertThat(TEST_KEY.applyAsLong(counting(1))).isEqualTo(0x74f839c593dc67fdL);
        assertThat(TEST_KEY.applyAsLong(counting(7))).isEqualTo(0xab0200f58b01d137L);
        assertThat(TEST_KEY.applyAsLong(counting(8))).isEqualTo(0x93f5f5799a932462L);
        assertThat(TEST_KEY.applyAsLong(counting(15))).isEqualTo(0xa129ca6149be45e5L);
        assertThat(TEST_KEY.applyAsLong(counting(16))).isEqualTo(0x3f2acc7f57c29bdbL);
        assertThat(TEST_KEY.applyAsLong(counting(63))).isEqualTo(0x958a324ceb064572L);
    }

    @Test
    void anotherKeyGivesAnotherHash() {
        byte[] key = "192.0.2.0/24|a@example.org|b@example.net".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(new SipHash(1, 2).applyAsLong(key)).isNotEqualTo(new SipHash(1, 3).applyAsLong(key));
        assertThat(SipHash.withRandomKey().applyAsLong(key)).isNotEqualTo(SipHash.withRandomKey().applyAsLong(key));
    }

    @Test
    void everyBitOfTheInputCounts() {
        byte[] key = "198.51.100.0/24|a@example.org|b@example.net".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long h = TEST_KEY.applyAsLong(key);
        for (int i = 0; i < key.length * 8; i++) {
            byte[] changed = key.clone();
            changed[i / 8] ^= (byte) (1 << (i % 8));
            assertThat(TEST_KEY.applyAsLong(changed)).as("bit %d", i).isNotEqualTo(h);
        }
        assertThat(TEST_KEY.applyAsLong(java.util.Arrays.copyOf(key, key.length + 1))).as("a trailing zero byte").isNotEqualTo(h);
    }
}
