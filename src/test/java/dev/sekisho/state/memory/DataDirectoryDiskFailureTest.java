package dev.sekisho.state.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the data directory does when its disk fails under it, and when the disk comes back. */
class DataDirectoryDiskFailureTest {

    private static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");

    @TempDir
    Path directory;

    private final FailingDisk disk = new FailingDisk();

    private DataDirectory open(int maxPendingBytes, StateRecords.Sink restore) throws IOException {
        return DataDirectory.open(directory, restore,
                (file, tail) -> JournalFile.open(file, tail, DataDirectory.REGION_BYTES, maxPendingBytes, disk.opener()));
    }

    /** The fields records recovery feeds, by key. */
    private static final class Recovered extends StateRecords.IgnoringSink {
        final Map<String, Map<String, String>> fields = new HashMap<>();

        @Override
        public void fields(String key, Map<String, String> values) {
            fields.put(key, values);
        }
    }

    private static Consumer<StateRecords.Sink> snapshotOf(Map<String, String> keyToValue) {
        return sink -> keyToValue.forEach((key, value) -> sink.fields(key, Map.of("v", value)));
    }

    private Path journal(long sequence) {
        return directory.resolve(String.format("journal-%016d.log", sequence));
    }

    @Test
    void recordsOfAJournalACheckpointCouldNotCloseAreWrittenOnceTheDiskHeals() throws IOException {
        DataDirectory data = open(JournalFile.MAX_PENDING_BYTES, new Recovered());
        data.fields("early", Map.of("v", "1"));
        disk.fail(journal(1)); // the new journal can be made; the old one's last records cannot be written
        assertThatThrownBy(() -> data.checkpoint(snapshotOf(Map.of("early", "1")), NOW)).isInstanceOf(IOException.class);
        assertThatThrownBy(data::flush).as("the record is still not on disk, and flushes say so")
                .isInstanceOf(UncheckedIOException.class);

        disk.heal();
        data.flush();
        data.fields("late", Map.of("v", "2"));
        data.flush();
        data.close();

        Recovered recovered = new Recovered();
        open(JournalFile.MAX_PENDING_BYTES, recovered).close();
        assertThat(recovered.fields).containsKeys("early", "late");
    }

    @Test
    void aForceClosesTheJournalACheckpointCouldNot() throws IOException {
        DataDirectory data = open(JournalFile.MAX_PENDING_BYTES, new Recovered());
        data.fields("early", Map.of("v", "1"));
        disk.fail(journal(1));
        assertThatThrownBy(() -> data.checkpoint(snapshotOf(Map.of("early", "1")), NOW)).isInstanceOf(IOException.class);
        assertThatThrownBy(data::force).isInstanceOf(IOException.class);

        disk.heal();
        data.force();
        // Closed now: nothing retiring is left for the flush, which finds only the new journal.
        data.flush();
        data.checkpoint(snapshotOf(Map.of("early", "1")), NOW);
        data.close();
        Recovered recovered = new Recovered();
        open(JournalFile.MAX_PENDING_BYTES, recovered).close();
        assertThat(recovered.fields).containsKey("early");
    }

    @Test
    void droppedRecordsAreReportedByEveryFlushUntilASnapshotCoversThem() throws IOException {
        int bound = 64 * 1024;
        DataDirectory data = open(bound, new Recovered());
        disk.fail(journal(1));
        Map<String, String> state = new HashMap<>();
        for (int i = 0; !data.needsSnapshot(); i++) {
            String value = "x".repeat(1000) + i;
            data.fields("key" + i, Map.of("v", value));
            state.put("key" + i, value);
            try {
                data.flush();
            } catch (UncheckedIOException expected) {
                // the disk is full: the records wait, until there are too many
            }
        }
        assertThatThrownBy(data::flush).hasCauseInstanceOf(JournalFile.GapException.class);

        disk.heal();
        data.fields("after", Map.of("v", "gap"));
        state.put("after", "gap");
        assertThatThrownBy(data::flush).as("the healed disk does not bring the dropped records back")
                .hasCauseInstanceOf(JournalFile.GapException.class);

        data.checkpoint(snapshotOf(state), NOW);
        assertThat(data.needsSnapshot()).isFalse();
        data.fields("later", Map.of("v", "3"));
        data.flush();
        data.close();

        Recovered recovered = new Recovered();
        open(bound, recovered).close();
        assertThat(recovered.fields).containsKeys("key0", "after", "later").hasSize(state.size() + 1);
    }

    @Test
    void aGapNotYetCoveredWhenTheDirectoryClosesIsReported() throws IOException {
        int bound = 16 * 1024;
        DataDirectory data = open(bound, new Recovered());
        disk.fail(journal(1));
        for (int i = 0; !data.needsSnapshot(); i++) {
            data.fields("key" + i, Map.of("v", "x".repeat(1000)));
            try {
                data.flush();
            } catch (UncheckedIOException expected) {
                // waiting, then dropped
            }
        }
        assertThatThrownBy(data::close).isInstanceOf(JournalFile.GapException.class);
    }
}
