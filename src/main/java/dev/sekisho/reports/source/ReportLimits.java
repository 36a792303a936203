package dev.sekisho.reports.source;

/**
 * Bounds that keep hostile or broken input from exhausting memory, disk or time. Each is checked while
 * reading, and breaking one fails the input that broke it with a problem naming the bound.
 *
 * @param maxDecompressedBytes bytes that one archive (a gzip or zip file and everything nested in it) may
 *                             decompress to in total
 * @param maxCompressionRatio  decompressed bytes per compressed byte that one gzip stream or zip entry may
 *                             reach, checked once it has produced {@link #RATIO_CHECK_AFTER_BYTES}; real reports
 *                             compress 10 to 100 times, a zip bomb about 1000 times per layer
 * @param maxArchiveEntries    entries one archive may hold, nested archives included
 * @param maxNestingDepth      containers (archive, mail, mail part, mbox message) that may enclose a report
 * @param maxMailBytes         bytes of one mail read from a stream (mails are parsed in memory)
 * @param maxTlsReportBytes    bytes of one SMTP TLS report's JSON (it is held in memory)
 * @param maxListedProblems    problems an {@link ImportSummary} lists; the rest are counted
 */
public record ReportLimits(long maxDecompressedBytes, int maxCompressionRatio, int maxArchiveEntries, int maxNestingDepth,
                           int maxMailBytes, int maxTlsReportBytes, int maxListedProblems) {
    /** The compression ratio is checked only once a stream has produced this much: small files compress oddly. */
    public static final long RATIO_CHECK_AFTER_BYTES = 1 << 20;

    public ReportLimits {
        positive("maxDecompressedBytes", maxDecompressedBytes);
        positive("maxCompressionRatio", maxCompressionRatio);
        positive("maxArchiveEntries", maxArchiveEntries);
        positive("maxNestingDepth", maxNestingDepth);
        positive("maxMailBytes", maxMailBytes);
        positive("maxTlsReportBytes", maxTlsReportBytes);
        if (maxListedProblems < 0) throw new IllegalArgumentException("maxListedProblems must not be negative: " + maxListedProblems);
    }

    /** 4 GiB decompressed, ratio 250, 1000 entries, depth 6, 64 MiB mails, 16 MiB TLS reports, 1000 problems listed. */
    public static ReportLimits defaults() {
        return new ReportLimits(4L << 30, 250, 1_000, 6, 64 << 20, 16 << 20, 1_000);
    }

    public ReportLimits withMaxDecompressedBytes(long bytes) {
        return new ReportLimits(bytes, maxCompressionRatio, maxArchiveEntries, maxNestingDepth, maxMailBytes, maxTlsReportBytes, maxListedProblems);
    }

    public ReportLimits withMaxCompressionRatio(int ratio) {
        return new ReportLimits(maxDecompressedBytes, ratio, maxArchiveEntries, maxNestingDepth, maxMailBytes, maxTlsReportBytes, maxListedProblems);
    }

    public ReportLimits withMaxArchiveEntries(int entries) {
        return new ReportLimits(maxDecompressedBytes, maxCompressionRatio, entries, maxNestingDepth, maxMailBytes, maxTlsReportBytes, maxListedProblems);
    }

    public ReportLimits withMaxNestingDepth(int depth) {
        return new ReportLimits(maxDecompressedBytes, maxCompressionRatio, maxArchiveEntries, depth, maxMailBytes, maxTlsReportBytes, maxListedProblems);
    }

    public ReportLimits withMaxMailBytes(int bytes) {
        return new ReportLimits(maxDecompressedBytes, maxCompressionRatio, maxArchiveEntries, maxNestingDepth, bytes, maxTlsReportBytes, maxListedProblems);
    }

    public ReportLimits withMaxTlsReportBytes(int bytes) {
        return new ReportLimits(maxDecompressedBytes, maxCompressionRatio, maxArchiveEntries, maxNestingDepth, maxMailBytes, bytes, maxListedProblems);
    }

    public ReportLimits withMaxListedProblems(int problems) {
        return new ReportLimits(maxDecompressedBytes, maxCompressionRatio, maxArchiveEntries, maxNestingDepth, maxMailBytes, maxTlsReportBytes, problems);
    }

    private static void positive(String name, long value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be positive: " + value);
    }
}
