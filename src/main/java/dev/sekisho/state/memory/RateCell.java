package dev.sekisho.state.memory;

import dev.sekisho.state.RateWindow;

/**
 * The GCRA state of one rate key: a theoretical arrival time (epoch nanos) per window. Immutable:
 * every charge installs a new cell, so a sweeper's {@code remove(key, cell)} can never drop a
 * charge that raced with it.
 */
final class RateCell implements Expiring {
    /** Shared with the request (and thereby the configuration); never modified. */
    private final RateWindow[] windows;
    private final long[] tats;
    /** The latest TAT, kept: eviction samples read it from cells all over the heap, without their TAT arrays. */
    private final long expiresAtNanos;

    RateCell(RateWindow[] windows, long[] tats) {
        if (windows.length != tats.length) throw new IllegalArgumentException(windows.length + " windows but " + tats.length + " TATs");
        this.windows = windows;
        this.tats = tats;
        long max = Long.MIN_VALUE;
        for (long tat : tats) max = Math.max(max, tat);
        this.expiresAtNanos = max;
    }

    int size() {
        return windows.length;
    }

    RateWindow window(int index) {
        return windows[index];
    }

    long tat(int index) {
        return tats[index];
    }

    /** This window's TAT, or {@link Long#MIN_VALUE} (an empty window) when the cell does not count it. */
    long tatOf(RateWindow window, int likelyIndex) {
        if (likelyIndex < windows.length && sameWindow(windows[likelyIndex], window)) return tats[likelyIndex];
        for (int i = 0; i < windows.length; i++) {
            if (sameWindow(windows[i], window)) return tats[i];
        }
        return Long.MIN_VALUE;
    }

    /** True when the cell counts exactly these windows in this order, so TATs line up by index. */
    boolean countsExactly(RateWindow[] others) {
        if (others.length != windows.length) return false;
        for (int i = 0; i < others.length; i++) {
            if (!sameWindow(windows[i], others[i])) return false;
        }
        return true;
    }

    RateWindow[] windows() {
        return windows;
    }

    /** The TATs by window index; callers must not modify the array. */
    long[] tats() {
        return tats;
    }

    /** Once every TAT has passed the cell is indistinguishable from an empty one. */
    @Override
    public long expiresAtNanos() {
        return expiresAtNanos;
    }

    private static boolean sameWindow(RateWindow a, RateWindow b) {
        return a == b || a.equals(b);
    }
}
