package dev.sekisho.dmarc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory {@link TxtLookup} for this package's unit tests only: names not given answer
 * NXDOMAIN. The real resolver path (dev.sekisho.dns against the in-process DNS server) is tested
 * once the resolver is wired to the seam.
 */
final class MapTxtLookup implements TxtLookup {
    private final Map<String, Answer> answers = new HashMap<>();
    private final List<String> queries = new ArrayList<>();

    MapTxtLookup txt(String name, String... texts) {
        answers.put(name, Answer.records(texts));
        return this;
    }

    MapTxtLookup noRecords(String name) {
        answers.put(name, new Answer.NoRecords());
        return this;
    }

    MapTxtLookup fail(String name) {
        answers.put(name, new Answer.TemporaryFailure("SERVFAIL"));
        return this;
    }

    List<String> queries() {
        return List.copyOf(queries);
    }

    @Override
    public Answer txt(String name) {
        queries.add(name);
        return answers.getOrDefault(name, new Answer.NoSuchDomain());
    }
}
