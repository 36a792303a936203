package dev.sekisho.state.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The buffered journal writer on its own: what reaches the file, when, and where. */
class JournalFileTest {

    @TempDir
    Path temp;

    private final StateRecords.Encoder encoder = new StateRecords.Encoder();

    /** A framed record of about {@code padding} bytes more than an empty one. */
    private ByteBuffer record(String key, int padding) {
        return encoder.fields(key, Map.of("pad", "x".repeat(padding)));
    }

    private static long aligned(ByteBuffer frame) {
        return JournalFile.aligned(frame.remaining());
    }

    @Test
    void appendsReachTheFileAtTheFlushInTheOrderTheyWereMade() throws IOException {
        Path file = temp.resolve("journal");
        JournalFile journal = JournalFile.open(file, 0);
        ByteBuffer first = record("a", 10);
        long firstSlot = aligned(first);
        byte[] firstBytes = bytesOf(first);
        journal.append(first);
        journal.append(record("b", 20));
        assertThat(Files.size(file)).as("nothing written before the flush").isEqualTo(JournalFile.MAGIC.length);

        journal.flush();
        byte[] written = Files.readAllBytes(file);
        assertThat(written.length).isEqualTo(journal.length());
        assertThat(ByteBuffer.wrap(written, JournalFile.MAGIC.length, firstBytes.length)).isEqualTo(ByteBuffer.wrap(firstBytes));
        long second = JournalFile.MAGIC.length + firstSlot;
        assertThat(JournalFile.lengthOf(ByteBuffer.wrap(written).getLong((int) second))).isPositive();
        journal.seal();
        journal.close();
    }

    @Test
    void aRecordThatWouldCrossARegionEndStartsTheNextRegionAfterASkipMarker() throws IOException {
        int region = 1024;
        Path file = temp.resolve("journal");
        JournalFile journal = JournalFile.open(file, 0, region);
        ByteBuffer filler = record("filler", 800);
        long fillerEnd = JournalFile.MAGIC.length + aligned(filler);
        journal.append(filler);
        ByteBuffer next = record("next", 300); // does not fit in the rest of the first region
        assertThat(fillerEnd + aligned(next)).isGreaterThan(region);
        journal.append(next);
        journal.flush();

        ByteBuffer written = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(written.getLong((int) fillerEnd)).isEqualTo(JournalFile.SKIP_TO_NEXT_REGION);
        for (int i = (int) fillerEnd + Long.BYTES; i < region; i++) assertThat(written.get(i)).as("byte %d", i).isZero();
        assertThat(JournalFile.lengthOf(written.getLong(region))).isEqualTo(next.remaining() - StateRecords.FRAME_HEADER_BYTES);
        assertThat(journal.length()).isEqualTo(region + aligned(next));
        journal.seal();
        journal.close();
    }

    @Test
    void appendsThatNobodyFlushesAreWrittenByTheAppenderOnceTheyPassTheBound() throws IOException {
        Path file = temp.resolve("journal");
        JournalFile journal = JournalFile.open(file, 0);
        ByteBuffer one = record("k", 4000);
        long appended = 0;
        while (appended < JournalFile.WRITE_BEHIND_BYTES) {
            journal.append(one.duplicate());
            appended += aligned(one);
        }
        assertThat(Files.size(file)).as("memory stays bounded without a flush").isGreaterThanOrEqualTo(JournalFile.WRITE_BEHIND_BYTES);
        journal.seal();
        journal.close();
        assertThat(Files.size(file)).isEqualTo(journal.length());
    }

    @Test
    void closeWritesWhatIsPendingAndAFlushAfterItHasNothingToDo() throws IOException {
        Path file = temp.resolve("journal");
        JournalFile journal = JournalFile.open(file, 0);
        journal.append(record("a", 10));
        journal.seal();
        assertThat(journal.enter()).as("a sealed journal takes no append").isFalse();
        journal.close();
        assertThat(Files.size(file)).isEqualTo(journal.length()).isGreaterThan(JournalFile.MAGIC.length);
        journal.flush();
    }

