package dev.sekisho.app;

import dev.sekisho.config.SekishoConfig;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.engine.Restriction;
import dev.sekisho.logs.PositionFile;
import dev.sekisho.logs.TailPosition;
import dev.sekisho.state.GreylistOutcome;
import dev.sekisho.state.GreylistRequest;
import dev.sekisho.state.RateOutcome;
import dev.sekisho.state.RateRequest;
import dev.sekisho.state.StateStore;
import dev.sekisho.state.TallyOutcome;
import dev.sekisho.state.TallyRequest;
import dev.sekisho.state.memory.MemoryStateStore;
import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A followed log file's lines are counted exactly once, also when the process is killed at any moment: every point
 * where a kill could land (before each change to the state, inside and outside the unit of a line) is taken as a copy
 * of the data directory, which is what a killed process leaves behind (the journal is mapped memory: what an append
 * copied into it survives a kill). Each copy is opened, the file followed on from there, and every counter must equal
 * the number of counted lines, no more and no less.
 */
class LogLinesExactlyOnceTest {
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final String[] ACCOUNTS = {"alice@example.test", "bob@example.test"};

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-12-02T06:00:30Z");
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    private Path log() {
        return dir.resolve("mail.log");
    }

    private Path legacyPositions() {
        return dir.resolve("data/logs");
    }

    private SekishoConfig.LogsConfig config() {
        // polls are the test's own (pollAll): the scheduled one is far away
        return new SekishoConfig.LogsConfig(List.of(new SekishoConfig.LogFile(log(), SekishoConfig.LogFormat.POSTFIX)), List.of(),
                ZoneId.of("UTC"), Duration.ofDays(1), 8192);
    }

    private static String failure(int i) {
        return "Dec 02 06:00:%02d mail postfix/submission/smtpd[9]: warning: unknown[203.0.113.%d]: SASL PLAIN authentication failed: "
                .formatted(i % 60, 1 + i % 3) + "authentication failure, sasl_username=" + ACCOUNTS[i % 2];
    }

    private static void append(Path file, String... lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : lines) text.append(line).append('\n');
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** What the lockouts do per attempt, in small: several tallies, one per subject, and one over all. */
    private static void count(StateStore store, LoginAttempt attempt) {
        Instant at = attempt.at();
        store.tally(TallyRequest.event("failures|account:" + attempt.account(), at, WINDOW, 1000));
        store.tally(TallyRequest.event("failures|ip:" + attempt.remote().getHostAddress(), at, WINDOW, 1000));
        store.tally(TallyRequest.event("failures|all", at, WINDOW, 1000));
    }

    private static long counted(StateStore store, String key) {
        return store.tally(TallyRequest.peek(key, Instant.parse("2026-12-02T06:01:00Z"), WINDOW, 1000)).count();
    }

    /** Every counter equals what {@code lines} failure lines (numbered from 0) make. */
    private static void assertCountedExactly(StateStore store, int lines, String when) {
        assertThat(counted(store, "failures|all")).as("all failures, " + when).isEqualTo(lines);
        for (int a = 0; a < ACCOUNTS.length; a++) {
            int account = a;
            long expected = java.util.stream.IntStream.range(0, lines).filter(i -> i % 2 == account).count();
            assertThat(counted(store, "failures|account:" + ACCOUNTS[a])).as(ACCOUNTS[a] + ", " + when).isEqualTo(expected);
        }
        for (int ip = 0; ip < 3; ip++) {
            int n = ip;
            long expected = java.util.stream.IntStream.range(0, lines).filter(i -> i % 3 == n).count();
            assertThat(counted(store, "failures|ip:203.0.113." + (1 + ip))).as("203.0.113." + (1 + ip) + ", " + when).isEqualTo(expected);
        }
    }

    private MemoryStateStore openStore(Path directory) throws IOException {
        MemoryStateStore store = MemoryStateStore.open(directory, MemoryStateStore.Options.defaults().withMaintenanceThread(false), clock);
        toClose.add(store);
        return store;
    }

    private LogIntake follow(StateStore store) {
        LogIntake intake = LogIntake.start(config(), legacyPositions(), clock, store, attempt -> store.atomically(() -> {
            count(store, attempt); // a unit of its own, as Application's observer makes: nested in the line's unit
            return null;
        }), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        toClose.add(intake);
        return intake;
    }

    @Test
    void aKillAtAnyPointCountsEveryLineOnceAfterTheRestartAlsoWhenTheFileWasRotatedMeanwhile() throws Exception {
        int lines = 5;
        Files.createFile(log());
        Path live = dir.resolve("data/state");
        KillPoints kills = new KillPoints(openStore(live), live, dir.resolve("kills"));
        LogIntake first = follow(kills); // the empty file is followed from its end: offset 0
        // A kill before that first position was saved is a first start again (the file followed from its end, as
        // on any first start): kill points count from here.
        kills.arm();
        List<String> written = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            written.add(failure(i));
            if (i == 2) written.add("Dec 02 06:00:02 mail postfix/smtpd[9]: connect from unknown[203.0.113.1]"); // counts nothing
        }
        append(log(), written.toArray(String[]::new));
        first.pollAll();
        assertCountedExactly(kills, lines, "without a kill");
        // before each of 3 tallies and the position of every line, after each line's unit, and the chunk's end
        assertThat(kills.taken()).as("kill points").isGreaterThanOrEqualTo(lines * 5);

        for (int k = 0; k < kills.taken(); k++) {
            String when = "killed at point " + k;
            // restarted on the same file
            try (MemoryStateStore resumed = MemoryStateStore.open(kills.copyOf(k, "same"), MemoryStateStore.Options.defaults()
                    .withMaintenanceThread(false), clock)) {
                followOnce(resumed);
                assertCountedExactly(resumed, lines, when);
                assertThat(TailPosition.of(resumed.fields(StatePositions.key(log()))).offset()).as(when).isEqualTo(Files.size(log()));
            }
            // restarted after the file was rotated and the new one written to while Sekisho was down
            Path rotated = dir.resolve("mail.log.1");
            Files.move(log(), rotated); // keeps its inode: the file the killed process was reading
            append(log(), failure(lines), failure(lines + 1));
            try (MemoryStateStore resumed = MemoryStateStore.open(kills.copyOf(k, "rotated"), MemoryStateStore.Options.defaults()
                    .withMaintenanceThread(false), clock)) {
                followOnce(resumed);
                assertCountedExactly(resumed, lines + 2, when + ", rotated while down");
            } finally {
                Files.delete(log());
                Files.move(rotated, log());
            }
        }
    }

