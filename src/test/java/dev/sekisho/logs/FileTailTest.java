package dev.sekisho.logs;

import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives a tail poll by poll against real files: rotation, truncation, restarts, partial lines. */
class FileTailTest {
    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-12-02T06:00:00Z");
    private final List<String> lines = new ArrayList<>();

    private Path log() {
        return dir.resolve("mail.log");
    }

    private FileTail tail() {
        return new FileTail(log(), dir.resolve("mail.log.position"), line -> lines.add(line.text()), clock, 100);
    }

    private void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private List<String> taken() {
        List<String> copy = List.copyOf(lines);
        lines.clear();
        return copy;
    }

    @Test
    void fileThatDoesNotExistYetIsReadFromItsStartWhenItAppears() throws IOException {
        try (FileTail tail = tail()) {
            assertThat(tail.poll()).isZero();
            append(log(), "one\ntwo\n");
            assertThat(tail.poll()).isEqualTo(2);
            assertThat(taken()).containsExactly("one", "two");
        }
    }

    @Test
    void fileSeenForTheFirstTimeIsFollowedFromItsEnd() throws IOException {
        append(log(), "history\n");
        try (FileTail tail = tail()) {
            assertThat(tail.poll()).isZero();
            append(log(), "new\r\n");
            tail.poll();
            assertThat(taken()).containsExactly("new");
        }
    }

    @Test
    void lineBeingWrittenWhenAFileIsFirstSeenIsHandedOverWhole() throws IOException {
        append(log(), "history\nbeing wri");
        try (FileTail tail = tail()) {
            assertThat(tail.poll()).isZero();
            append(log(), "tten\n");
            tail.poll();
            assertThat(taken()).containsExactly("being written");
        }
    }

    @Test
    void lineIsHandedOverOnlyOnceItsNewlineIsWrittenWithTheTimeItWasRead() throws IOException {
        List<LogLine> received = new ArrayList<>();
        try (FileTail tail = new FileTail(log(), dir.resolve("p"), received::add, clock, 100)) {
            tail.poll();
            append(log(), "half a li");
            assertThat(tail.poll()).isZero();
            clock.advance(Duration.ofSeconds(3));
            append(log(), "ne\nnext");
            assertThat(tail.poll()).isEqualTo(1);
            assertThat(received).containsExactly(new LogLine("half a line", clock.instant()));
        }
    }

    @Test
    void rotationFinishesTheOldFileThenFollowsTheNewOneFromItsStart() throws IOException {
        try (FileTail tail = tail()) {
            tail.poll(); // no file yet: it will be read from its start
            append(log(), "a1\n");
            tail.poll();
            append(log(), "a2\n"); // written just before the rotation, not yet read
            Files.move(log(), dir.resolve("mail.log.1"));
            append(dir.resolve("mail.log.1"), "a3\n"); // the writer still had the old file open
            assertThat(tail.poll()).isEqualTo(2); // renamed away, no new file yet: keep reading the old one
            append(log(), "b1\nb2\n");
            tail.poll();
            assertThat(taken()).containsExactly("a1", "a2", "a3", "b1", "b2");
            append(log(), "b3\n");
            tail.poll();
            assertThat(taken()).containsExactly("b3");
        }
    }

    @Test
    void rotationWithinOnePollLosesNothing() throws IOException {
        try (FileTail tail = tail()) {
            tail.poll(); // no file yet: it will be read from its start
            append(log(), "a1\n");
            tail.poll();
            append(log(), "a2\n");
            Files.move(log(), dir.resolve("mail.log.1"));
            append(log(), "b1\n");
            assertThat(tail.poll()).isEqualTo(2);
            assertThat(taken()).containsExactly("a1", "a2", "b1");
        }
    }

    @Test
    void truncationReadsTheFileAgainFromItsStart() throws IOException {
        try (FileTail tail = tail()) {
            tail.poll();
            append(log(), "one\ntwo\nthree\n");
            tail.poll();
            Files.writeString(log(), "", StandardOpenOption.TRUNCATE_EXISTING); // copytruncate
            append(log(), "four\n");
            tail.poll();
            assertThat(taken()).containsExactly("one", "two", "three", "four");
        }
    }

    @Test
    void fileRewrittenPastTheOldOffsetBetweenTwoPollsIsReadFromItsStart() throws IOException {
        try (FileTail tail = tail()) {
            tail.poll();
            append(log(), "old\n");
            tail.poll();
            taken();
            // truncated and written again, longer than before, before the next poll: same inode, size grew
            Files.writeString(log(), "fresh one\nfresh two\n", StandardOpenOption.TRUNCATE_EXISTING);
            tail.poll();
            assertThat(taken()).containsExactly("fresh one", "fresh two");
        }
    }

