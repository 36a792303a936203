package dev.sekisho.geo;

/** A configured database that cannot be used when it is first opened; the message names the file and why. */
public final class GeoDatabaseException extends RuntimeException {
    public GeoDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
