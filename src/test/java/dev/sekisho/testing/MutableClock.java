package dev.sekisho.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock tests move by hand; thread safe so a server under test may read it while the test advances it. */
public final class MutableClock implements InstantSource {
    private final AtomicReference<Instant> now;

    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public static MutableClock at(String isoInstant) {
        return new MutableClock(Instant.parse(isoInstant));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    /** Jump to a moment, e.g. "35 days after the start" in a test that counts from a fixed origin. */
    public void set(Instant instant) {
        now.set(instant);
    }

    public Instant advance(Duration by) {
        if (by.isNegative()) throw new IllegalArgumentException("time only moves forward, was " + by);
        return now.updateAndGet(t -> t.plus(by));
    }
}
