package dev.sekisho.state.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.function.ToLongFunction;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a hash keyed with 128 secret bits.
 *
 * <p>Why a keyed PRF and not a fast seeded mix: greylist keys hold the envelope sender and recipient, which anyone
 * can choose. With a multiply-and-rotate hash, blocks whose products differ in chosen bits cancel out whatever the
 * seed, so an attacker can build thousands of keys with one hash, and every insert then walks them all. Without the
 * key, finding two SipHash inputs that collide is as hard as guessing it.
 */
final class SipHash implements ToLongFunction<byte[]> {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long k0;
    private final long k1;

    /** @param k0 the key's first 8 bytes, read little-endian; {@code k1} the last 8 */
    SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** A hash with a key from a secure random source: the table it serves cannot be aimed at from outside. */
    static SipHash withRandomKey() {
        SecureRandom random = new SecureRandom();
        return new SipHash(random.nextLong(), random.nextLong());
    }

    @Override
    public long applyAsLong(byte[] message) {
        // Initialisation: the key xored into the constants "somepseudorandomlygeneratedbytes".
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int length = message.length;
        int words = length >>> 3;
        // The last word: the bytes past the whole words, little-endian, with the length's low byte on top.
        long last = (long) length << 56;
        for (int i = words << 3, shift = 0; i < length; i++, shift += 8) last |= (message[i] & 0xFFL) << shift;
        // Each word, the last included, is compressed with c = 2 rounds; then finalisation takes d = 4.
        for (int word = 0; ; word++) {
            boolean finalising = word > words;
            long m = word < words ? (long) LONG_LE.get(message, word << 3) : last;
            if (finalising) v2 ^= 0xff;
            else v3 ^= m;
            for (int round = finalising ? 4 : 2; round > 0; round--) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            if (finalising) break;
            v0 ^= m;
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
