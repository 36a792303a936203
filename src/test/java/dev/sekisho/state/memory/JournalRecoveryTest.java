package dev.sekisho.state.memory;

import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Journals as a killed process leaves them. The writer before the buffered one claimed each record's
 * place in a shared mapping and then copied it, so its journals can hold a record whose writer died
 * between the two: recovery steps over it and keeps what other writers finished after it. Journals
 * of either writer are read by the same recovery, so these cases stay.
 */
class JournalRecoveryTest {

    private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");

    @TempDir
    Path temp;
    private final MutableClock clock = new MutableClock(T0);
    private final List<MemoryStateStore> opened = new ArrayList<>();

    @AfterEach
    void closeLeftovers() {
        opened.forEach(MemoryStateStore::close);
    }

    private MemoryStateStore open(Path directory) throws IOException {
        MemoryStateStore store = MemoryStateStore.open(directory, MemoryStateStoreTest.OPTIONS, clock);
        opened.add(store);
        return store;
    }

    @Test
    void aRecordWhoseWriterDiedRightAfterClaimingItsPlaceIsSteppedOverAndTheRecordsAfterItKept() throws IOException {
        Path copy = threeRecordsKilled("claimed");
        List<Long> frames = frameOffsets(onlyJournal(copy));
        assertThat(frames).hasSize(3);
        // Claimed (header in place) but nothing copied: the payload is still zeros.
        overwritePayload(onlyJournal(copy), frames.get(1), 0, Integer.MAX_VALUE);

        MemoryStateStore reopened = open(copy);
        assertThat(reopened.fields("account:a")).containsEntry("k", "a");
        assertThat(reopened.fields("account:b")).as("its call never returned").isEmpty();
        assertThat(reopened.fields("account:c")).as("acknowledged after the dead writer claimed its place").containsEntry("k", "c");
    }

    @Test
    void aHalfCopiedRecordIsSteppedOverNotReadAsGarbage() throws IOException {
        Path copy = threeRecordsKilled("half");
        Path journal = onlyJournal(copy);
        List<Long> frames = frameOffsets(journal);
        int length = JournalFile.lengthOf(ByteBuffer.wrap(Files.readAllBytes(journal)).getLong(frames.get(1).intValue()));
        overwritePayload(journal, frames.get(1), length / 2, Integer.MAX_VALUE); // the second half never arrived

        MemoryStateStore reopened = open(copy);
        assertThat(reopened.fields("account:a")).containsEntry("k", "a");
        assertThat(reopened.fields("account:b")).isEmpty();
        assertThat(reopened.fields("account:c")).containsEntry("k", "c");

        // Appends after the recovery go on after the last record, and the next recovery steps over the same hole.
        reopened.putFields("account:d", Map.of("k", "d"));
        MemoryStateStore again = open(copyDirectory(copy, temp.resolve("again")));
        assertThat(again.fields("account:c")).containsEntry("k", "c");
        assertThat(again.fields("account:d")).containsEntry("k", "d");
        assertThat(again.fields("account:b")).isEmpty();
    }

    @Test
    void aTornLastRecordIsCutOffSoTheNextAppendTakesItsPlace() throws IOException {
        Path copy = threeRecordsKilled("last");
        Path journal = onlyJournal(copy);
        List<Long> frames = frameOffsets(journal);
        overwritePayload(journal, frames.get(2), 3, Integer.MAX_VALUE);

        MemoryStateStore reopened = open(copy);
        assertThat(reopened.fields("account:c")).isEmpty();
        assertThat(Files.size(journal)).as("cut to the end of the last intact record").isEqualTo(frames.get(2));
        reopened.putFields("account:e", Map.of("k", "e"));
        assertThat(frameOffsets(journal)).hasSize(3);
    }

