package dev.sekisho.state.memory;

import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's maintenance when its journal's disk fails: the snapshot that makes the files whole, and its retries. */
class MemoryStateStoreDiskFailureTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int BOUND = 32 * 1024;

    @TempDir
    Path directory;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T08:00:00Z"));
    private final FailingDisk disk = new FailingDisk();

    private MemoryStateStore open() throws IOException {
        return MemoryStateStore.open(directory, MemoryStateStoreTest.OPTIONS, clock,
                (file, tail) -> JournalFile.open(file, tail, DataDirectory.REGION_BYTES, BOUND, disk.opener()));
    }

    private Path journal(long sequence) {
        return directory.resolve(String.format("journal-%016d.log", sequence));
    }

    /** Settings written while the journal's disk is full, until so many wait that they are dropped. */
    private static int fillUntilDropped(MemoryStateStore store) {
        int written = 0;
        while (true) {
            try {
                store.putFields("account:" + written++, Map.of("note", "x".repeat(1000)));
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof JournalFile.GapException) return written;
            }
        }
    }

    @Test
    void droppedChangesAreSnapshottedAtTheNextTickAndSurviveARestart() throws IOException {
        MemoryStateStore store = open();
        disk.fail(journal(1));
        int written = fillUntilDropped(store);

        store.maintain(System.nanoTime()); // the force fails; the snapshot does not need the failed journal
        store.flush();
        store.putFields("account:after", Map.of("note", "kept"));
        store.close();

        disk.heal();
        MemoryStateStore reopened = open();
        for (int i = 0; i < written; i++) assertThat(reopened.fields("account:" + i)).as("account %d", i).containsKey("note");
        assertThat(reopened.fields("account:after")).containsEntry("note", "kept");
        reopened.close();
    }

    @Test
    void closingWhileDroppedChangesWaitForASnapshotWritesIt() throws IOException {
        MemoryStateStore store = open();
        disk.fail(journal(1));
        int written = fillUntilDropped(store);
        Path blocked = Files.createDirectory(directory.resolve("state.snapshot.tmp")); // the snapshot cannot be written
        store.maintain(System.nanoTime()); // starts journal 2, which holds no change, then fails to write the snapshot
        Files.delete(blocked);
        disk.heal();
        store.close();

        MemoryStateStore reopened = open();
        for (int i = 0; i < written; i++) assertThat(reopened.fields("account:" + i)).as("account %d", i).containsKey("note");
        reopened.close();
    }

    @Test
    void aSnapshotThatFailsIsTriedAgainAfterAGrowingPauseNotOnEveryTick() throws IOException {
        MemoryStateStore store = open();
        disk.fail(journal(1));
        disk.fail(journal(2)); // the snapshot's new journal cannot be started either: each try is one refused write
        fillUntilDropped(store);
        long start = System.nanoTime();
        int refused = disk.refusedWrites.get();

        store.maintain(start);
        assertThat(disk.refusedWrites.get()).as("first try").isEqualTo(refused + 1);
        store.maintain(start + SECOND / 2);
        store.maintain(start + SECOND * 9 / 10);
        assertThat(disk.refusedWrites.get()).as("within the first pause (1 s)").isEqualTo(refused + 1);
        store.maintain(start + SECOND * 11 / 10);
        assertThat(disk.refusedWrites.get()).as("second try").isEqualTo(refused + 2);
        store.maintain(start + SECOND * 29 / 10);
        assertThat(disk.refusedWrites.get()).as("within the second pause (2 s)").isEqualTo(refused + 2);
        assertThatThrownBy(store::flush).hasCauseInstanceOf(JournalFile.GapException.class);

        disk.heal();
        store.maintain(start + SECOND * 32 / 10);
        store.flush(); // the snapshot was written: the files are whole again
        store.close();
    }
}
