package dev.sekisho.cli;

import java.io.PrintWriter;
import java.util.function.IntConsumer;

/**
 * A progress bar on stderr, drawn only when the command runs on a terminal (System.console()), so that
 * redirected or piped output and logs never see it. Redrawn when the whole percentage changes.
 */
final class AuditProgress implements IntConsumer {
    private static final int WIDTH = 40;

    private final PrintWriter err;
    private final int total;
    private final String what;
    private int shownPercent = -1;
    private int highest;

    private AuditProgress(PrintWriter err, int total, String what) {
        this.err = err;
        this.total = total;
        this.what = what;
    }

    /** A bar when on a terminal, else nothing. */
    static IntConsumer onTerminal(PrintWriter err, int total, String what) {
        return System.console() != null && total > 0 ? new AuditProgress(err, total, what) : done -> {
        };
    }

    @Override
    public synchronized void accept(int done) {
        if (done <= highest) return; // counts from worker threads can arrive out of order
        highest = done;
        int percent = (int) (100L * done / total);
        if (percent == shownPercent) return;
        shownPercent = percent;
        int filled = WIDTH * percent / 100;
        err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + what);
        if (done == total) err.println();
        err.flush();
    }
}
