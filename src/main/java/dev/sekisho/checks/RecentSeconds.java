package dev.sekisho.checks;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * ISO-8601 text of whole seconds, remembered for the last few seconds seen: a busy check names
 * the same few seconds (now, now + delay) thousands of times a second, and formatting an
 * Instant costs more than the rest of its explanation. Safe for concurrent use; a miss only
 * formats again.
 */
final class RecentSeconds {
    private static final int SLOTS = 64;

    private record Text(long epochSecond, String iso) {
    }

    private final AtomicReferenceArray<Text> slots = new AtomicReferenceArray<>(SLOTS);

    /** The instant rounded down to its second, as text. */
    String floor(Instant instant) {
        return text(instant.getEpochSecond());
    }

    /** The instant rounded up to a whole second, as text: for "not before" times. */
    String ceiling(Instant instant) {
        return text(instant.getNano() == 0 ? instant.getEpochSecond() : instant.getEpochSecond() + 1);
    }

    private String text(long epochSecond) {
        int slot = (int) Math.floorMod(epochSecond, (long) SLOTS);
        Text cached = slots.get(slot);
        if (cached == null || cached.epochSecond() != epochSecond) {
            cached = new Text(epochSecond, Instant.ofEpochSecond(epochSecond).toString());
            slots.set(slot, cached);
        }
        return cached.iso();
    }
}
