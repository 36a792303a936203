package dev.sekisho.reports;

import java.util.Objects;

/**
 * Something that could not be read. A {@link Scope#RECORD} problem cost one record (or one TLS failure
 * detail) and the rest of its report was read; a {@link Scope#INPUT} problem cost the whole input it names
 * (a file, an archive entry, a mail), and everything around it was still read.
 *
 * @param scope    what was lost
 * @param origin   the file and entry it concerns
 * @param position where inside it, e.g. "line 12, column 5" or "record 3 (line 40)"; "" when it concerns the whole input
 * @param code     a stable identifier for programs, e.g. "invalid-source-ip", "limit-compression-ratio"; docs/dmarc-reports.md lists them
 * @param message  one human sentence
 */
public record Problem(Scope scope, Origin origin, String position, String code, String message) {
    public enum Scope { RECORD, INPUT }

    public Problem {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(origin, "origin");
        position = position == null ? "" : position;
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return origin + (position.isEmpty() ? "" : " (" + position + ")") + ": " + code + ": " + message
                + (scope == Scope.RECORD ? " (record skipped)" : "");
    }
}
