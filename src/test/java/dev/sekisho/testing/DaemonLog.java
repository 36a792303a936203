package dev.sekisho.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The log file a real daemon under test (Postfix, Dovecot) writes, read by the tests that drive it.
 *
 * @param daemon the daemon's name, for failure messages
 * @param file   where it logs
 */
record DaemonLog(String daemon, Path file) {

    List<String> lines() {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until a line anywhere in the log (earlier tests' lines included: match on something unique) matches.
     * Daemons log asynchronously, so a line about what a client just did may appear shortly after the client returns.
     */
    String await(Predicate<String> matches, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Optional<String> line = lines().stream().filter(matches).findFirst();
            if (line.isPresent()) return line.get();
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no matching " + daemon + " log line within " + timeout + "; log:\n" + String.join("\n", lines()));
            }
            Thread.sleep(50);
        }
    }

    /** Removes a daemon's private folder after it stopped. */
    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) return;
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        }
    }
}
