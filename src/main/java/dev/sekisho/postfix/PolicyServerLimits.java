package dev.sekisho.postfix;

import java.time.Duration;
import java.util.Objects;

/**
 * What a policy client may send before the server gives up on its connection. Postfix's real
 * requests are about 700 bytes in 30 attributes and arrive at once, so the defaults leave ample
 * room while bounding what one connection can cost.
 *
 * @param maxLineBytes    longest attribute line, without its line end
 * @param maxRequestBytes largest request, line ends included
 * @param maxAttributes   most attributes in one request
 * @param idleTimeout     how long a connection may wait for its next request; Postfix itself
 *                        closes idle policy connections after max_idle (300 s), so the default
 *                        330 s lets Postfix close first
 * @param requestTimeout  how long a request may take from its first byte to its empty line, as
 *                        one deadline across all reads, so trickling bytes does not extend it
 * @param maxConnections  most connections open at once; Postfix opens one per smtpd process (100
 *                        per service by default), so more means something is wrong, and a new
 *                        connection past the cap is closed at once (Postfix then applies its
 *                        default_action) rather than exhausting threads and file descriptors
 */
public record PolicyServerLimits(int maxLineBytes, int maxRequestBytes, int maxAttributes,
                                 Duration idleTimeout, Duration requestTimeout, int maxConnections) {

    public static final PolicyServerLimits DEFAULTS = new PolicyServerLimits(
            4096, 64 * 1024, 256, Duration.ofSeconds(330), Duration.ofSeconds(10), 2000);

    public PolicyServerLimits {
        requirePositive("maxLineBytes", maxLineBytes);
        requirePositive("maxRequestBytes", maxRequestBytes);
        requirePositive("maxAttributes", maxAttributes);
        requirePositive("maxConnections", maxConnections);
        if (maxLineBytes >= maxRequestBytes) {
            throw new IllegalArgumentException("maxLineBytes (" + maxLineBytes
                    + ") must be smaller than maxRequestBytes (" + maxRequestBytes + ")");
        }
        requireMillis("idleTimeout", idleTimeout);
        requireMillis("requestTimeout", requestTimeout);
    }

    public PolicyServerLimits withIdleTimeout(Duration timeout) {
        return new PolicyServerLimits(maxLineBytes, maxRequestBytes, maxAttributes, timeout, requestTimeout, maxConnections);
    }

    public PolicyServerLimits withRequestTimeout(Duration timeout) {
        return new PolicyServerLimits(maxLineBytes, maxRequestBytes, maxAttributes, idleTimeout, timeout, maxConnections);
    }

    public PolicyServerLimits withSizes(int lineBytes, int requestBytes, int attributes) {
        return new PolicyServerLimits(lineBytes, requestBytes, attributes, idleTimeout, requestTimeout, maxConnections);
    }

    public PolicyServerLimits withMaxConnections(int connections) {
        return new PolicyServerLimits(maxLineBytes, maxRequestBytes, maxAttributes, idleTimeout, requestTimeout, connections);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }

    // Socket timeouts are whole milliseconds in an int, and 0 would mean "wait forever".
    private static void requireMillis(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.toMillis() < 1 || value.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be between 1 ms and " + Integer.MAX_VALUE + " ms, was " + value);
        }
    }
}
