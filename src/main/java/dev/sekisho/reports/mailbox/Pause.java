package dev.sekisho.reports.mailbox;

import java.time.Duration;

/** Waiting between polls and reconnection attempts; tests give one that records the waits and returns at once. */
@FunctionalInterface
public interface Pause {
    void pause(Duration duration) throws InterruptedException;
}