    /** What a restarted Sekisho does with the file: follow it from the kept position, once. */
    private void followOnce(MemoryStateStore resumed) {
        try (LogIntake again = LogIntake.start(config(), legacyPositions(), clock, resumed, a -> resumed.atomically(() -> {
            count(resumed, a);
            return null;
        }), new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            again.pollAll();
        }
    }

    @Test
    void aPositionFileOfThePreviousVersionIsTakenOverOnceSoAnUpgradeNeitherRereadsNorSkips() throws Exception {
        append(log(), failure(0), failure(1));
        // what the previous version left: its position after the first line
        Path legacy = legacyPositions().resolve(LogIntake.positionName(log()));
        Files.createDirectories(legacyPositions());
        String fileKey = Files.readAttributes(log(), java.nio.file.attribute.BasicFileAttributes.class).fileKey().toString();
        int firstLine = failure(0).length() + 1;
        byte[] head = Files.readAllBytes(log());
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOf(head, Math.min(firstLine, 1024))));
        new PositionFile(legacy, log()).save(new TailPosition(fileKey, firstLine, Math.min(firstLine, 1024), sha));

        MemoryStateStore store = openStore(dir.resolve("data/state"));
        follow(store).pollAll();
        assertThat(counted(store, "failures|all")).as("the line after the old position, not the one before").isEqualTo(1);
        assertThat(counted(store, "failures|account:" + ACCOUNTS[1])).isEqualTo(1);
        assertThat(legacy).as("taken over, then removed").doesNotExist();
        assertThat(store.fields(StatePositions.key(log()))).containsEntry("offset", Long.toString(Files.size(log())));
    }

    /**
     * A store that, before each change and after each unit, copies the data directory: the state a kill at that
     * moment leaves.
     */
    private static final class KillPoints implements StateStore {
        private final StateStore delegate;
        private final Path directory;
        private final Path copies;
        private int taken;
        private boolean armed;

        KillPoints(StateStore delegate, Path directory, Path copies) {
            this.delegate = delegate;
            this.directory = directory;
            this.copies = copies;
        }

        void arm() {
            armed = true;
        }

        int taken() {
            return taken;
        }

        /** A fresh copy of the directory as kill point {@code k} left it. */
        Path copyOf(int k, String purpose) throws IOException {
            return copy(copies.resolve(Integer.toString(k)), copies.resolve(k + "-" + purpose));
        }

        private void killPoint() {
            if (!armed) return;
            try {
                copy(directory, copies.resolve(Integer.toString(taken++)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Path copy(Path from, Path to) throws IOException {
            Files.createDirectories(to);
            try (Stream<Path> files = Files.list(from)) {
                for (Path file : files.toList()) Files.copy(file, to.resolve(file.getFileName()));
            }
            return to;
        }

        @Override
        public <T> T atomically(Supplier<T> work) {
            T result = delegate.atomically(work);
            killPoint();
            return result;
        }

        @Override
        public TallyOutcome tally(TallyRequest request) {
            if (!request.dryRun()) killPoint();
            return delegate.tally(request);
        }

        @Override
        public Map<String, String> putFields(String key, Map<String, String> fields) {
            killPoint();
            return delegate.putFields(key, fields);
        }

        @Override
        public void forget(String key) {
            killPoint();
            delegate.forget(key);
        }

        @Override
        public void push(String key, String entry, int cap, Instant at, Duration keepFor) {
            killPoint();
            delegate.push(key, entry, cap, at, keepFor);
        }

        @Override
        public void impose(Restriction restriction) {
            killPoint();
            delegate.impose(restriction);
        }

        @Override
        public RateOutcome rate(RateRequest request) {
            return delegate.rate(request);
        }

        @Override
        public void refund(RateRequest request) {
            delegate.refund(request);
        }

        @Override
        public GreylistOutcome greylist(GreylistRequest request) {
            return delegate.greylist(request);
        }

        @Override
        public Map<String, String> fields(String key) {
            return delegate.fields(key);
        }

        @Override
        public List<String> recent(String key, Instant at) {
            return delegate.recent(key, at);
        }

        @Override
        public Optional<Restriction> lift(String id, Instant at, String by) {
            return delegate.lift(id, at, by);
        }

        @Override
        public List<Restriction> restrictions() {
            return delegate.restrictions();
        }

        @Override
        public void flush() {
            delegate.flush();
        }

        @Override
        public Stats stats() {
            return delegate.stats();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
