package dev.sekisho.reports.source;

import dev.sekisho.reports.ReportFormatException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A stream that fails, naming the limit, once more than {@code max} bytes are read from it. */
final class Capped extends FilterInputStream {
    private final long max;
    private final String code;
    private final String limit;
    private long read;

    Capped(InputStream in, long max, String code, String limit) {
        super(in);
        this.max = max;
        this.code = code;
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) count(1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) count(n);
        return n;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void count(int n) throws ReportFormatException {
        read += n;
        if (read > max) {
            throw new ReportFormatException(code, "", "the input is larger than " + max + " bytes (limit " + limit + ")");
        }
    }
}
