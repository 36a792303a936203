package dev.sekisho.reports.source;

import dev.sekisho.reports.ReportFormatException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * What one archive, and everything nested in it, may still decompress: bytes and entries. Each
 * decompressing stream inside it is also held to the compression ratio.
 */
final class Budget {
    private final ReportLimits limits;
    private long bytes;
    private int entries;

    Budget(ReportLimits limits) {
        this.limits = limits;
    }

    void entry(String name) throws ReportFormatException {
        if (++entries > limits.maxArchiveEntries()) {
            throw new ReportFormatException("limit-archive-entries", "entry " + entries + " (" + name + ")",
                    "the archive holds more than " + limits.maxArchiveEntries() + " entries (limit maxArchiveEntries)");
        }
    }

    /**
     * The decompressed stream {@code inflated}, whose compressed bytes are read through {@code compressed},
     * counted against this budget and the ratio limit.
     */
    InputStream bound(InputStream inflated, Counting compressed) {
        return new Bounded(inflated, compressed, compressed.count());
    }

    /** Counts the compressed bytes read from an archive. */
    static final class Counting extends FilterInputStream {
        private long count;

        Counting(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    private final class Bounded extends FilterInputStream {
        private final Counting compressed;
        private final long compressedStart;
        private long produced;

        Bounded(InputStream inflated, Counting compressed, long compressedStart) {
            super(inflated);
            this.compressed = compressed;
            this.compressedStart = compressedStart;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) account(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] sink = new byte[(int) Math.min(8192, Math.max(1, n))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
                if (r < 0) break;
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void account(int n) throws ReportFormatException {
            produced += n;
            bytes += n;
            if (bytes > limits.maxDecompressedBytes()) {
                throw new ReportFormatException("limit-decompressed-size", "",
                        "the archive decompresses to more than " + limits.maxDecompressedBytes() + " bytes (limit maxDecompressedBytes)");
            }
            long in = Math.max(1, compressed.count() - compressedStart);
            if (produced > ReportLimits.RATIO_CHECK_AFTER_BYTES && produced / in > limits.maxCompressionRatio()) {
                throw new ReportFormatException("limit-compression-ratio", "",
                        "the data expands " + (produced / in) + " times (" + in + " bytes to " + produced
                                + " so far), more than " + limits.maxCompressionRatio() + " (limit maxCompressionRatio): a decompression bomb");
            }
        }
    }
}
