package dev.sekisho.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers where each value came from, so that every error
 * can name the file, the line and the key.
 */
sealed interface ConfigNode {
    /** 1-based line where the value starts. */
    int line();

    /** Dotted path from the root, e.g. {@code services.mx.checks[1].delay}. */
    String path();

    record Scalar(String text, boolean isNull, int line, String path) implements ConfigNode {
    }

    record Sequence(List<ConfigNode> items, int line, String path) implements ConfigNode {
    }

    /** @param entries keys in document order; @param keyLines the line of each key */
    record Mapping(LinkedHashMap<String, ConfigNode> entries, Map<String, Integer> keyLines, int line, String path)
            implements ConfigNode {
    }

    static String describe(ConfigNode node) {
        return switch (node) {
            case Scalar s when s.isNull() -> "nothing";
            case Scalar s -> "\"" + s.text() + "\"";
            case Sequence q -> "a list";
            case Mapping m -> "a mapping";
        };
    }
}
