package dev.sekisho.geo;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One MMDB file, open, and re-opened when it changes: at most once per {@code reloadCheck} a lookup compares the
 * file's modification time and size with those of the copy in use, and a changed file is read anew. A new file that
 * cannot be read keeps the copy in use and is reported once (not at every check), until the file changes again.
 * Thread safe: lookups never wait for a reload, they use the copy in use until the new one is ready.
 */
final class MaxMindFile {
    /** The state of the file on disk a copy was read from. */
    private record Version(FileTime modified, long size) {
    }

    private record Loaded(Reader reader, Version version) {
    }

    private final Path path;
    private final String role;
    private final Duration reloadCheck;
    private final InstantSource clock;
    private final Consumer<String> problems;
    private final ReentrantLock reloading = new ReentrantLock();
    private volatile Loaded loaded;
    private volatile Instant nextCheck;
    /** The file version whose failure was reported last; guarded by {@code reloading}. */
    private Version reportedFailure;
    /** Whether the file's absence was reported; guarded by {@code reloading}. */
    private boolean goneReported;
    private volatile boolean readErrorReported;

    private MaxMindFile(Path path, String role, Duration reloadCheck, InstantSource clock, Consumer<String> problems, Loaded loaded) {
        this.path = path;
        this.role = role;
        this.reloadCheck = reloadCheck;
        this.clock = clock;
        this.problems = problems;
        this.loaded = loaded;
        this.nextCheck = clock.instant().plus(reloadCheck);
    }

    /**
     * Opens the file.
     *
     * @param role "country" or "ASN", for messages
     * @throws GeoDatabaseException naming the file when it is missing or not a readable MaxMind database
     */
    static MaxMindFile open(Path path, String role, Duration reloadCheck, InstantSource clock, Consumer<String> problems) {
        Objects.requireNonNull(path, "path");
        try {
            return new MaxMindFile(path, role, reloadCheck, clock, problems, read(path));
        } catch (IOException | RuntimeException e) {
            throw new GeoDatabaseException("cannot open the " + role + " database " + path + ": " + describe(e), e);
        }
    }

    /**
     * Whether a file can be opened as a MaxMind database, without keeping it: empty when it can, else why not.
     * Reads only the metadata (the file is mapped, not loaded).
     */
    static Optional<String> problem(Path path) {
        if (!Files.exists(path)) return Optional.of("no such file: " + path);
        if (!Files.isRegularFile(path)) return Optional.of("not a file: " + path);
        if (!Files.isReadable(path)) return Optional.of("cannot read " + path + ": permission denied");
        try (Reader reader = new Reader(path.toFile(), Reader.FileMode.MEMORY_MAPPED)) {
            reader.getMetadata();
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(path + " is not a MaxMind database: " + describe(e));
        }
    }

    Path path() {
        return path;
    }

    /** The database type its metadata names, e.g. "GeoLite2-Country". */
    String databaseType() {
        return loaded.reader().getMetadata().getDatabaseType();
    }

    /**
     * The record for an address as a map (empty when the database has none).
     *
     * @throws IOException when the data at the address cannot be decoded (a damaged file)
     */
    Optional<Map<String, Object>> record(InetAddress address) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> record = current().get(address, Map.class);
        return Optional.ofNullable(record);
    }

    /** Reports a decoding failure once per file copy: a damaged file would otherwise log at every lookup. */
    void reportReadError(Exception e) {
        if (readErrorReported) return;
        readErrorReported = true;
        problems.accept("GeoIP: the " + role + " database " + path + " cannot be read at an address (" + describe(e)
                + "); such addresses are answered as unknown until the file is replaced");
    }

    private Reader current() {
        Instant now = clock.instant();
        if (!now.isBefore(nextCheck) && reloading.tryLock()) {
            try {
                if (!now.isBefore(nextCheck)) {
                    nextCheck = now.plus(reloadCheck);
                    reloadIfChanged();
                }
            } finally {
                reloading.unlock();
            }
        }
        return loaded.reader();
    }

    private void reloadIfChanged() {
        Version onDisk;
        try {
            onDisk = version(path);
        } catch (IOException e) {
            if (!goneReported) {
                goneReported = true;
                problems.accept("GeoIP: the " + role + " database " + path + " is gone (" + describe(e) + "); still using the copy read at "
                        + loaded.version().modified());
            }
            return;
        }
        goneReported = false;
        if (onDisk.equals(loaded.version()) || onDisk.equals(reportedFailure)) return;
        try {
            Loaded fresh = read(path);
            // The old copy is not closed: it is held in memory (FileMode.MEMORY), holds no file, and a lookup may still be
            // using it on another thread; the garbage collector frees it.
            loaded = fresh;
            reportedFailure = null;
            readErrorReported = false;
        } catch (IOException | RuntimeException e) {
            reportedFailure = onDisk;
            problems.accept("GeoIP: the changed " + role + " database " + path + " cannot be read (" + describe(e)
                    + "); still using the copy read at " + loaded.version().modified());
        }
    }

    /**
     * Reads the whole file into memory rather than mapping it: a file overwritten in place (not replaced by a rename, as
     * geoipupdate does) would otherwise change under a lookup.
     */
    private static Loaded read(Path path) throws IOException {
        Version before = version(path);
        Reader reader = new Reader(path.toFile(), Reader.FileMode.MEMORY, new CHMCache());
        // The constructor checks the metadata; a lookup walks the tree and decodes data, to catch a file cut short.
        reader.get(InetAddress.getByAddress(new byte[4]), Map.class);
        return new Loaded(reader, before);
    }

    private static Version version(Path path) throws IOException {
        return new Version(Files.getLastModifiedTime(path), Files.size(path));
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.io.FileNotFoundException) return "no such file";
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
