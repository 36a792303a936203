package dev.sekisho.state.memory;

import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.state.GreylistOutcome;
import dev.sekisho.state.GreylistRequest;
import dev.sekisho.state.RateRequest;
import dev.sekisho.state.RateWindow;
import dev.sekisho.state.StateStore;
import dev.sekisho.state.TallyOutcome;
import dev.sekisho.state.TallyRequest;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.state.StateStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static dev.sekisho.state.GreylistOutcome.Status.EARLY;
import static dev.sekisho.state.GreylistOutcome.Status.KNOWN;
import static dev.sekisho.state.GreylistOutcome.Status.NEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract against a store in a data directory, plus what only the embedded store promises. */
class MemoryStateStoreTest implements StateStoreContract {

    /** No background thread: tests sweep and snapshot themselves, so nothing depends on timing. */
    static final MemoryStateStore.Options OPTIONS = MemoryStateStore.Options.defaults().withMaintenanceThread(false);
    static final RateWindow HUNDRED_PER_HOUR = new RateWindow(100, Duration.ofHours(1));

    @TempDir
    Path temp;
    final MutableClock clock = new MutableClock(T0);
    private final List<StateStore> opened = new ArrayList<>();
    private int directories;

    @Override
    public StateStore newStore() {
        return open(temp.resolve("store-" + directories++));
    }

    private MemoryStateStore open(Path directory) {
        try {
            MemoryStateStore store = MemoryStateStore.open(directory, OPTIONS, clock);
            opened.add(store);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void closeLeftovers() {
        opened.forEach(StateStore::close);
    }

    /** The same contract for the store without a directory. */
    @Nested
    class InMemory implements StateStoreContract {
        @Override
        public StateStore newStore() {
            return MemoryStateStore.inMemory(OPTIONS, clock);
        }
    }

    /** What key "k" has counted in its hour window, read without counting. */
    private static long usedOfK(StateStore store) {
        return store.rate(new RateRequest("k", List.of(HUNDRED_PER_HOUR), 0, T0, false)).windows().get(0).used();
    }

    private static RateRequest charge(String key, Instant now) {
        return new RateRequest(key, List.of(HUNDRED_PER_HOUR), 1, now, false);
    }

    private static GreylistRequest greylist(String triplet, Instant now) {
        return new GreylistRequest(triplet, triplet.substring(0, triplet.indexOf('|')), now, DELAY, RETRY_WINDOW, MAX_AGE, 0, false);
    }

    private static Restriction restriction(String id) {
        return new Restriction(id, new Subject(Subject.Kind.IP, "192.0.2.7"), "password guessing", "rule:lockout-ip",
                "failures=40/10m", T0, T0.plus(Duration.ofDays(1)), null, "");
    }

    /** Writes one of everything: 30 charges on "k", a NEW and a passed triplet, two restrictions (one lifted). */
    private static void mutate(StateStore store) {
        for (int i = 0; i < 30; i++) assertThat(store.rate(charge("k", T0)).allowed()).isTrue();
        store.greylist(greylist("192.0.2|new@example.org|r@example.test", T0));
        store.greylist(greylist("192.0.2|passed@example.org|r@example.test", T0));
        store.greylist(greylist("192.0.2|passed@example.org|r@example.test", T0.plus(DELAY)));
        store.impose(restriction("r1"));
        store.impose(restriction("r2"));
        store.lift("r2", T0.plusSeconds(10), "cli:support");
        mutateTallies(store);
    }

    /** Two events on "failures", two members of "accounts", and a tally forgotten again. */
    private static void mutateTallies(StateStore store) {
        store.tally(TallyRequest.event("failures", T0, Duration.ofHours(1), 100));
        store.tally(TallyRequest.event("failures", T0.plusSeconds(1), Duration.ofHours(1), 100));
        store.tally(TallyRequest.member("accounts", "alice", T0, Duration.ofHours(1), 100));
        store.tally(TallyRequest.member("accounts", "bob", T0.plusSeconds(2), Duration.ofHours(1), 100));
        store.tally(TallyRequest.event("forgotten", T0, Duration.ofHours(1), 100));
        store.forget("forgotten");
    }

    /** What {@link #mutate} left must be there, read without changing it. */
    private static void assertMutationsKept(StateStore store) {
        Instant later = T0.plusSeconds(60);
        assertThat(usedOfK(store)).isEqualTo(30);
        assertThat(store.greylist(dryRun("192.0.2|new@example.org|r@example.test", later)).status()).isEqualTo(EARLY);
        GreylistOutcome known = store.greylist(dryRun("192.0.2|passed@example.org|r@example.test", later.plus(DELAY)));
        assertThat(known.status()).isEqualTo(KNOWN);
        assertThat(known.clientPasses()).isEqualTo(1);
        assertThat(store.restrictions()).extracting(Restriction::id).containsExactly("r1", "r2");
        assertThat(store.restrictions().get(1).liftedBy()).isEqualTo("cli:support");
        assertThat(store.tally(TallyRequest.peek("failures", later, Duration.ofHours(1), 100)).count()).isEqualTo(2);
        TallyOutcome accounts = store.tally(TallyRequest.peek("accounts", later, Duration.ofHours(1), 100));
        assertThat(accounts.count()).isEqualTo(2);
        assertThat(accounts.oldest()).isEqualTo(T0);
        assertThat(store.tally(TallyRequest.peek("forgotten", later, Duration.ofHours(1), 100)).count()).isZero();
    }

    private static GreylistRequest dryRun(String triplet, Instant now) {
        return new GreylistRequest(triplet, triplet.substring(0, triplet.indexOf('|')), now, DELAY, RETRY_WINDOW, MAX_AGE, 0, true);
    }

    // ---- persistence ----------------------------------------------------------------------------

    @Test
    void closeAndReopenKeepsRatesTripletsAndRestrictions() {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        mutate(store);
        store.close();
        assertThat(directory.resolve(DataDirectory.SNAPSHOT_FILE)).exists();

        assertMutationsKept(open(directory));
    }

    @Test
    void aKilledProcessLosesNothingAcknowledged() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        mutate(store);
        store.flush(); // what the policy server does before it answers: the acknowledgement point
        // No close: a copy of the directory is what a killed process leaves behind.
        Path copy = copyDirectory(directory, temp.resolve("after-kill"));

        assertMutationsKept(open(copy));
    }

    @Test
    void changesShareOneWriteAtTheFlushAndAreInTheJournalOnceItReturns() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        long empty = Files.size(onlyJournal(directory));
        store.rate(charge("k", T0));
        store.rate(charge("k", T0));
        assertThat(Files.size(onlyJournal(directory))).as("no write per record").isEqualTo(empty);
        store.flush();
        assertThat(Files.size(onlyJournal(directory))).isEqualTo(store.journalBytes()).isGreaterThan(empty);
        // No close: the copy reads the journal as the kernel's page cache holds it after a kill.
        MemoryStateStore reopened = open(copyDirectory(directory, temp.resolve("after-kill")));
        assertThat(usedOfK(reopened)).isEqualTo(2);
    }

