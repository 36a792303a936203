package dev.sekisho.app;

import dev.sekisho.config.SekishoConfig;
import dev.sekisho.dovecot.DovecotAuthLogLine;
import dev.sekisho.engine.AddressText;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.engine.LoginObserver;
import dev.sekisho.logs.FileTail;
import dev.sekisho.logs.LineHandler;
import dev.sekisho.logs.LogEntry;
import dev.sekisho.logs.LogLine;
import dev.sekisho.logs.MalformedLineException;
import dev.sekisho.logs.PositionFile;
import dev.sekisho.logs.SyslogListener;
import dev.sekisho.logs.TraditionalLine;
import dev.sekisho.postfix.PostfixSaslLogLine;
import dev.sekisho.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The configured log sources, running: each file followed by a {@link FileTail} polled on one thread, each syslog
 * listener on its own; every line goes through the adapter its format names (postfix, dovecot, or both), and every
 * login attempt found goes to the observer.
 */
final class LogIntake implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogIntake.class);

    private final SekishoConfig.LogsConfig config;
    private final LoginObserver observer;
    private final List<FileTail> tails = new ArrayList<>();
    private final List<SyslogListener> listeners = new ArrayList<>();
    /** Every source's counters, for {@link #attemptsObserved()}. */
    private final List<SourceMeters> meters = new ArrayList<>();
    private final AtomicLong unreadable = new AtomicLong();
    private ScheduledExecutorService poller;
    /** Set by close: the poll in progress stops before its next line, so no line is counted after its sources closed. */
    private volatile boolean closing;

    /**
     * What one source gave, as counters of the metrics registry: the registry keeps them across reloads (a restarted
     * source finds its counters by name and tag), so they only grow.
     */
    private record SourceMeters(Counter lines, Counter unreadable, Counter attempts) {
        static SourceMeters of(MeterRegistry registry, String source, List<SourceMeters> all) {
            SourceMeters meters = new SourceMeters(
                    Counter.builder("sekisho.logs.lines").tag("source", source)
                            .description("Log lines (file lines, syslog messages) read from a log source").register(registry),
                    Counter.builder("sekisho.logs.unreadable").tag("source", source)
                            .description("Log lines skipped because they did not have their format's shape").register(registry),
                    Counter.builder("sekisho.logs.login.attempts").tag("source", source)
                            .description("Login attempts found in a log source and handed to the lockouts").register(registry));
            all.add(meters);
            return meters;
        }
    }

    private LogIntake(SekishoConfig.LogsConfig config, LoginObserver observer) {
        this.config = config;
        this.observer = observer;
    }

    /**
     * Opens every source. Each file's position is kept in {@code store}, saved in one atomic unit with what a line
     * counted ({@link StatePositions}); a position file the previous version left in {@code legacyPositions} is taken
     * over once. A syslog address that cannot be bound fails the start (and closes what was opened): a listener that
     * silently is not there would count nothing.
     */
    static LogIntake start(SekishoConfig.LogsConfig config, Path legacyPositions, InstantSource clock, StateStore store,
                           LoginObserver observer, MeterRegistry metrics) {
        LogIntake intake = new LogIntake(config, observer);
        try {
            for (SekishoConfig.LogFile file : config.files()) {
                SourceMeters meters = SourceMeters.of(metrics, "file:" + file.path(), intake.meters);
                intake.tails.add(tail(file.path(), store, legacyPositions, line -> intake.fileLine(file.format(), line, meters), clock,
                        config.maxLineBytes()));
            }
            for (SekishoConfig.SyslogSource source : config.syslog()) {
                SourceMeters meters = SourceMeters.of(metrics, "syslog:" + source.protocol().name().toLowerCase(Locale.ROOT) + ":"
                        + AddressText.of(source.address()), intake.meters); // [::1]:10514, as every address Sekisho writes
                SyslogListener listener = new SyslogListener(SyslogListener.Protocol.valueOf(source.protocol().name()), source.address(),
                        config.maxLineBytes(), config.timezone(), clock, message -> {
                    meters.lines().increment();
                    intake.entry(message.entry(), true, true, meters);
                }, meters.unreadable()::increment);
                intake.listeners.add(listener);
                listener.start();
            }
        } catch (IOException e) {
            intake.close();
            throw new UncheckedIOException("cannot start the log sources: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            intake.close();
            throw e;
        }
        if (!intake.tails.isEmpty()) {
            // the first poll before returning: where each file is followed from is settled when start returns
            intake.pollAll();
            intake.poller = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("log-tail").unstarted(r));
            long every = config.pollInterval().toMillis();
            intake.poller.scheduleWithFixedDelay(intake::pollAll, every, every, TimeUnit.MILLISECONDS);
        }
        LOG.info("reading logins from {} log files and {} syslog listeners", intake.tails.size(), intake.listeners.size());
        return intake;
    }

    /** A tail of {@code file} whose position is kept in {@code store} (see {@link StatePositions}). */
    static FileTail tail(Path file, StateStore store, Path legacyPositions, LineHandler handler, InstantSource clock, int maxLineBytes) {
        PositionFile legacy = new PositionFile(legacyPositions.resolve(positionName(file)), file);
        return new FileTail(file, new StatePositions(store, file, legacy), handler, clock, maxLineBytes);
    }

    /** The previous version's position file per followed path: its name, and a hash of the whole path so that two mail.log never share. */
    static String positionName(Path file) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(file.toString().getBytes(StandardCharsets.UTF_8));
            return file.getFileName() + "-" + HexFormat.of().formatHex(digest, 0, 6) + ".position";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Reads what every file gained since the last poll; a failing file is logged and tried again next time. */
    synchronized void pollAll() {
        for (FileTail tail : tails) {
            try {
                tail.poll();
            } catch (CancellationException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("reading {}: {}", tail.file(), e.toString());
            }
        }
    }

    /** True when the line gave a login attempt (the tail then saves its position at once). */
    private boolean fileLine(SekishoConfig.LogFormat format, LogLine line, SourceMeters meters) {
        // Before anything is counted: the line and its position stay for whoever follows the file next (a reload's
        // new sources), so the line is counted once, by them.
        if (closing) throw new CancellationException("the log sources are closing");
        meters.lines().increment();
        LogEntry entry;
        try {
            entry = TraditionalLine.parse(line, format != SekishoConfig.LogFormat.DOVECOT, config.timezone());
        } catch (MalformedLineException e) {
            meters.unreadable().increment();
            if (unreadable.incrementAndGet() <= 10) {
                LOG.warn("a {} log line without the expected shape ({}): {}", format.name().toLowerCase(Locale.ROOT), e.getMessage(),
                        line.text().length() > 200 ? line.text().substring(0, 200) + "..." : line.text());
            }
            return false;
        }
        return entry(entry, format != SekishoConfig.LogFormat.DOVECOT, format != SekishoConfig.LogFormat.POSTFIX, meters) > 0;
    }

    /** Hands the entry's login attempts to the observer; returns how many there were. */
    private int entry(LogEntry entry, boolean postfix, boolean dovecot, SourceMeters meters) {
        int observed = 0;
        if (postfix) {
            Optional<LoginAttempt> attempt = PostfixSaslLogLine.parse(entry.program(), entry.message(), entry.timestamp());
            if (attempt.isPresent()) {
                observe(attempt.get(), meters);
                observed++;
            }
        }
        if (dovecot) {
            for (LoginAttempt attempt : DovecotAuthLogLine.parse(entry.program(), entry.message(), entry.timestamp())) {
                observe(attempt, meters);
                observed++;
            }
        }
        return observed;
    }

    private void observe(LoginAttempt attempt, SourceMeters meters) {
        meters.attempts().increment();
        observer.observe(attempt);
    }

    /** Login attempts handed to the observer, as the sources' counters have them. */
    long attemptsObserved() {
        return (long) meters.stream().mapToDouble(m -> m.attempts().count()).sum();
    }

    /** File lines skipped because they did not have their format's shape. */
    long unreadableLines() {
        return unreadable.get();
    }

    List<SyslogListener> listeners() {
        return List.copyOf(listeners);
    }

    @Override
    public void close() {
        closing = true;
        if (poller != null) {
            poller.shutdown();
            try {
                // The poll in progress ends at its next line (see closing); wait for it, so that a reload's new
                // sources never read a file while the old ones still count from it.
                while (!poller.awaitTermination(5, TimeUnit.SECONDS)) LOG.info("waiting for the log poll in progress to stop");
            } catch (InterruptedException e) {
                poller.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        for (SyslogListener listener : listeners) listener.close();
        for (FileTail tail : tails) {
            try {
                tail.close();
            } catch (IOException e) {
                LOG.warn("closing {}: {}", tail.file(), e.toString());
            }
        }
    }
}
