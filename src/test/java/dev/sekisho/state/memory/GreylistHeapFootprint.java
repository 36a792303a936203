package dev.sekisho.state.memory;

import dev.sekisho.state.GreylistRequest;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Measures heap held by one million greylist triplets plus their clients (not a test: run it by
 * hand and report the numbers). Half the triplets pass, so their 125,000 clients get entries.
 *
 * <pre>java -cp target/classes:target/test-classes:$(deps) dev.sekisho.state.memory.GreylistHeapFootprint [dataDir]</pre>
 * With a data directory it also times the journal appends, a snapshot and a reopen.
 */
public final class GreylistHeapFootprint {
    private static final int TRIPLETS = 1_000_000;
    private static final int CLIENTS = 250_000;

    public static void main(String[] args) throws Exception {
        Instant start = Instant.parse("2026-03-01T00:00:00Z");
        InstantSource clock = InstantSource.fixed(start);
        MemoryStateStore.Options options = MemoryStateStore.Options.defaults().withMaintenanceThread(false);
        Path directory = args.length > 0 ? Path.of(args[0]) : null;
        long baseline = usedHeapAfterGc();

        MemoryStateStore store = directory == null ? MemoryStateStore.inMemory(options, clock) : MemoryStateStore.open(directory, options, clock);
        long began = System.nanoTime();
        for (int i = 0; i < TRIPLETS; i++) store.greylist(request(i, start));
        for (int i = 0; i < TRIPLETS; i += 2) store.greylist(request(i, start.plus(Duration.ofMinutes(6))));
        long elapsed = System.nanoTime() - began;
        int calls = TRIPLETS + TRIPLETS / 2;
        long used = usedHeapAfterGc() - baseline;
        System.out.printf("keys=%d calls=%d in %.2fs (%.1f us/call)%n", store.stats().keys(), calls, elapsed / 1e9, elapsed / 1e3 / calls);
        System.out.printf("heap held: %.1f MiB (%.0f bytes per key)%n", used / 1048576.0, (double) used / store.stats().keys());

        if (directory != null) {
            System.out.printf("journal: %.1f MiB%n", directorySize(directory) / 1048576.0);
            began = System.nanoTime();
            store.checkpoint();
            System.out.printf("snapshot: %.2fs, %.1f MiB%n", (System.nanoTime() - began) / 1e9,
                    Files.size(directory.resolve(DataDirectory.SNAPSHOT_FILE)) / 1048576.0);
            store.greylist(request(1, start.plus(Duration.ofMinutes(7))));
            store.close();
            began = System.nanoTime();
            MemoryStateStore reopened = MemoryStateStore.open(directory, options, clock);
            System.out.printf("reopen: %.2fs, keys=%d%n", (System.nanoTime() - began) / 1e9, reopened.stats().keys());
            reopened.close();
        } else {
            store.close();
        }
    }

    private static GreylistRequest request(int i, Instant now) {
        int c = i % CLIENTS;
        String client = "203." + (c >> 16) + "." + (c >> 8 & 255) + "." + (c & 255);
        String triplet = client + "|sender" + i + "@example.org|rcpt" + (i % 1000) + "@example.test";
        return new GreylistRequest(triplet, client, now, Duration.ofMinutes(5), Duration.ofDays(2), Duration.ofDays(35), 0, false);
    }

    /** With the default G1 collector, System.gc() is a full, stop-the-world collection. */
    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static long directorySize(Path directory) throws java.io.IOException {
        try (var files = Files.list(directory)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
