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
import java.util.Optional;

/**
 * How far a {@link FileTail} has handed a file over, kept in the data directory so that a restart goes on where
 * the last run stopped.
 *
 * @param fileKey    the file's identity (device and inode on Linux): a rotated file has another
 * @param offset     bytes handed over: the next line starts here
 * @param headLength how many bytes at the start of the file {@code headSha256} covers
 * @param headSha256 hash of the file's first bytes, so that a new file that got the old one's inode is not taken
 *                   for it
 */
record TailPosition(String fileKey, long offset, int headLength, String headSha256) {

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
            return Optional.of(new TailPosition(fields.getOrDefault("file-key", ""), Long.parseLong(fields.get("offset")),
                    Integer.parseInt(fields.getOrDefault("head-length", "0")), fields.getOrDefault("head-sha256", "")));
        } catch (RuntimeException unreadable) {
            throw new IOException("unreadable tail position in " + file + ": " + text.strip());
        }
    }

    /** Written to a temporary file and renamed over the old one: a crash leaves the old position or the new, never half. */
    void save(Path file, Path followed) throws IOException {
        String text = "# where Sekisho stopped reading " + followed + "\n"
                + "file-key=" + fileKey + "\noffset=" + offset + "\nhead-length=" + headLength + "\nhead-sha256=" + headSha256 + "\n";
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
