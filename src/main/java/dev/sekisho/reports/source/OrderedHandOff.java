package dev.sekisho.reports.source;

import dev.sekisho.reports.Problem;
import dev.sekisho.reports.aggregate.AggregateRecord;
import dev.sekisho.reports.aggregate.AggregateReport;
import dev.sekisho.reports.failure.FailureReport;
import dev.sekisho.reports.tls.TlsReport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Reads inputs on parser threads and hands what each one holds to the visitor on the caller's thread, in the order
 * the inputs were added: input N+1 is parsed while N is handed over (and written by a store behind the visitor), and
 * reaches the visitor only after the whole of N. So the visitor sees exactly what one thread reading the inputs one
 * after another would show it: the same calls in the same order, the same summary.
 *
 * <p>Each input streams through a short queue of its own ({@link #CHUNK} findings at a time, {@link #CHUNKS_PER_INPUT}
 * waiting at most), so a parser that runs ahead waits instead of holding a whole report: memory stays flat whatever
 * the reports' sizes. What a parser throws reaches the caller when the visitor has been handed everything before it,
 * as it would from one thread; what the visitor throws stops the parsers. Either way {@link #close} leaves no parser
 * running. Not thread-safe: one caller adds, finishes and closes.
 */
final class OrderedHandOff implements AutoCloseable {
    /** Findings (records, reports, problems) a parser passes over at once: the caller is woken once per chunk, not per record. */
    static final int CHUNK = 256;
    /** Full chunks one input may have waiting for the caller, at most. */
    static final int CHUNKS_PER_INPUT = 8;

    /** One input, read on a parser thread with a {@link Run} of its own that holds its findings and its counts. */
    interface Input {
        void read(Run run);
    }

    private final ReportLimits limits;
    private final ReportVisitor visitor;
    /** Inputs added and not yet handed over, oldest first: at most {@link #window}. */
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private final int window;
    /** Inputs waiting for a parser, in order. */
    private final BlockingQueue<Pending> unread = new LinkedBlockingQueue<>();
    private final List<Thread> parsers = new ArrayList<>();
    private volatile boolean stopped;
    private ImportSummary summary = ImportSummary.empty();

    /** Starts {@code parserThreads} parsers; they wait for inputs. */
    OrderedHandOff(ReportLimits limits, ReportVisitor visitor, int parserThreads) {
        if (parserThreads < 1) throw new IllegalArgumentException("parserThreads must be positive: " + parserThreads);
        this.limits = limits;
        this.visitor = visitor;
        // Two more than the parsers: a parser that finished its input finds the next one added, while the caller
        // still hands over an older one.
        this.window = parserThreads + 2;
        for (int i = 1; i <= parserThreads; i++) {
            Thread parser = new Thread(this::parse, "report-parser-" + i);
            parser.setDaemon(true); // Ctrl-C ends the process as it does with one thread
            parsers.add(parser);
        }
        parsers.forEach(Thread::start);
    }

    /**
     * Queues {@code input} for the next free parser. When too many inputs are in flight, hands over the oldest first
     * (the visitor's calls happen here, on the caller's thread).
     */
    void add(Input input) {
        if (inFlight.size() >= window) handOver(inFlight.poll());
        Pending pending = new Pending(input);
        inFlight.add(pending);
        unread.add(pending);
    }

    /** Hands over everything added and returns what all the inputs' runs counted, as one summary. */
    ImportSummary finish() {
        while (!inFlight.isEmpty()) handOver(inFlight.poll());
        return summary;
    }

    /** Stops the parsers (what they have not handed over is dropped) and waits until each has ended. */
    @Override
    public void close() {
        stopped = true;
        parsers.forEach(Thread::interrupt);
        boolean interrupted = false;
        for (Thread parser : parsers) {
            while (parser.isAlive()) {
                try {
                    parser.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the parsers are already told to stop: finish waiting for them, keep the flag
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** A parser thread: reads inputs one after another with parsers of its own (a Woodstox factory, a mail session). */
    private void parse() {
        Run.Parsers own = new Run.Parsers();
        try {
            while (!stopped) unread.take().read(own);
        } catch (InterruptedException | Stopped e) {
            // close: the caller wants nothing more
        }
    }

    /** Gives the visitor everything {@code pending} holds, in order; rethrows what its parser threw. */
    private void handOver(Pending pending) {
        AggregateReport report = null;
        while (true) {
            Object[] chunk;
            try {
                chunk = pending.chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while reading reports");
            }
            for (Object finding : chunk) {
                switch (finding) {
                    case AggregateRecord record -> visitor.aggregateRecord(report, record);
                    case AggregateReport begun -> {
                        report = begun;
                        visitor.aggregateReport(begun);
                    }
                    case ReportEnd end -> visitor.aggregateReportEnd(end.report(), end.complete());
                    case Problem problem -> visitor.problem(problem);
                    case FailureReport failure -> visitor.failureReport(failure);
                    case TlsReport tls -> visitor.tlsReport(tls);
                    case ImportSummary counted -> {
                        summary = summary.plus(counted, limits.maxListedProblems());
                        return;
                    }
                    case Failed failed -> throw failed.rethrow();
                    default -> throw new IllegalStateException("unknown finding " + finding);
                }
            }
        }
    }

    /** The end of an aggregate report, as a finding. */
    private record ReportEnd(AggregateReport report, boolean complete) {
    }

    /** What a parser threw, to be thrown again on the caller's thread. */
    private record Failed(Throwable thrown) {
        RuntimeException rethrow() {
            if (thrown instanceof Error error) throw error;
            if (thrown instanceof RuntimeException runtime) return runtime;
            return new IllegalStateException(thrown); // a run throws nothing checked
        }
    }

    /** Thrown on a parser thread that the caller stopped, through the run it was reading. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopped", null, false, false);
        }
    }

    /**
     * One input: on its parser's side a visitor that collects findings into chunks, on the caller's side the queue
     * of those chunks. Its last chunk ends with its run's summary, or with what the run threw.
     */
    private final class Pending implements ReportVisitor {
        private final Input input;
        private final BlockingQueue<Object[]> chunks = new ArrayBlockingQueue<>(CHUNKS_PER_INPUT);
        // ---- the parser's
        private Object[] chunk = new Object[CHUNK];
        private int size;

        Pending(Input input) {
            this.input = input;
        }

        void read(Run.Parsers parsers) {
            Run run = new Run(limits, this, parsers);
            Object last;
            try {
                input.read(run);
                last = run.summary();
            } catch (Stopped e) {
                throw e;
            } catch (RuntimeException | Error e) {
                if (stopped) throw new Stopped();
                last = new Failed(e);
            }
            chunk[size++] = last; // there is room: a full chunk is passed at once
            pass(Arrays.copyOf(chunk, size));
        }

        @Override
        public void aggregateReport(AggregateReport report) {
            add(report);
        }

        @Override
        public void aggregateRecord(AggregateReport report, AggregateRecord record) {
            // A run hands over the records of the report it began last: the caller pairs them again (handOver).
            add(record);
        }

        @Override
        public void aggregateReportEnd(AggregateReport report, boolean complete) {
            add(new ReportEnd(report, complete));
        }

        @Override
        public void failureReport(FailureReport report) {
            add(report);
        }

        @Override
        public void tlsReport(TlsReport report) {
            add(report);
        }

        @Override
        public void problem(Problem problem) {
            add(problem);
        }

        private void add(Object finding) {
            chunk[size++] = finding;
            if (size == CHUNK) {
                pass(chunk);
                chunk = new Object[CHUNK];
                size = 0;
            }
        }

        /** Waits while the caller has {@link #CHUNKS_PER_INPUT} chunks of this input to take. */
        private void pass(Object[] full) {
            if (stopped) throw new Stopped();
            try {
                chunks.put(full);
            } catch (InterruptedException e) {
                throw new Stopped();
            }
        }
    }
}
