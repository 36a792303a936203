package dev.sekisho.logs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How far a {@link FileTail} has handed a file over, kept by a {@link PositionStore} so that a restart goes on where
 * the last run stopped.
 *
 * @param fileKey    the file's identity (device and inode on Linux): a rotated file has another
 * @param offset     bytes handed over: the next line starts here
 * @param headLength how many bytes at the start of the file {@code headSha256} covers
 * @param headSha256 hash of the file's first bytes, so that a new file that got the old one's inode is not taken
 *                   for it
 */
public record TailPosition(String fileKey, long offset, int headLength, String headSha256) {

    public TailPosition {
        Objects.requireNonNull(fileKey, "fileKey");
        Objects.requireNonNull(headSha256, "headSha256");
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        if (headLength < 0) throw new IllegalArgumentException("headLength must be >= 0, was " + headLength);
    }

    /** The position as named fields (the names of the position file's lines), for a store of small records. */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("file-key", fileKey);
        fields.put("offset", Long.toString(offset));
        fields.put("head-length", Integer.toString(headLength));
        fields.put("head-sha256", headSha256);
        return fields;
    }

    /**
     * The position {@link #fields()} gave; an empty file key or hash may be missing (a store drops empty fields).
     *
     * @throws IllegalArgumentException when the offset or the head length is missing or not a number
     */
    public static TailPosition of(Map<String, String> fields) {
        String offset = fields.get("offset");
        if (offset == null) throw new IllegalArgumentException("no offset");
        return new TailPosition(fields.getOrDefault("file-key", ""), Long.parseLong(offset),
                Integer.parseInt(fields.getOrDefault("head-length", "0")), fields.getOrDefault("head-sha256", ""));
    }

    static Optional<TailPosition> load(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) fields.put(line.substring(0, eq), line.substring(eq + 1));
        }
        try {
            return Optional.of(of(fields));
        } catch (RuntimeException unreadable) {
            throw new IOException("unreadable tail position in " + file + ": " + text.strip());
        }
    }

    /** Written to a temporary file and renamed over the old one: a crash leaves the old position or the new, never half. */
    void save(Path file, Path followed) throws IOException {
        StringBuilder text = new StringBuilder("# where Sekisho stopped reading ").append(followed).append('\n');
        fields().forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, text.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
