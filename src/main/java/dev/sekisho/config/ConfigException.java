package dev.sekisho.config;

import java.nio.file.Path;

/**
 * Invalid configuration, located: which file, which line, which key, and why.
 * Rendered as {@code sekisho.yaml:12: services.mx.checks[1].delay: must be a duration like 300s, was "five"}.
 */
public final class ConfigException extends RuntimeException {
    private final Path file;
    private final int line;
    private final String key;
    private final String reason;

    public ConfigException(Path file, int line, String key, String reason) {
        super(format(file, line, key, reason));
        this.file = file;
        this.line = line;
        this.key = key;
        this.reason = reason;
    }

    private static String format(Path file, int line, String key, String reason) {
        StringBuilder b = new StringBuilder(file == null ? "<embedded defaults>" : file.toString());
        if (line > 0) b.append(':').append(line);
        b.append(": ");
        if (key != null && !key.isEmpty()) b.append(key).append(": ");
        return b.append(reason).toString();
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String key() {
        return key;
    }

    public String reason() {
        return reason;
    }
}
