package dev.sekisho.state.memory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A state file fails its checksums or its structure. Opening refuses rather than start with state
 * silently missing; the operator decides (restore a backup, or move the file away to start empty).
 */
public final class CorruptStateException extends IOException {
    public CorruptStateException(Path file, long offset, String reason) {
        super("corrupt state file " + file + " at byte " + offset + ": " + reason
                + " (move it away to start without it, or restore a backup)");
    }
}
