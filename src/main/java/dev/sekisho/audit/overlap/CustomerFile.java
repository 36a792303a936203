package dev.sekisho.audit.overlap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The customer list of the overlap audit: one domain per line; "#" starts a comment; blank lines are skipped; duplicates are listed once. */
public final class CustomerFile {
    private CustomerFile() {
    }

    public static List<String> read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static List<String> parse(String text) {
        Set<String> domains = new LinkedHashSet<>();
        for (String line : text.split("\r?\n")) {
            int hash = line.indexOf('#');
            String domain = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (!domain.isEmpty()) domains.add(domain.toLowerCase(Locale.ROOT));
        }
        return List.copyOf(domains);
    }
}