    @Test
    void restartGoesOnAfterTheLastLineHandedOverWithoutDuplicatesOrLoss() throws IOException {
        append(log(), "");
        try (FileTail first = tail()) {
            first.poll();
            append(log(), "one\ntwo\nthr");
            first.poll();
        }
        append(log(), "ee\nfour\n");
        try (FileTail second = tail()) {
            second.poll();
        }
        assertThat(taken()).containsExactly("one", "two", "three", "four");
        assertThat(Files.readString(dir.resolve("mail.log.position"))).contains("offset=19");
    }

    @Test
    void restartAfterARotationWhileStoppedFinishesTheRotatedFileFirst() throws IOException {
        try (FileTail first = tail()) {
            first.poll();
            append(log(), "a1\n");
            first.poll();
        }
        append(log(), "a2\n");
        Files.move(log(), dir.resolve("mail.log.1"));
        append(log(), "b1\n");
        Files.writeString(dir.resolve("mail.log.2.gz"), "not this one");
        try (FileTail second = tail()) {
            second.poll();
            append(log(), "b2\n");
            second.poll();
        }
        assertThat(taken()).containsExactly("a1", "a2", "b1", "b2");
    }

    @Test
    void restartAfterTheOldFileIsGoneReadsTheNewFileFromItsStart() throws IOException {
        try (FileTail first = tail()) {
            first.poll();
            append(log(), "a1\n");
            first.poll();
        }
        Files.delete(log());
        append(log(), "b1\n");
        try (FileTail second = tail()) {
            second.poll();
        }
        assertThat(taken()).containsExactly("a1", "b1");
    }

    @Test
    void overlongLineIsSkippedAndTheNextOneRead() throws IOException {
        try (FileTail tail = tail()) {
            tail.poll();
            append(log(), "x".repeat(150));
            tail.poll();
            append(log(), "y".repeat(50) + "\nshort\n");
            tail.poll();
            assertThat(taken()).containsExactly("short");
        }
    }

    @Test
    void failingHandlerDoesNotStopTheTail() throws IOException {
        List<String> seen = new ArrayList<>();
        try (FileTail tail = new FileTail(log(), dir.resolve("p"), line -> {
            seen.add(line.text());
            if (line.text().equals("bad")) throw new IllegalStateException("boom");
            return false;
        }, clock, 100)) {
            tail.poll();
            append(log(), "bad\ngood\n");
            assertThat(tail.poll()).isEqualTo(2);
        }
        assertThat(seen).containsExactly("bad", "good");
    }

    @Test
    void aCountedLineHasItsPositionSavedAtOnceSoACrashRereadsNothingCounted() throws IOException {
        Path positions = dir.resolve("p");
        List<Long> savedWhenSeen = new ArrayList<>();
        try (FileTail tail = new FileTail(log(), positions, line -> {
            try {
                // what a crash at this moment would restart from
                savedWhenSeen.add(TailPosition.load(positions).map(TailPosition::offset).orElse(-1L));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return line.text().startsWith("counted");
        }, clock, 100)) {
            tail.poll();
            append(log(), "plain\ncounted\nafter\n"); // one chunk: saved at its end only, but for the counted line
            tail.poll();
        }
        // "plain" and "counted" see no position yet (the file was new: a crash would read it again from its start);
        // "after" already sees the end of "counted" (6 + 8 bytes), though the chunk's end is not saved yet
        assertThat(savedWhenSeen).containsExactly(-1L, -1L, 14L);
    }

    @Test
    void aLineIsHandedOverThroughThePositionStoreWithThePositionJustPastIt() throws IOException {
        List<String> calls = new ArrayList<>();
        PositionStore store = new PositionStore() {
            private TailPosition saved;

            @Override
            public java.util.Optional<TailPosition> load() {
                return java.util.Optional.ofNullable(saved);
            }

            @Override
            public void save(TailPosition position) {
                saved = position;
                calls.add("save " + position.offset());
            }

            @Override
            public boolean handOver(LineHandler handler, LogLine line, TailPosition after) {
                // what a store that saves both as one unit is given: the line, and where the next one starts
                calls.add(line.text() + " then " + after.offset() + " head " + after.headLength());
                return handler.handle(line);
            }
        };
        try (FileTail tail = new FileTail(log(), store, line -> true, clock, 100)) {
            tail.poll();
            append(log(), "plain\ncounted\nhalf");
            tail.poll();
        }
        assertThat(calls).containsExactly("plain then 6 head 6", "counted then 14 head 14", "save 14");
    }
}
