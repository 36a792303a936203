package dev.sekisho.reports.mailbox;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Asks a running import to stop after the mail in hand (Ctrl-C); may be stopped from any thread. */
public final class StopSignal {
    private final CountDownLatch stopped = new CountDownLatch(1);

    public void stop() {
        stopped.countDown();
    }

    public boolean isStopped() {
        return stopped.getCount() == 0;
    }

    /** Waits for {@code duration} or until stopped, whichever comes first; the production {@link Pause}. */
    public void pause(Duration duration) throws InterruptedException {
        stopped.await(duration.toNanos(), TimeUnit.NANOSECONDS);
    }
}
