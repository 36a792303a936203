package dev.sekisho.state.memory;

import java.util.Arrays;

/**
 * One sliding-window tally: its members (null for an event, which is counted on its own) with the
 * time each was last seen, oldest first. Immutable like {@link RateCell}: every change installs a
 * new cell, so a sweeper's {@code remove(key, cell)} never drops a change that raced with it.
 * Its size is bounded by the requests' cap.
 */
final class TallyCell implements Expiring {
    private final long windowNanos;
    /** Parallel arrays, ascending by {@link #seen}; never modified. */
    private final String[] members;
    private final long[] seen;

    TallyCell(long windowNanos, String[] members, long[] seen) {
        if (members.length != seen.length) throw new IllegalArgumentException(members.length + " members but " + seen.length + " times");
        this.windowNanos = windowNanos;
        this.members = members;
        this.seen = seen;
    }

    static final TallyCell EMPTY = new TallyCell(1, new String[0], new long[0]);

    long windowNanos() {
        return windowNanos;
    }

    int size() {
        return members.length;
    }

    String member(int i) {
        return members[i];
    }

    long seen(int i) {
        return seen[i];
    }

    /** Members still counted at {@code now} for {@code window}: those seen after {@code now - window}. */
    int firstLive(long now, long window) {
        long cutoff = now - window;
        int i = 0;
        while (i < seen.length && seen[i] <= cutoff) i++;
        return i;
    }

    /** The live members, then {@code member} (refreshed if present, appended if new or an event), then trimmed to {@code cap}. */
    Next add(String member, long now, long window, int cap) {
        int from = firstLive(now, window);
        int n = seen.length - from;
        String[] m = new String[n + 1];
        long[] t = new long[n + 1];
        int k = 0;
        boolean present = false;
        for (int i = from; i < seen.length; i++) {
            if (member != null && member.equals(members[i])) {
                present = true;
                continue;
            }
            m[k] = members[i];
            t[k] = seen[i];
            k++;
        }
        // Keep the order by time: a request's clock may lag another thread's by a little.
        int at = k;
        while (at > 0 && t[at - 1] > now) at--;
        System.arraycopy(m, at, m, at + 1, k - at);
        System.arraycopy(t, at, t, at + 1, k - at);
        m[at] = member;
        t[at] = now;
        k++;
        int drop = Math.max(0, k - cap);
        String[] keptMembers = Arrays.copyOfRange(m, drop, k);
        long[] keptSeen = Arrays.copyOfRange(t, drop, k);
        boolean added = !present && (member == null || Arrays.asList(keptMembers).contains(member));
        return new Next(new TallyCell(window, keptMembers, keptSeen), added);
    }

    record Next(TallyCell cell, boolean added) {
    }

    /** Dead once the most recently seen member has left its window. */
    @Override
    public long expiresAtNanos() {
        if (seen.length == 0) return Long.MIN_VALUE;
        long last = seen[seen.length - 1];
        long end = last + windowNanos;
        return end < last ? Long.MAX_VALUE : end;
    }
}
