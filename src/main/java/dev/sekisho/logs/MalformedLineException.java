package dev.sekisho.logs;

/** A log line or syslog message that does not have the shape its format requires; the message says what is wrong. */
public final class MalformedLineException extends Exception {
    public MalformedLineException(String message) {
        super(message);
    }
}
