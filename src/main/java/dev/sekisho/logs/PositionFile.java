package dev.sekisho.logs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A position kept in a file of its own (written to a temporary file and renamed). The handler's changes and the
 * position are two writes, so a crash between them hands the last counted line over again; the state store's
 * positions (app/) do not have that gap. Also how the previous version kept positions, read once on upgrade.
 */
public final class PositionFile implements PositionStore {
    private final Path file;
    private final Path followed;

    /** @param followed the log file whose position this is (named in the file's comment) */
    public PositionFile(Path file, Path followed) {
        this.file = Objects.requireNonNull(file, "file");
        this.followed = Objects.requireNonNull(followed, "followed");
    }

    public Path file() {
        return file;
    }

    @Override
    public Optional<TailPosition> load() throws IOException {
        return TailPosition.load(file);
    }

    @Override
    public void save(TailPosition position) throws IOException {
        position.save(file, followed);
    }
}
