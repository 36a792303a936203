package dev.sekisho.logs;

import java.io.IOException;
import java.util.Optional;

/**
 * Where a {@link FileTail} keeps its position across restarts. The tail asks it to hand each line over; a store
 * that can make the handler's changes and the position after the line durable together (the state store, wired in
 * app/) makes every line count exactly once, also across a crash.
 */
public interface PositionStore {
    /** The position saved last; empty when none was. */
    Optional<TailPosition> load() throws IOException;

    /** Keeps {@code position} (called after the lines before it were handed over, and when the file changes). */
    void save(TailPosition position) throws IOException;

    /**
     * Hands {@code line} over and, when the handler says it changed something, saves {@code after} (the position
     * just past the line). This default does the two one after the other: a crash between them counts the line
     * again after the restart. A store that can do both as one unit overrides it.
     *
     * @return what the handler returned
     */
    default boolean handOver(LineHandler handler, LogLine line, TailPosition after) throws IOException {
        boolean changed = handler.handle(line);
        if (changed) save(after);
        return changed;
    }
}
