package dev.sekisho.app;

import java.nio.file.Path;

/** Where embedded state lives when neither --data-dir nor the configuration says. */
public final class DataDirectory {
    private DataDirectory() {
    }

    /** $SEKISHO_DATA_DIR, else $XDG_DATA_HOME/sekisho, else ~/.local/share/sekisho. */
    public static Path defaultPath() {
        String explicit = System.getenv("SEKISHO_DATA_DIR");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "sekisho");
        return Path.of(System.getProperty("user.home"), ".local", "share", "sekisho");
    }
}
