package dev.sekisho.bench;

import java.io.IOException;

/** A policy server's reply did not follow the policy protocol: the generator counts it as an error. */
public final class MalformedReplyException extends IOException {
    public MalformedReplyException(String message) {
        super(message);
    }
}
