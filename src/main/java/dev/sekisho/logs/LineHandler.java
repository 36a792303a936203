package dev.sekisho.logs;

/**
 * Takes the lines a {@link FileTail} reads, in order. A line counts as delivered once this returns; an exception
 * is logged by the tail and the line is not offered again (one bad line must not stop the log).
 */
@FunctionalInterface
public interface LineHandler {
    /**
     * @return true when the line changed something that must not happen twice (a login attempt was counted): the
     * tail then saves its position at once, so that a crash re-reads at most this line, not the rest of its chunk
     */
    boolean handle(LogLine line);
}
