package dev.sekisho.state;

import java.time.Instant;
import java.util.List;

/**
 * @param allowed every window had room, so the request was charged (unless dry run)
 * @param windows each window's state after the call, in request order
 */
public record RateOutcome(boolean allowed, List<WindowState> windows) {
    public RateOutcome {
        windows = List.copyOf(windows);
    }

    /**
     * @param window  which window
     * @param used    units counted in the window now (after the charge when allowed)
     * @param allowed whether this window alone had room
     * @param retryAt when a request of the same cost would fit; the request's time when it fits now
     */
    public record WindowState(RateWindow window, long used, boolean allowed, Instant retryAt) {
    }

    /** The first window that refused, if any. */
    public java.util.Optional<WindowState> firstRefusal() {
        return windows.stream().filter(w -> !w.allowed()).findFirst();
    }
}
