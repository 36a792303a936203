package dev.sekisho.state.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real files whose writes and forces fail on demand, as on a full or failing disk: a journal opened through
 * {@link #opener()} writes to the file as usual until its file is {@link #fail(Path) failed}.
 */
final class FailingDisk {
    private final Set<Path> failing = ConcurrentHashMap.newKeySet();
    /** Writes tried on failed files, each refused. */
    final AtomicInteger refusedWrites = new AtomicInteger();
    /** Forces that reached the real file. */
    final AtomicInteger forces = new AtomicInteger();

    JournalFile.Opener opener() {
        return file -> new Channel(file, JournalFile.Opener.FILES.open(file));
    }

    void fail(Path file) {
        failing.add(file.toAbsolutePath());
    }

    void heal() {
        failing.clear();
    }

    private void check(Path file) throws IOException {
        if (failing.contains(file.toAbsolutePath())) {
            refusedWrites.incrementAndGet();
            throw new IOException("No space left on device (FailingDisk)");
        }
    }

    /** Passes everything to the real channel; writes and forces are checked first. */
    private final class Channel extends FileChannel {
        private final Path file;
        private final FileChannel real;

        Channel(Path file, FileChannel real) {
            this.file = file;
            this.real = real;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            check(file);
            return real.write(src, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            check(file);
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            check(file);
            return real.write(srcs, offset, length);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            check(file);
            real.force(metaData);
            forces.incrementAndGet();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            check(file);
            real.truncate(size);
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            check(file);
            return real.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
