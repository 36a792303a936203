package dev.sekisho.logs;

/**
 * Takes the lines a {@link FileTail} reads, in order. A line counts as delivered once this returns; an exception
 * is logged by the tail and the line is not offered again (one bad line must not stop the log).
 */
@FunctionalInterface
public interface LineHandler {
    /**
     * @return true when the line changed something that must not happen twice (a login attempt was counted): the
     * tail's {@link PositionStore} then saves the position just past the line at once (with the line's changes,
     * as one unit, when it keeps positions in the state store), so that a crash does not count the line again
     */
    boolean handle(LogLine line);
}
