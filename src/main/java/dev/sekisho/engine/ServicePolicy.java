package dev.sekisho.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one service (mx, submission, ...) is judged: its checks in order, how long an answer may
 * take, and what to answer when a check cannot (fail-open DUNNO by default).
 */
public record ServicePolicy(String name, List<Check> checks, Duration deadline, Action failureVerdict) {
    public ServicePolicy {
        Objects.requireNonNull(name, "name");
        checks = List.copyOf(checks);
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive, was " + deadline);
        }
        Objects.requireNonNull(failureVerdict, "failureVerdict");
    }
}