    @Test
    void aJournalIsClosedOnlyOnceSealed() throws IOException {
        JournalFile journal = JournalFile.open(temp.resolve("journal"), 0);
        assertThatThrownBy(journal::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("before it was sealed");
        journal.seal();
        journal.close();
    }

    @Test
    void aFailedWriteKeepsItsFramesAndTheNextFlushWritesThemAheadOfNewerOnes() throws IOException {
        FailingDisk disk = new FailingDisk();
        Path file = temp.resolve("journal");
        JournalFile journal = JournalFile.open(file, 0, DataDirectory.REGION_BYTES, JournalFile.MAX_PENDING_BYTES, disk.opener());
        ByteBuffer first = record("first", 10);
        byte[] firstBytes = bytesOf(first);
        journal.append(first);
        disk.fail(file);
        assertThatThrownBy(journal::flush).isInstanceOf(IOException.class).hasMessageContaining("No space left");
        ByteBuffer second = record("second", 20);
        byte[] secondBytes = bytesOf(second);
        journal.append(second);
        assertThat(Files.size(file)).isEqualTo(JournalFile.MAGIC.length);

        disk.heal();
        journal.flush();
        byte[] written = Files.readAllBytes(file);
        assertThat(written.length).isEqualTo(journal.length());
        assertThat(ByteBuffer.wrap(written, JournalFile.MAGIC.length, firstBytes.length)).isEqualTo(ByteBuffer.wrap(firstBytes));
        int secondAt = JournalFile.MAGIC.length + (int) JournalFile.aligned(firstBytes.length);
        assertThat(ByteBuffer.wrap(written, secondAt, secondBytes.length)).isEqualTo(ByteBuffer.wrap(secondBytes));
        journal.seal();
        journal.close();
    }

    @Test
    void aDiskThatKeepsFailingIsTriedOncePerWriteBehindStepAndPastTheBoundTheJournalHasAGap() throws IOException {
        FailingDisk disk = new FailingDisk();
        Path file = temp.resolve("journal");
        int bound = 8 * JournalFile.WRITE_BEHIND_BYTES;
        JournalFile journal = JournalFile.open(file, 0, DataDirectory.REGION_BYTES, bound, disk.opener());
        disk.fail(file);
        ByteBuffer one = record("k", 4000);
        long appended = 0;
        while (appended < 5L * JournalFile.WRITE_BEHIND_BYTES) {
            journal.append(one.duplicate());
            appended += aligned(one);
        }
        // Once at each further megabyte, not on each of the 1,300 appends after the first.
        assertThat(disk.refusedWrites.get()).isBetween(4, 6);
        assertThat(journal.hasGap()).isFalse();

        while (appended <= bound + aligned(one)) {
            journal.append(one.duplicate());
            appended += aligned(one);
        }
        assertThat(journal.hasGap()).as("more waited than the bound allows").isTrue();
        long dropped = journal.droppedBytes();
        assertThat(dropped).isGreaterThan(bound);
        journal.append(one.duplicate());
        assertThat(journal.droppedBytes()).as("appends after the gap are counted, not kept").isEqualTo(dropped + aligned(one));

        disk.heal();
        assertThatThrownBy(journal::flush).as("a healed disk does not undo the gap")
                .isInstanceOf(JournalFile.GapException.class).hasMessageContaining("next snapshot");
        assertThat(Files.size(file)).as("nothing after the gap reaches the file").isEqualTo(JournalFile.MAGIC.length);
        journal.seal();
        journal.close();
    }

    @Test
    void aCloseWhoseWriteFailedCanBeCalledAgainAndWritesEverything() throws IOException {
        FailingDisk disk = new FailingDisk();
        Path file = temp.resolve("journal");
        JournalFile journal = JournalFile.open(file, 0, DataDirectory.REGION_BYTES, JournalFile.MAX_PENDING_BYTES, disk.opener());
        journal.append(record("a", 10));
        journal.seal();
        disk.fail(file);
        assertThatThrownBy(journal::close).isInstanceOf(IOException.class);

        disk.heal();
        journal.close();
        assertThat(Files.size(file)).isEqualTo(journal.length()).isGreaterThan(JournalFile.MAGIC.length);
    }

    @Test
    void whileWritesFailThePendingBufferNeverGrowsPastTheBound() throws IOException {
        FailingDisk disk = new FailingDisk();
        Path file = temp.resolve("journal");
        int bound = 8 * JournalFile.WRITE_BEHIND_BYTES;
        JournalFile journal = JournalFile.open(file, 0, DataDirectory.REGION_BYTES, bound, disk.opener());
        disk.fail(file);
        ByteBuffer one = record("k", 3000);
        while (!journal.hasGap()) {
            journal.append(one.duplicate());
        }
        assertThat(journal.largestPendingCapacity()).as("the largest the buffer grew").isLessThanOrEqualTo(bound);
        assertThat(journal.droppedBytes()).isGreaterThan(bound - aligned(one));
        assertThatThrownBy(journal::flush).isInstanceOf(JournalFile.GapException.class)
                .hasRootCauseMessage("No space left on device (FailingDisk)");
    }

    @Test
    void aCloseWhoseForceFailedForcesAgainWhenCalledAgain() throws IOException {
        FailingDisk disk = new FailingDisk();
        Path file = temp.resolve("journal");
        JournalFile journal = JournalFile.open(file, 0, DataDirectory.REGION_BYTES, JournalFile.MAX_PENDING_BYTES, disk.opener());
        journal.append(record("a", 10));
        journal.flush(); // written; only the force is left for close
        journal.seal();
        disk.fail(file);
        assertThatThrownBy(journal::close).isInstanceOf(IOException.class);

        disk.heal();
        int forced = disk.forces.get();
        journal.close();
        assertThat(disk.forces.get()).as("the second close forces the file").isEqualTo(forced + 1);
        journal.close();
        assertThat(disk.forces.get()).as("a closed journal is not forced again").isEqualTo(forced + 1);
    }

    private static byte[] bytesOf(ByteBuffer frame) {
        byte[] bytes = new byte[frame.remaining()];
        frame.duplicate().get(bytes);
        return bytes;
    }
}
