package dev.sekisho.dmarc;

import java.util.Objects;

/**
 * One thing the validator has to say about a DMARC record.
 *
 * @param severity how much it matters
 * @param code     a stable identifier for programs (e.g. "duplicate-tag"); docs/dmarc-records.md lists them
 * @param tag      the tag it concerns, lower case ("p", "rua", ...), or "" for the record as a whole
 * @param message  one human sentence
 */
public record Finding(Severity severity, String code, String tag, String message) {
    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(code, "code");
        tag = tag == null ? "" : tag;
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return severity + " " + code + (tag.isEmpty() ? "" : " [" + tag + "]") + ": " + message;
    }
}
