package dev.sekisho.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Follows a log file like {@code tail -F}, one {@link #poll()} at a time (the caller schedules polls; tests call
 * them one by one):
 * <ul>
 *     <li>Rotation (the file renamed and a new one created at the path, seen as a new file key): the old file is
 *     read to its end first, then the new one from its start.</li>
 *     <li>Truncation (copytruncate: the file shorter than what was read): read again from the start.</li>
 *     <li>A file that does not exist yet is waited for and read from its start when it appears.</li>
 *     <li>A line is handed over only once its newline has been written; a longer line than the limit is skipped
 *     with a warning.</li>
 *     <li>The position (file key, offset, hash of the file's first bytes) is kept by a {@link PositionStore} after
 *     the lines before it have been handed over: a restart goes on after the last line handed over, and finishes
 *     a file that was rotated meanwhile if it is still beside the new one (mail.log.1, mail.log-20261202). A line
 *     that changed something is handed over through {@link PositionStore#handOver}, which saves the position just
 *     past it, together with the line's changes when the store can; other lines' positions are saved at the end of
 *     each chunk read.</li>
 * </ul>
 * A file seen for the first time with no saved position is followed from its end, as {@code tail -F} does:
 * history from before Sekisho was set up is not counted as fresh login failures.
 *
 * <p>Not thread safe: one thread polls.
 */
public final class FileTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileTail.class);
    private static final int HEAD_BYTES = 1024;
    private static final int READ_CHUNK = 64 * 1024;

    private final Path file;
    private final PositionStore positions;
    private final LineHandler handler;
    private final InstantSource clock;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_CHUNK);

    private boolean initialized;
    private FileChannel channel;
    private String fileKey = "";
    private long offset;
    private boolean skippingLongLine;
    private int headLength;
    private String headSha256 = "";
    private long linesHandedOver;

    /** A tail whose position is kept in a file of its own ({@link PositionFile}). */
    public FileTail(Path file, Path positionFile, LineHandler handler, InstantSource clock, int maxLineBytes) {
        this(file, new PositionFile(positionFile, file), handler, clock, maxLineBytes);
    }

    public FileTail(Path file, PositionStore positions, LineHandler handler, InstantSource clock, int maxLineBytes) {
        this.file = Objects.requireNonNull(file, "file");
        this.positions = Objects.requireNonNull(positions, "positions");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes must be positive, was " + maxLineBytes);
        this.maxLineBytes = maxLineBytes;
    }

    public Path file() {
        return file;
    }

    /** Lines handed over since this tail was made. */
    public long linesHandedOver() {
        return linesHandedOver;
    }

    /**
     * Reads what was written since the last poll and hands over every complete line.
     *
     * @return how many lines were handed over
     */
    public int poll() throws IOException {
        int handed = 0;
        if (!initialized) {
            initialized = true;
            handed += resumeFromSavedPosition();
        } else if (channel == null) {
            BasicFileAttributes attributes = attributesOrNull(file);
            if (attributes != null) open(file, attributes, 0); // it appeared: a new file, read from its start
        }
        if (channel == null) return handed;
        BasicFileAttributes before = attributesOrNull(file);
        if (before != null && keyOf(before).equals(fileKey)) restartIfTruncated(before);
        handed += drain();

        BasicFileAttributes now = attributesOrNull(file);
        if (now == null) return handed; // renamed away, the new one not created yet: keep reading the old one
        if (!keyOf(now).equals(fileKey)) {
            handed += drain(); // what was written to the old file before it was renamed
            LOG.info("{} was rotated: the old file is read to its end, following the new one from its start", file);
            closeChannel();
            open(file, now, 0);
            handed += drain();
        }
        return handed;
    }

    /**
     * Copytruncate rotation: the file is shorter than what was read, or was rewritten from its start (truncated,
     * then written past the old offset between two polls: its first bytes changed). Checked before reading, so
     * that a rewritten file is never read from the old offset.
     */
    private void restartIfTruncated(BasicFileAttributes attributes) throws IOException {
        if (attributes.size() >= offset && (headLength == 0 || headSha256.equals(headHash(headLength)))) return;
        LOG.info("{} was truncated ({} bytes, had read {}): reading it again from the start", file, attributes.size(), offset);
        offset = 0;
        skippingLongLine = false;
        headLength = 0;
        headSha256 = "";
        savePosition();
    }

    /** The first poll: go on from the saved position, finishing a file rotated while Sekisho was down. */
    private int resumeFromSavedPosition() throws IOException {
        Optional<TailPosition> saved;
        try {
            saved = positions.load();
        } catch (IOException e) {
            LOG.warn("{}; following {} from its end", e.getMessage(), file);
            saved = Optional.empty();
        }
        BasicFileAttributes attributes = attributesOrNull(file);
        if (saved.isEmpty()) {
            if (attributes != null) {
                open(file, attributes, attributes.size());
                if (channel == null) return 0;
                offset = afterLastNewline(attributes.size());
                LOG.info("following {} from its end ({} bytes); no position saved yet", file, offset);
                savePosition();
            }
            return 0;
        }
        TailPosition position = saved.get();
        if (attributes != null && keyOf(attributes).equals(position.fileKey()) && attributes.size() >= position.offset()) {
            open(file, attributes, position.offset());
            if (headMatches(position)) return 0;
            LOG.info("{} has the inode of the file Sekisho was reading but not its first bytes: reading it from the start", file);
            offset = 0;
            return 0;
        }
        int handed = finishRotated(position);
        if (attributes != null) open(file, attributes, 0);
        return handed;
    }

    /** The file read before the restart, if it was rotated and is still in the directory under another name. */
    private int finishRotated(TailPosition position) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        List<Path> candidates;
        try (Stream<Path> siblings = Files.list(directory)) {
            candidates = siblings.filter(p -> {
                String other = p.getFileName().toString();
                return other.length() > name.length() + 1 && other.startsWith(name)
                        && (other.charAt(name.length()) == '.' || other.charAt(name.length()) == '-');
            }).toList();
        }
        for (Path candidate : candidates) {
            BasicFileAttributes attributes = attributesOrNull(candidate);
            if (attributes == null || !attributes.isRegularFile() || !keyOf(attributes).equals(position.fileKey())
                    || attributes.size() < position.offset()) continue;
            open(candidate, attributes, position.offset());
            if (!headMatches(position)) {
                closeChannel();
                continue;
            }
            int handed = drain();
            LOG.info("{} was rotated while Sekisho was stopped: read the rest of {} ({} lines) first", file, candidate, handed);
            closeChannel();
            return handed;
        }
        LOG.warn("{} is not the file Sekisho was reading before it stopped, and that file was not found beside it: "
                + "lines written to it after the stop are not counted; reading {} from its start", file, file);
        return 0;
    }

    /**
     * Where the last complete line ends: following a file from its end starts there, so that a line being written
     * at that moment is handed over whole once complete, not as a fragment.
     */
    private long afterLastNewline(long size) throws IOException {
        long from = Math.max(0, size - READ_CHUNK);
        ByteBuffer tail = ByteBuffer.allocate((int) (size - from));
        while (tail.hasRemaining()) {
            if (channel.read(tail, from + tail.position()) <= 0) break;
        }
        for (int i = tail.position() - 1; i >= 0; i--) {
            if (tail.get(i) == '\n') return from + i + 1;
        }
        return from == 0 ? 0 : size; // no newline in the last 64 KiB: a line too long to be read anyway
    }

    private void open(Path path, BasicFileAttributes attributes, long startAt) throws IOException {
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException gone) {
            channel = null;
            return;
        }
        fileKey = keyOf(attributes);
        offset = startAt;
        skippingLongLine = false;
        headLength = 0;
        headSha256 = "";
    }

    private boolean headMatches(TailPosition position) throws IOException {
        if (position.headLength() == 0) return true;
        return position.headSha256().equals(headHash(position.headLength()));
    }

    /** Reads to the end of the file, handing over complete lines and saving the position as it goes. */
    private int drain() throws IOException {
        int handed = 0;
        long readAt = offset;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean skipping = skippingLongLine;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer, readAt);
            if (n <= 0) break;
            long before = offset;
            byte[] bytes = buffer.array();
            for (int k = 0; k < n; k++) {
                byte b = bytes[k];
                if (b == '\n') {
                    if (!skipping) {
                        handOver(line, readAt + k + 1); // a line that counted has its position saved with it
                        handed++;
                    }
                    skipping = false;
                    line.reset();
                    offset = readAt + k + 1;
                } else if (!skipping) {
                    if (line.size() >= maxLineBytes) {
                        LOG.warn("{}: a line longer than {} bytes at offset {} is skipped", file, maxLineBytes, offset);
                        skipping = true;
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            }
            readAt += n;
            if (offset != before) savePosition();
        }
        if (skipping) {
            // the over-long line has no end yet: pass over what there is of it
            offset = readAt;
            savePosition();
        }
        // else a line without its newline stays unread: the next poll reads it again, complete by then
        skippingLongLine = skipping;
        return handed;
    }

    /** Hands one line over, with the position just past it ({@code next}) for the store to save if it counted. */
    private void handOver(ByteArrayOutputStream line, long next) throws IOException {
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') length--;
        linesHandedOver++;
        TailPosition after = positionAt(next);
        try {
            positions.handOver(handler, new LogLine(new String(bytes, 0, length, StandardCharsets.UTF_8), clock.instant()), after);
        } catch (RuntimeException e) {
            LOG.warn("{}: handling a line failed, going on with the next: {}", file, e.toString());
        }
    }

    private void savePosition() throws IOException {
        positions.save(positionAt(offset));
    }

    /** The position at {@code at} in the current file; hashes its head when the head grew. */
    private TailPosition positionAt(long at) throws IOException {
        int length = (int) Math.min(at, HEAD_BYTES);
        if (length != headLength) {
            headSha256 = headHash(length);
            headLength = length;
        }
        return new TailPosition(fileKey, at, headLength, headSha256);
    }

    private String headHash(int length) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(length);
        while (head.hasRemaining()) {
            if (channel.read(head, head.position()) <= 0) break;
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(head.array(), 0, head.position());
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static BasicFileAttributes attributesOrNull(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Device and inode on Linux ("(dev=803,ino=1234)"); "" where the file system has no such key. */
    private static String keyOf(BasicFileAttributes attributes) {
        Object key = attributes.fileKey();
        return key == null ? "" : key.toString();
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeChannel();
    }
}
