package dev.sekisho.app;

import dev.sekisho.logs.LineHandler;
import dev.sekisho.logs.LogLine;
import dev.sekisho.logs.PositionFile;
import dev.sekisho.logs.PositionStore;
import dev.sekisho.logs.TailPosition;
import dev.sekisho.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A followed file's position kept in the state store, as a record of fields under {@code log-position|PATH}, so
 * that a counted line and the position just past it are one atomic unit of the store: after a crash the restart
 * holds both or neither, and the line is counted exactly once.
 *
 * <p>Upgrade: the previous version kept the position in a file of its own ({@code DATA-DIR/logs/NAME-HASH.position}).
 * When the store holds no position yet and that file exists, it is taken over once (copied into the store, then
 * deleted), so an upgrade neither reads lines again nor skips any.
 */
final class StatePositions implements PositionStore {
    private static final Logger LOG = LoggerFactory.getLogger(StatePositions.class);
    static final String KEY_PREFIX = "log-position|";

    private final StateStore store;
    private final String key;
    private final PositionFile legacy;

    /**
     * @param followed the log file, as configured
     * @param legacy   where the previous version kept its position
     */
    StatePositions(StateStore store, Path followed, PositionFile legacy) {
        this.store = Objects.requireNonNull(store, "store");
        this.key = key(followed);
        this.legacy = Objects.requireNonNull(legacy, "legacy");
    }

    static String key(Path followed) {
        return KEY_PREFIX + followed;
    }

    @Override
    public Optional<TailPosition> load() throws IOException {
        Map<String, String> fields = store.fields(key);
        if (!fields.isEmpty()) {
            if (Files.deleteIfExists(legacy.file())) LOG.info("{}: the position is in the state store; removed the old {}", key, legacy.file());
            try {
                return Optional.of(TailPosition.of(fields));
            } catch (IllegalArgumentException e) {
                throw new IOException("unreadable tail position under " + key + " in the state store: " + fields);
            }
        }
        Optional<TailPosition> old = legacy.load();
        if (old.isPresent()) {
            save(old.get()); // durable before the file goes: a crash in between reads the file again, no harm
            Files.delete(legacy.file());
            LOG.info("took over the position of {} from {} (the previous version's file), now kept in the state store",
                    key.substring(KEY_PREFIX.length()), legacy.file());
        }
        return old;
    }

    /**
     * Outside a unit for lines that counted nothing (the end of each chunk read, a truncation): the tail's one
     * thread is the only writer of this key, so these never come between a unit's change of it and the unit's end.
     */
    @Override
    public void save(TailPosition position) {
        store.putFields(key, position.fields()); // an empty file key or hash is dropped as a field; of() gives it back
    }

    /** The handler's changes and the position just past the line, as one unit of the store. */
    @Override
    public boolean handOver(LineHandler handler, LogLine line, TailPosition after) {
        return store.atomically(() -> {
            boolean changed = handler.handle(line);
            if (changed) save(after);
            return changed;
        });
    }
}