    @Test
    void manyWritersAtOnceOverSeveralRegionsLoseNothingAcknowledged() throws Exception {
        Path directory = temp.resolve("data");
        MemoryStateStore store = open(directory);
        int threads = 8;
        int perThread = 2_500;
        String padding = "x".repeat(500); // about 530 bytes a record: more than two regions, with region ends to skip
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int writer = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) store.putFields("account:" + writer + "-" + i, Map.of("pad", padding));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
        assertThat(store.journalBytes()).isGreaterThan(2L * DataDirectory.REGION_BYTES);
        // No close: the copy is what a killed process leaves.
        MemoryStateStore reopened = open(copyDirectory(directory, temp.resolve("after-kill")));
        assertThat(reopened.stats().keys()).isZero(); // records of fields do not count as keys
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                assertThat(reopened.fields("account:" + t + "-" + i)).as("writer %d record %d", t, i).containsEntry("pad", padding);
            }
        }
    }

    @Test
    void aVersionOneJournalIsReadAndTheNewRecordsGoToANewJournal() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("v1"));
        StateRecords.Encoder encoder = new StateRecords.Encoder();
        ByteBuffer first = encoder.fields("account:old", Map.of("k", "old"));
        byte[] frame = new byte[first.remaining()];
        first.get(frame);
        ByteBuffer file = ByteBuffer.allocate(JournalFile.MAGIC_V1.length + frame.length).put(JournalFile.MAGIC_V1).put(frame);
        Path v1 = directory.resolve("journal-0000000000000001.log");
        Files.write(v1, file.array());

        MemoryStateStore store = open(directory);
        assertThat(store.fields("account:old")).containsEntry("k", "old");
        store.putFields("account:new", Map.of("k", "new"));
        assertThat(Files.size(v1)).as("the old journal is not appended to").isEqualTo(file.capacity());

        MemoryStateStore reopened = open(copyDirectory(directory, temp.resolve("copy")));
        assertThat(reopened.fields("account:old")).containsEntry("k", "old");
        assertThat(reopened.fields("account:new")).containsEntry("k", "new");
    }

    /** A store that wrote account:a, b and c, copied without closing (what a kill leaves). */
    private Path threeRecordsKilled(String name) throws IOException {
        Path directory = temp.resolve(name);
        MemoryStateStore store = open(directory);
        store.putFields("account:a", Map.of("k", "a"));
        store.putFields("account:b", Map.of("k", "b"));
        store.putFields("account:c", Map.of("k", "c"));
        return copyDirectory(directory, temp.resolve(name + "-killed"));
    }

    /** Where each claimed frame starts, walking the chain as recovery does. */
    private static List<Long> frameOffsets(Path journal) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(journal));
        List<Long> offsets = new ArrayList<>();
        long at = JournalFile.MAGIC.length;
        while (at + 8 <= bytes.capacity()) {
            long header = bytes.getLong((int) at);
            if (header == 0) break;
            if (header == JournalFile.SKIP_TO_NEXT_REGION) {
                at = (at / DataDirectory.REGION_BYTES + 1) * DataDirectory.REGION_BYTES;
                continue;
            }
            offsets.add(at);
            at += JournalFile.aligned(8 + JournalFile.lengthOf(header));
        }
        return offsets;
    }

    /** Zeros the frame's payload from byte {@code from} (of the payload) on, at most {@code count} bytes. */
    private static void overwritePayload(Path journal, long frame, int from, int count) throws IOException {
        byte[] bytes = Files.readAllBytes(journal);
        int length = JournalFile.lengthOf(ByteBuffer.wrap(bytes).getLong((int) frame));
        int start = (int) frame + 8 + from;
        int end = (int) Math.min((long) frame + 8 + length, (long) start + count);
        for (int i = start; i < end; i++) bytes[i] = 0;
        Files.write(journal, bytes);
    }

    private static Path copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) Files.copy(file, to.resolve(file.getFileName()));
        }
        return to;
    }

    private static Path onlyJournal(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> journals = files.filter(p -> p.getFileName().toString().startsWith("journal-")).toList();
            assertThat(journals).hasSize(1);
            return journals.get(0);
        }
    }
}
