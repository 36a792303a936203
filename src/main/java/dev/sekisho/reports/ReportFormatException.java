package dev.sekisho.reports;

import java.io.IOException;
import java.util.Objects;

/**
 * An input that is not a readable report, or that broke a limit while being read. It is an
 * {@link IOException} so that a bound enforced inside a stream (a decompression limit) travels through the
 * parsers that read the stream and arrives intact.
 */
public final class ReportFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String position;

    /**
     * @param code     a stable identifier, see {@link Problem#code()}
     * @param position where in the input, or "" for the input as a whole
     * @param message  one human sentence
     */
    public ReportFormatException(String code, String position, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.position = position == null ? "" : position;
    }

    public ReportFormatException(String code, String message) {
        this(code, "", message);
    }

    public String code() {
        return code;
    }

    public String position() {
        return position;
    }

    /** This exception as a problem that cost the input at {@code origin}. */
    public Problem toProblem(Origin origin) {
        return new Problem(Problem.Scope.INPUT, origin, position, code, getMessage());
    }
}
