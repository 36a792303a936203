package dev.sekisho.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * What the engine answers before a password is checked: let it be checked, let it be checked after
 * a pause (tarpit), or refuse it.
 *
 * @param outcome     the answer
 * @param delay       how long the server should hold the attempt; zero unless {@link Outcome#DELAY}
 * @param message     a short text for the client (Dovecot shows a refusal's to the user)
 * @param explanation which rule, key and counters led here, for logs
 */
public record LoginDecision(Outcome outcome, Duration delay, String message, Explanation explanation) {

    public enum Outcome {
        ALLOW,
        DELAY,
        REJECT
    }

    public LoginDecision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(delay, "delay");
        message = message == null ? "" : message;
        Objects.requireNonNull(explanation, "explanation");
        if (delay.isNegative()) throw new IllegalArgumentException("delay must be >= 0, was " + delay);
        if ((outcome == Outcome.DELAY) == delay.isZero()) {
            throw new IllegalArgumentException("a delay must be positive exactly when the outcome is DELAY: " + outcome + " " + delay);
        }
    }

    public static LoginDecision allow(Explanation why) {
        return new LoginDecision(Outcome.ALLOW, Duration.ZERO, "", why);
    }

    public static LoginDecision delay(Duration delay, Explanation why) {
        return new LoginDecision(Outcome.DELAY, delay, "", why);
    }

    public static LoginDecision reject(String message, Explanation why) {
        return new LoginDecision(Outcome.REJECT, Duration.ZERO, message, why);
    }
}
