package dev.sekisho.engine;

/** A check could not answer: its dependency timed out or failed. The service's failure verdict applies. */
public class CheckUnavailableException extends RuntimeException {
    public CheckUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public CheckUnavailableException(String message) {
        super(message);
    }
}
