package dev.sekisho.logs;

import java.time.Instant;
import java.util.Objects;

/**
 * One line as a source read it, without its line end.
 *
 * @param text     the line, decoded as UTF-8 (malformed bytes replaced)
 * @param received when Sekisho read it; the line's own timestamp, if any, is inside {@code text}
 */
public record LogLine(String text, Instant received) {
    public LogLine {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(received, "received");
    }
}
