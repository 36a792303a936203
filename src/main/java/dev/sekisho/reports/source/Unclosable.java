package dev.sekisho.reports.source;

import java.io.FilterInputStream;
import java.io.InputStream;

/** A view of a stream that its readers cannot close (a zip entry: closing would close the archive). */
final class Unclosable extends FilterInputStream {
    Unclosable(InputStream in) {
        super(in);
    }

    @Override
    public void close() {
        // the owner closes the stream
    }
}
