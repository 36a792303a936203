package dev.sekisho.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a report was read from: the file (or stream name) given to the reader, and the path of entries
 * inside it, outermost first (a mail part, a zip entry, a decompressed gzip member, ...).
 *
 * @param file    the file or stream name as given
 * @param entries the containers walked inside it, outermost first; empty for a plain file
 */
public record Origin(String file, List<String> entries) {
    public Origin {
        Objects.requireNonNull(file, "file");
        entries = List.copyOf(entries);
    }

    public static Origin of(String file) {
        return new Origin(file, List.of());
    }

    /** This origin with one more entry inside it. */
    public Origin inside(String entry) {
        List<String> more = new ArrayList<>(entries);
        more.add(entry);
        return new Origin(file, more);
    }

    /** How deep inside the file: the number of entries. */
    public int depth() {
        return entries.size();
    }

    @Override
    public String toString() {
        return entries.isEmpty() ? file : file + " > " + String.join(" > ", entries);
    }
}