    @Test
    void zerosAfterTheRecordsAreCutOffOnRecoveryAndAppendsGoOnAfterTheRecords() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        mutate(store);
        store.flush();
        long records = store.journalBytes();
        Path copy = copyDirectory(directory, temp.resolve("after-kill"));
        try (FileChannel channel = FileChannel.open(onlyJournal(copy), StandardOpenOption.WRITE)) {
            // What the writer before this one (a shared mapping of whole regions) left after a kill: the region's zeros.
            channel.write(ByteBuffer.allocate(DataDirectory.REGION_BYTES - (int) records), records);
        }
        assertThat(Files.size(onlyJournal(copy))).isEqualTo(DataDirectory.REGION_BYTES);

        MemoryStateStore reopened = open(copy);
        assertMutationsKept(reopened);
        assertThat(Files.size(onlyJournal(copy))).isEqualTo(records);
        reopened.rate(charge("k", T0));
        reopened.flush();
        MemoryStateStore third = open(copyDirectory(copy, temp.resolve("again")));
        assertThat(usedOfK(third)).isEqualTo(31);
    }

    @Test
    void recordsOverManyRegionsAndACheckpointAmongThemAreAllKept() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        // about 3 regions of triplet records, each key long enough that records straddle region ends
        String padding = "x".repeat(200);
        int count = 3 * DataDirectory.REGION_BYTES / 260;
        for (int i = 0; i < count; i++) store.greylist(greylist("192.0.2|s" + i + padding + "@example.org|r@example.test", T0));
        store.checkpoint(); // writes the old journal and starts a new one while the store goes on
        store.greylist(greylist("192.0.2|last@example.org|r@example.test", T0));
        store.flush();

        MemoryStateStore reopened = open(copyDirectory(directory, temp.resolve("copy")));
        assertThat(reopened.greylist(greylist("192.0.2|s" + (count - 1) + padding + "@example.org|r@example.test", T0.plus(DELAY))).status()).isEqualTo(GreylistOutcome.Status.PASSED);
        assertThat(reopened.greylist(greylist("192.0.2|last@example.org|r@example.test", T0.plus(DELAY))).status()).isEqualTo(GreylistOutcome.Status.PASSED);
    }

    @Test
    void aSnapshotBringsBackEveryTripletWithItsKeyAsItWasWhateverItsLengthAndScript() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        // keys of every length up to beyond a key chunk, in scripts of one to four bytes a character, over many segments
        List<String> triplets = new java.util.ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            String sender = switch (i % 4) {
                case 0 -> "s" + i + "@example.org";
                case 1 -> "ユーザー" + i + "@例え.jp";
                case 2 -> "\uD83D\uDCE7" + i + "@émoji.example";
                default -> "x".repeat(i) + "@long.example";
            };
            triplets.add("192.0.2|" + sender + "|r@example.test");
        }
        triplets.add("192.0.2|" + "y".repeat(100_000) + "@huge.example|r@example.test");
        for (String triplet : triplets) store.greylist(greylist(triplet, T0));
        store.checkpoint(); // everything now in the snapshot, the journal after it empty
        store.close();

        MemoryStateStore reopened = open(directory);
        for (String triplet : triplets) {
            assertThat(reopened.greylist(greylist(triplet, T0.plus(DELAY))).status()).as(triplet.substring(0, Math.min(60, triplet.length())))
                    .isEqualTo(GreylistOutcome.Status.PASSED);
        }
        assertThat(reopened.greylist(greylist("192.0.2|s0@example.org|other@example.test", T0.plus(DELAY))).status())
                .isEqualTo(GreylistOutcome.Status.NEW);
    }

    @Test
    void aKillAfterASnapshotReplaysTheJournalOverIt() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        for (int i = 0; i < 10; i++) store.rate(charge("k", T0));
        store.checkpoint();
        for (int i = 0; i < 20; i++) store.rate(charge("k", T0));
        mutateAllButRates(store);
        store.flush();
        Path copy = copyDirectory(directory, temp.resolve("after-kill"));

        assertMutationsKept(open(copy));
    }

    private static void mutateAllButRates(StateStore store) {
        store.greylist(greylist("192.0.2|new@example.org|r@example.test", T0));
        store.greylist(greylist("192.0.2|passed@example.org|r@example.test", T0));
        store.greylist(greylist("192.0.2|passed@example.org|r@example.test", T0.plus(DELAY)));
        store.impose(restriction("r1"));
        store.impose(restriction("r2"));
        store.lift("r2", T0.plusSeconds(10), "cli:support");
        mutateTallies(store);
    }

    @Test
    void aTornJournalTailIsCutOffAndTheRestKept() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        mutate(store);
        store.flush();
        Path copy = copyDirectory(directory, temp.resolve("torn"));
        Path journal = onlyJournal(copy);
        long intact = store.journalBytes();
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            // A frame header promising 60 bytes, of which the crash left 5.
            channel.write(ByteBuffer.allocate(13).putInt(60).putInt(12345).put(new byte[]{1, 0, 0, 0, 1}).flip(), intact);
        }

        MemoryStateStore reopened = open(copy);
        assertMutationsKept(reopened);
        assertThat(Files.size(journal)).isEqualTo(intact);

        // Records appended after recovery are not stuck behind the torn bytes.
        reopened.rate(charge("k", T0));
        reopened.flush();
        Path again = copyDirectory(copy, temp.resolve("torn-again"));
        MemoryStateStore third = open(again);
        assertThat(usedOfK(third)).isEqualTo(31);
    }

    // ---- atomic units across a kill --------------------------------------------------------------

    /** One login attempt's worth of changes, with a nested unit inside: what a log line and its position make. */
    private static void unitOfOneAttempt(StateStore store) {
        store.atomically(() -> {
            store.tally(TallyRequest.event("failures|account:alice", T0, Duration.ofHours(1), 100));
            store.atomically(() -> store.tally(TallyRequest.member("accounts|ip:192.0.2.7", "alice", T0, Duration.ofHours(1), 100)));
            store.tally(TallyRequest.event("failures|ip:192.0.2.7", T0, Duration.ofHours(1), 100));
            store.forget("failures|account:bob");
            store.push("logins|alice", "imap 192.0.2.7", 10, T0, Duration.ofDays(1));
            store.impose(restriction("r-unit"));
            store.putFields("log-position|/var/log/mail.log", java.util.Map.of("offset", "120"));
            return null;
        });
    }

    private static void assertUnitKept(StateStore store, boolean kept) {
        long expected = kept ? 1 : 0;
        Instant at = T0.plusSeconds(1);
        assertThat(store.tally(TallyRequest.peek("failures|account:alice", at, Duration.ofHours(1), 100)).count()).isEqualTo(expected);
        assertThat(store.tally(TallyRequest.peek("accounts|ip:192.0.2.7", at, Duration.ofHours(1), 100)).count()).isEqualTo(expected);
        assertThat(store.tally(TallyRequest.peek("failures|ip:192.0.2.7", at, Duration.ofHours(1), 100)).count()).isEqualTo(expected);
        assertThat(store.tally(TallyRequest.peek("failures|account:bob", at, Duration.ofHours(1), 100)).count()).isEqualTo(kept ? 0 : 1);
        assertThat(store.recent("logins|alice", at)).hasSize((int) expected);
        assertThat(store.restrictions()).extracting(Restriction::id).contains("r1").hasSize(kept ? 2 : 1);
        assertThat(store.fields("log-position|/var/log/mail.log")).isEqualTo(kept ? java.util.Map.of("offset", "120") : java.util.Map.of());
    }

    /** Before the unit: a failure of bob (the unit forgets it) and a restriction, which every outcome keeps. */
    private static void beforeTheUnit(StateStore store) {
        store.tally(TallyRequest.event("failures|account:bob", T0, Duration.ofHours(1), 100));
        store.impose(restriction("r1"));
    }

    @Test
    void everyChangeOfAUnitSurvivesAKillFromTheJournalAndOverASnapshot() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        beforeTheUnit(store);
        unitOfOneAttempt(store);
        assertUnitKept(open(copyDirectory(directory, temp.resolve("after-kill"))), true);

        store.checkpoint(); // the unit now in the snapshot; another one after it in the new journal
        store.atomically(() -> store.tally(TallyRequest.event("failures|account:alice", T0, Duration.ofHours(1), 100)));
        store.flush();
        MemoryStateStore reopened = open(copyDirectory(directory, temp.resolve("after-snapshot-and-kill")));
        assertThat(reopened.tally(TallyRequest.peek("failures|account:alice", T0, Duration.ofHours(1), 100)).count()).isEqualTo(2);
    }

    @Test
    void aUnitIsOneJournalRecordSoAKillWhileItIsWrittenDropsItWhole() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        beforeTheUnit(store);
        long before = store.journalBytes();
        unitOfOneAttempt(store);
        long after = store.journalBytes();
        // A kill in the middle of writing the record leaves a prefix of it (and the mapped writer before this one
        // left zeros after that): cut
        // just after the frame header, in the middle, and one byte short of its end (the nested unit's record lies
        // early in it). Frames are aligned, so the record's end is read from its header, not taken from the length.
        long recordEnd;
        try (FileChannel channel = FileChannel.open(onlyJournal(directory), StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(4);
            channel.read(header, before);
            recordEnd = before + 8 + header.flip().getInt();
        }
        assertThat(recordEnd).isGreaterThan(before + 8).isLessThanOrEqualTo(after);
        for (long cut : new long[]{before + 8, (before + recordEnd) / 2, recordEnd - 1}) {
            Path copy = copyDirectory(directory, temp.resolve("torn-at-" + cut));
            try (FileChannel channel = FileChannel.open(onlyJournal(copy), StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.allocate((int) (after - cut)), cut);
            }
            MemoryStateStore reopened = open(copy);
            assertUnitKept(reopened, false);
            assertThat(reopened.journalBytes()).as("the torn record is cut off").isEqualTo(before);
        }
    }

    @Test
    void aSnapshotIsNotTakenInTheMiddleOfAUnit() {
        MemoryStateStore store = open(temp.resolve("data"));
        assertThatThrownBy(() -> store.atomically(() -> {
            store.tally(TallyRequest.event("failures", T0, Duration.ofHours(1), 100));
            store.checkpoint();
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("inside an atomic unit");
        // the unit's change was journaled all the same
        store.flush();
        assertThat(open(copyOf(store)).tally(TallyRequest.peek("failures", T0, Duration.ofHours(1), 100)).count()).isEqualTo(1);
    }

    private Path copyOf(MemoryStateStore store) {
        try {
            return copyDirectory(temp.resolve("data"), temp.resolve("copy-" + directories++));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anInterruptedCallerDoesNotBreakTheJournal() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        Thread.currentThread().interrupt();
        try {
            store.rate(charge("k", T0));
            store.flush(); // writes with the interrupt set: the channel must not be closed by it
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
        for (int i = 0; i < 29; i++) store.rate(charge("k", T0));
        mutateAllButRates(store);
        store.flush();
        assertMutationsKept(open(copyDirectory(directory, temp.resolve("copy"))));
    }

    @Test
    void withTheMaintenanceThreadRunningCloseAndReopenKeepEverything() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = MemoryStateStore.open(directory, MemoryStateStore.Options.defaults(), clock);
        mutate(store);
        store.close();
        MemoryStateStore reopened = MemoryStateStore.open(directory, MemoryStateStore.Options.defaults(), clock);
        opened.add(reopened);
        assertMutationsKept(reopened);
    }

    @Test
    void recordsAndListsSurviveARestartFromTheJournalAndFromASnapshot() throws IOException {
        Path directory = temp.resolve("records");
        MemoryStateStore store = open(directory);
        store.putFields("account:alice", java.util.Map.of("abroad", "on", "set-by", "cli:ops"));
        store.putFields("account:gone", java.util.Map.of("abroad", "on"));
        store.putFields("account:gone", java.util.Map.of("abroad", ""));
        for (int i = 1; i <= 4; i++) store.push("logins:alice", "login " + i, 3, T0.plusSeconds(i), KEEP_LOGINS);
        store.push("logins:bob", "login 1", 3, T0, Duration.ofHours(1));
        store.flush();
        MemoryStateStore fromJournal = open(copyDirectory(directory, temp.resolve("journal-copy")));
        assertThat(fromJournal.fields("account:alice")).isEqualTo(java.util.Map.of("abroad", "on", "set-by", "cli:ops"));
        assertThat(fromJournal.fields("account:gone")).isEmpty();
        Instant aliceExpiry = T0.plusSeconds(4).plus(KEEP_LOGINS);
        assertThat(fromJournal.recent("logins:alice", aliceExpiry.minusNanos(1))).containsExactly("login 4", "login 3", "login 2");
        assertThat(fromJournal.recent("logins:alice", aliceExpiry)).as("the journal kept the expiry").isEmpty();
        assertThat(fromJournal.recent("logins:bob", T0.plus(Duration.ofHours(1)))).isEmpty();

        store.checkpoint();
        store.push("logins:alice", "login 5", 3, T0.plusSeconds(5), KEEP_LOGINS);
        store.close();
        MemoryStateStore fromSnapshot = open(directory);
        assertThat(fromSnapshot.fields("account:alice")).containsEntry("abroad", "on");
        assertThat(fromSnapshot.recent("logins:alice", T0)).containsExactly("login 5", "login 4", "login 3");
        assertThat(fromSnapshot.recent("logins:alice", T0.plusSeconds(5).plus(KEEP_LOGINS))).isEmpty();
        assertThat(fromSnapshot.recent("logins:bob", T0.plus(Duration.ofHours(1)).minusNanos(1))).containsExactly("login 1");

        // A snapshot taken after bob's list expired leaves it out, and the sweep removes it from memory.
        clock.set(T0.plus(Duration.ofHours(2)));
        assertThat(fromSnapshot.sweepExpired()).isEqualTo(1);
        fromSnapshot.checkpoint();
        fromSnapshot.close();
        clock.set(T0);
        MemoryStateStore again = open(directory);
        assertThat(again.recent("logins:bob", T0)).isEmpty();
        assertThat(again.stats().keys()).isEqualTo(1);
    }

    @Test
    void aListFromAnOldJournalRecordExpiresTheLegacyRetentionAfterRecovery() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("old-list"));
        // The record a store wrote before lists expired: type LIST, key, entries, no expiry.
        byte[] payload = oldListRecord("logins:alice", List.of("login 2", "login 1"));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(payload);
        ByteBuffer journal = ByteBuffer.allocate(JournalFile.MAGIC.length + 8 + payload.length)
                .put(JournalFile.MAGIC).putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        Files.write(directory.resolve("journal-0000000000000001.log"), journal.array());
        Instant recovery = T0.plus(Duration.ofDays(1));
        clock.set(recovery);
        MemoryStateStore recovered = open(directory);
        Instant expiry = recovery.plus(MemoryStateStore.LEGACY_LIST_RETENTION);
        assertThat(recovered.recent("logins:alice", expiry.minusNanos(1))).containsExactly("login 2", "login 1");
        assertThat(recovered.recent("logins:alice", expiry)).isEmpty();
        assertThat(recovered.stats().keys()).isEqualTo(1);
    }

    private static byte[] oldListRecord(String key, List<String> entries) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        b.put(StateRecords.LIST);
        byte[] k = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        b.putInt(k.length).put(k);
        b.putInt(entries.size());
        for (String e : entries) {
            byte[] bytes = e.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            b.putInt(bytes.length).put(bytes);
        }
        byte[] payload = new byte[b.position()];
        b.flip().get(payload);
        return payload;
    }

    @Test
    void aCorruptSnapshotIsRefused() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        mutate(store);
        store.close();
        Path snapshot = directory.resolve(DataDirectory.SNAPSHOT_FILE);
        byte[] bytes = Files.readAllBytes(snapshot);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(snapshot, bytes);

        assertThatThrownBy(() -> MemoryStateStore.open(directory, OPTIONS, clock))
                .isInstanceOf(CorruptStateException.class)
                .hasMessageContaining(snapshot.toString());
    }

    @Test
    void aTruncatedSnapshotIsRefused() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        mutate(store);
        store.close();
        Path snapshot = directory.resolve(DataDirectory.SNAPSHOT_FILE);
        byte[] bytes = Files.readAllBytes(snapshot);
        Files.write(snapshot, java.util.Arrays.copyOf(bytes, bytes.length - 17));

        assertThatThrownBy(() -> MemoryStateStore.open(directory, OPTIONS, clock))
                .isInstanceOf(CorruptStateException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void aDirectoryIsUsedByOneStoreAtATime() {
        Path directory = temp.resolve("data");
        open(directory);
        assertThatThrownBy(() -> MemoryStateStore.open(directory, OPTIONS, clock))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void aSnapshotReplacesTheJournalsItCovers() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        mutate(store);
        store.checkpoint();
        store.checkpoint();
        assertThat(journals(directory)).hasSize(1);
        assertThat(Files.size(onlyJournal(directory))).as("only the header").isEqualTo(8);
    }

    private static Path copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) Files.copy(file, to.resolve(file.getFileName()));
        }
        return to;
    }

    /** How many triplet records and eviction records a store's directory holds, once flushed: what a restart replays. */
    private int[] tripletAndEvictionRecords(MemoryStateStore store, Path directory) throws IOException {
        store.flush();
        int[] counts = new int[2];
        StateRecords.Sink counting = new StateRecords.IgnoringSink() {
            @Override
            public void triplet(String key, TripletState state) {
                counts[0]++;
            }

            @Override
            public void evicted(byte keyType, String key) {
                counts[1]++;
            }
        };
        DataDirectory.open(copyDirectory(directory, temp.resolve("counted")), counting).close();
        return counts;
    }

    private static List<Path> journals(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().startsWith("journal-")).toList();
        }
    }

    private static Path onlyJournal(Path directory) throws IOException {
        List<Path> journals = journals(directory);
        assertThat(journals).hasSize(1);
        return journals.get(0);
    }

    // ---- bounds ---------------------------------------------------------------------------------

    @Test
    void overCapacityEvictsTheEntriesNearestToExpiry() {
        MemoryStateStore store = MemoryStateStore.inMemory(OPTIONS.withCapacity(100), clock);
        for (int i = 0; i < 150; i++) {
            store.greylist(greylist("192.0.2|s" + i + "@example.org|r@example.test", T0.plusSeconds(i)));
        }
        assertThat(store.stats().keys()).isEqualTo(100);
        assertThat(store.stats().capacity()).isEqualTo(100);
        assertThat(store.evictions()).isEqualTo(50);
        // The newest triplet expires last, so sampling never picks it.
        assertThat(store.greylist(dryRun("192.0.2|s149@example.org|r@example.test", T0.plusSeconds(200))).status()).isEqualTo(EARLY);
    }

    @Test
    void listsCountTowardCapacityAndAreEvictedNearestToExpiryWhileRecordsOfFieldsNeverAre() {
        MemoryStateStore store = MemoryStateStore.inMemory(OPTIONS.withCapacity(100), clock);
        for (int i = 0; i < 50; i++) store.putFields("account:u" + i, java.util.Map.of("refuse-abroad", "on"));
        for (int i = 0; i < 150; i++) store.push("logins:u" + i, "login", 20, T0.plusSeconds(i), KEEP_LOGINS);
        assertThat(store.stats().keys()).as("lists count; records of fields do not").isEqualTo(100);
        assertThat(store.evictions()).isEqualTo(50);
        assertThat(store.recent("logins:u149", T0)).as("the list expiring last is never sampled first").containsExactly("login");
        long listsKept = java.util.stream.IntStream.range(0, 150).filter(i -> !store.recent("logins:u" + i, T0).isEmpty()).count();
        assertThat(listsKept).isEqualTo(100);
        for (int i = 0; i < 50; i++) assertThat(store.fields("account:u" + i)).containsEntry("refuse-abroad", "on");

        // Lists and other keys compete for the same capacity: the nearest to expiry goes, whatever its kind.
        for (int i = 0; i < 10; i++) store.rate(charge("rate" + i, T0));
        assertThat(store.stats().keys()).isEqualTo(100);
        for (int i = 0; i < 10; i++) assertThat(store.rate(new RateRequest("rate" + i, List.of(HUNDRED_PER_HOUR), 0, T0, false)).windows().get(0).used())
                .as("a rate cell expiring within the hour outlives no list, so it is what goes").isZero();
    }

    @Test
    void anEvictedListIsJournaledSoARestartDoesNotBringItBack() throws IOException {
        Path directory = temp.resolve("evicted-lists");
        MemoryStateStore store = MemoryStateStore.open(directory, OPTIONS.withCapacity(10), clock);
        opened.add(store);
        for (int i = 0; i < 15; i++) store.push("logins:u" + i, "login", 20, T0.plusSeconds(i), KEEP_LOGINS);
        store.flush();
        MemoryStateStore reopened = MemoryStateStore.open(copyDirectory(directory, temp.resolve("after-kill")), OPTIONS.withCapacity(1000), clock);
        opened.add(reopened);
        assertThat(reopened.stats().keys()).isEqualTo(10);
        assertThat(reopened.recent("logins:u14", T0)).containsExactly("login");
    }

    @Test
    void evictionsOfPassedTripletsAreJournaledSoAKilledStoreComesBackWithThemGone() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = MemoryStateStore.open(directory, OPTIONS.withCapacity(100), clock);
        opened.add(store);
        // Half the senders beyond ASCII (SMTPUTF8): the journal's eviction records carry the table's UTF-8 bytes.
        java.util.function.IntFunction<String> triplet = i -> "192.0.2|" + (i % 2 == 0 ? "s" : "送信者") + i + "@example.org|r@example.test";
        // First attempts kept ten days, passes one: every eviction takes a triplet that passed (or their client), never
        // the one first attempt there is at a time.
        Duration tenDays = Duration.ofDays(10);
        Duration aDay = Duration.ofDays(1);
        for (int i = 0; i < 150; i++) {
            String t = triplet.apply(i);
            store.greylist(new GreylistRequest(t, "192.0.2", T0, DELAY, tenDays, tenDays, 0, false));
            assertThat(store.greylist(new GreylistRequest(t, "192.0.2", T0.plus(DELAY).plusSeconds(i), DELAY, aDay, aDay, 0, false)).status())
                    .isEqualTo(GreylistOutcome.Status.PASSED);
        }
        // 150 triplets and their client in a capacity of 100; the client, when sampled and evicted, comes back at its next pass.
        assertThat(store.evictions()).isGreaterThanOrEqualTo(51);
        assertThat(store.stats().keys()).isEqualTo(100);
        store.flush();

        // A larger capacity on reopening: only the journal can say which keys were evicted.
        MemoryStateStore reopened = MemoryStateStore.open(copyDirectory(directory, temp.resolve("after-kill")), OPTIONS.withCapacity(1000), clock);
        opened.add(reopened);
        assertThat(reopened.stats().keys()).isEqualTo(100);
        assertThat(reopened.evictions()).isZero();
        // Key for key, the reopened store knows what the killed one knew: the evicted ones, multibyte too, stay gone.
        java.util.function.Function<MemoryStateStore, List<GreylistOutcome.Status>> statuses = s -> java.util.stream.IntStream.range(0, 150)
                .mapToObj(i -> s.greylist(new GreylistRequest(triplet.apply(i), "192.0.2", T0.plus(DELAY).plusSeconds(200), DELAY, aDay, aDay, 0, true)).status())
                .toList();
        List<GreylistOutcome.Status> before = statuses.apply(store);
        assertThat(before).containsOnly(KNOWN, NEW).contains(KNOWN);
        assertThat(statuses.apply(reopened)).isEqualTo(before);
        assertThat(java.util.stream.IntStream.range(0, 150).filter(i -> i % 2 == 1 && before.get(i) == NEW).count())
                .as("multibyte keys among the evicted").isPositive();
    }

    @Test
    void evictionsOfTripletsThatNeverPassedAreNotJournaledAndAReplayEvictsAgainToStayWithinItsCapacity() throws IOException {
        Path directory = temp.resolve("data");
        MemoryStateStore store = MemoryStateStore.open(directory, OPTIONS.withCapacity(100), clock);
        opened.add(store);
        java.util.function.IntFunction<String> triplet = i -> "192.0.2|s" + i + "@example.org|r@example.test";
        for (int i = 0; i < 1000; i++) store.greylist(greylist(triplet.apply(i), T0.plusSeconds(i)));
        assertThat(store.evictions()).isEqualTo(900);
        assertThat(tripletAndEvictionRecords(store, directory)).as("one record a new triplet, none an eviction").containsExactly(1000, 0);

        // Killed and started again with the same capacity: the replay brings back what was evicted and evicts again.
        MemoryStateStore reopened = MemoryStateStore.open(copyDirectory(directory, temp.resolve("after-kill")), OPTIONS.withCapacity(100), clock);
        opened.add(reopened);
        assertThat(reopened.stats().keys()).isEqualTo(100);
        assertThat(reopened.evictions()).isEqualTo(900);
        assertThat(reopened.greylist(dryRun(triplet.apply(999), T0.plusSeconds(1000))).status())
                .as("the newest triplet expires last, so no sampling picks it").isEqualTo(EARLY);

        // With room for them, they are all back: one that memory had evicted lets its retry pass, as a larger capacity would have.
        MemoryStateStore roomy = MemoryStateStore.open(copyDirectory(directory, temp.resolve("roomy")), OPTIONS.withCapacity(10_000), clock);
        opened.add(roomy);
        assertThat(roomy.stats().keys()).isEqualTo(1000);
        assertThat(store.greylist(dryRun(triplet.apply(0), T0.plus(DELAY))).status()).isEqualTo(NEW);
        assertThat(roomy.greylist(dryRun(triplet.apply(0), T0.plus(DELAY))).status()).isEqualTo(GreylistOutcome.Status.PASSED);
    }

    @Test
    void aSweepRemovesWhatExpiredByTheMovedClock() {
        MemoryStateStore store = MemoryStateStore.inMemory(OPTIONS.withRestrictionRetention(Duration.ofDays(30)), clock);
        for (int i = 0; i < 10; i++) store.greylist(greylist("192.0.2|s" + i + "@example.org|r@example.test", T0));
        store.greylist(greylist("192.0.2|s0@example.org|r@example.test", T0.plus(DELAY)));
        for (int i = 0; i < 5; i++) store.rate(charge("key" + i, T0));
        store.impose(restriction("r1"));
        store.push("logins:alice", "login", 20, T0, Duration.ofMinutes(90));
        store.putFields("account:alice", java.util.Map.of("refuse-abroad", "on"));
        assertThat(store.stats().keys()).isEqualTo(10 + 1 + 5 + 1);

        clock.set(T0.plus(Duration.ofHours(2)));
        assertThat(store.sweepExpired()).as("rate cells drained, the list expired").isEqualTo(5 + 1);
        assertThat(store.recent("logins:alice", T0)).as("swept, not merely hidden").isEmpty();
        clock.set(T0.plus(RETRY_WINDOW));
        assertThat(store.sweepExpired()).as("unpassed triplets past their retry window").isEqualTo(9);
        assertThat(store.restrictions()).hasSize(1);
        clock.set(T0.plus(DELAY).plus(MAX_AGE));
        assertThat(store.sweepExpired()).as("the passed triplet and its client").isEqualTo(2);
        assertThat(store.stats().keys()).isZero();
        assertThat(store.fields("account:alice")).as("records of fields never expire").containsEntry("refuse-abroad", "on");

        // The restriction ended at T0+1d; it is purged 30 days later.
        clock.set(T0.plus(Duration.ofDays(31)).plusSeconds(1));
        store.sweepExpired();
        assertThat(store.restrictions()).isEmpty();
    }

    // ---- concurrency ----------------------------------------------------------------------------

    @Test
    void manyThreadsChargingOneKeyNeverExceedTheLimit() throws Exception {
        MemoryStateStore store = open(temp.resolve("data"));
        RateWindow perMinute = new RateWindow(700, Duration.ofMinutes(1));
        RateWindow perHour = new RateWindow(1000, Duration.ofHours(1));
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit((Callable<Integer>) () -> {
                    start.await();
                    int allowed = 0;
                    for (int i = 0; i < 500; i++) {
                        if (store.rate(new RateRequest("hot", List.of(perMinute, perHour), 1, T0, false)).allowed()) allowed++;
                    }
                    return allowed;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> result : results) total += result.get();
            assertThat(total).isEqualTo(700);
        } finally {
            pool.shutdownNow();
        }
        store.flush();
        Path copy = copyDirectory(temp.resolve("data"), temp.resolve("copy"));
        MemoryStateStore reopened = open(copy);
        // Refused requests charged neither window, and every acknowledged charge reached the journal.
        assertThat(reopened.rate(new RateRequest("hot", List.of(perMinute, perHour), 0, T0, false)).windows())
                .extracting(w -> w.used()).containsExactly(700L, 700L);
    }

    @Test
    void optionsRejectNonsense() {
        assertThatThrownBy(() -> OPTIONS.withCapacity(0)).hasMessageContaining("capacity must be positive, was 0");
    }
}
