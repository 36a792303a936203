package dev.sekisho.logs;

/**
 * Takes the lines a {@link FileTail} reads, in order. A line counts as delivered once this returns; an exception
 * is logged by the tail and the line is not offered again (one bad line must not stop the log).
 */
@FunctionalInterface
public interface LineHandler {
    void handle(LogLine line);
}
