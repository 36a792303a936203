package dev.sekisho.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One mapping of the configuration, read through typed getters that fail with file, line and key.
 * It remembers which keys were read so that {@link #rejectUnknownKeys()} can name a misspelt one,
 * and records every key's schema path (e.g. {@code services.<name>.checks[greylist].delay}) so that
 * a test can hold the documentation to the code.
 */
final class Section {
    private final Path file;
    private final ConfigNode.Mapping node;
    private final String schemaPath;
    private final Set<String> schemaKeys;
    private final Set<String> read = new HashSet<>();

    Section(Path file, ConfigNode.Mapping node, String schemaPath, Set<String> schemaKeys) {
        this.file = file;
        this.node = node;
        this.schemaPath = schemaPath;
        this.schemaKeys = schemaKeys;
    }

    static Section root(Path file, ConfigNode root, Set<String> schemaKeys) {
        if (!(root instanceof ConfigNode.Mapping mapping)) {
            throw new ConfigException(file, root.line(), "", "the configuration must be a mapping of keys, was " + ConfigNode.describe(root));
        }
        return new Section(file, mapping, "", schemaKeys);
    }

    boolean has(String key) {
        touch(key);
        ConfigNode value = node.entries().get(key);
        return value != null && !(value instanceof ConfigNode.Scalar s && s.isNull());
    }

    String string(String key, String fallback) {
        ConfigNode value = value(key);
        if (value == null) return fallback;
        return scalar(key, value).text();
    }

    int integer(String key, int fallback, int min, int max) {
        ConfigNode value = value(key);
        if (value == null) return fallback;
        String text = scalar(key, value).text().trim();
        long parsed;
        try {
            parsed = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw error(key, "must be a whole number, was \"" + text + "\"");
        }
        if (parsed < min || parsed > max) throw error(key, "must be between " + min + " and " + max + ", was " + parsed);
        return (int) parsed;
    }

    boolean bool(String key, boolean fallback) {
        ConfigNode value = value(key);
        if (value == null) return fallback;
        String text = scalar(key, value).text().trim();
        return switch (text) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(key, "must be true or false, was \"" + text + "\"");
        };
    }

    /** A duration that must be longer than zero. */
    Duration positiveDuration(String key, Duration fallback) {
        Duration d = duration(key, fallback);
        if (d.isZero() || d.isNegative()) throw error(key, "must be longer than zero");
        return d;
    }

    Duration duration(String key, Duration fallback) {
        ConfigNode value = value(key);
        if (value == null) return fallback;
        String text = scalar(key, value).text().trim();
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    /** A list of scalars; a single scalar is read as a list of one. */
    List<String> strings(String key) {
        ConfigNode value = value(key);
        if (value == null) return List.of();
        if (value instanceof ConfigNode.Scalar s) return List.of(s.text());
        if (!(value instanceof ConfigNode.Sequence seq)) throw error(key, "must be a list, was " + ConfigNode.describe(value));
        List<String> out = new ArrayList<>();
        for (ConfigNode item : seq.items()) {
            if (!(item instanceof ConfigNode.Scalar s) || s.isNull()) {
                throw new ConfigException(file, item.line(), item.path(), "must be a plain value, was " + ConfigNode.describe(item));
            }
            out.add(s.text());
        }
        return out;
    }

    /** Parse each element of a list of scalars; a failure names the element's own line. */
    <T> List<T> each(String key, Function<String, T> parse) {
        ConfigNode value = value(key);
        if (value == null) return List.of();
        List<ConfigNode> items = value instanceof ConfigNode.Sequence seq ? seq.items() : List.of(value);
        List<T> out = new ArrayList<>();
        for (ConfigNode item : items) {
            if (!(item instanceof ConfigNode.Scalar s) || s.isNull()) {
                throw new ConfigException(file, item.line(), item.path(), "must be a plain value, was " + ConfigNode.describe(item));
            }
            try {
                out.add(parse.apply(s.text().trim()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, item.line(), item.path(), e.getMessage());
            }
        }
        return out;
    }

    /** A nested mapping; an absent key reads as an empty mapping. */
    Section section(String key) {
        return section(key, key);
    }

    Section section(String key, String schemaName) {
        ConfigNode value = value(key);
        String childSchema = join(schemaPath, schemaName);
        if (value == null) {
            return new Section(file, new ConfigNode.Mapping(new LinkedHashMap<>(), Map.of(), node.line(), join(node.path(), key)), childSchema, schemaKeys);
        }
        if (!(value instanceof ConfigNode.Mapping m)) throw error(key, "must be a mapping of keys, was " + ConfigNode.describe(value));
        return new Section(file, m, childSchema, schemaKeys);
    }

    /** A mapping whose keys are names chosen by the operator (services, owners). */
    Map<String, Section> named(String key, String placeholder) {
        Section outer = section(key);
        Map<String, Section> out = new LinkedHashMap<>();
        for (var entry : outer.node.entries().entrySet()) {
            outer.read.add(entry.getKey());
            if (!(entry.getValue() instanceof ConfigNode.Mapping m)) {
                throw new ConfigException(file, entry.getValue().line(), entry.getValue().path(), "must be a mapping of keys, was " + ConfigNode.describe(entry.getValue()));
            }
            out.put(entry.getKey(), new Section(file, m, join(outer.schemaPath, "<" + placeholder + ">"), schemaKeys));
        }
        return out;
    }

    /** A mapping from operator-chosen names to lists of values (e.g. account to senders). */
    Map<String, List<String>> namedLists(String key) {
        Section outer = section(key);
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : outer.node.entries().keySet()) {
            outer.read.add(name);
            out.put(name, outer.stringsUntracked(name));
        }
        return out;
    }

    private List<String> stringsUntracked(String key) {
        List<String> values = strings(key);
        schemaKeys.remove(join(schemaPath, key));
        return values;
    }

    /** A list of mappings, each schema-named by {@code kind} (e.g. the check type). */
    List<Section> sections(String key, Function<Section, String> kind) {
        ConfigNode value = value(key);
        if (value == null) return List.of();
        if (!(value instanceof ConfigNode.Sequence seq)) throw error(key, "must be a list, was " + ConfigNode.describe(value));
        List<Section> out = new ArrayList<>();
        for (ConfigNode item : seq.items()) {
            ConfigNode.Mapping m = switch (item) {
                case ConfigNode.Mapping mapping -> mapping;
                // a bare name stands for {type: name}
                case ConfigNode.Scalar s when !s.isNull() -> {
                    LinkedHashMap<String, ConfigNode> entries = new LinkedHashMap<>();
                    entries.put("type", s);
                    yield new ConfigNode.Mapping(entries, Map.of("type", s.line()), s.line(), s.path());
                }
                default -> throw new ConfigException(file, item.line(), item.path(), "must be a mapping of keys, was " + ConfigNode.describe(item));
            };
            Section probe = new Section(file, m, join(schemaPath, key + "[]"), new HashSet<>());
            String name = kind.apply(probe);
            Section typed = new Section(file, m, join(schemaPath, key + "[" + name + "]"), schemaKeys);
            out.add(typed);
        }
        return out;
    }

    /** Fail on the first key nobody asked for: usually a typo. */
    void rejectUnknownKeys() {
        for (String key : node.entries().keySet()) {
            if (!read.contains(key)) {
                Set<String> known = new TreeSet<>(read);
                throw new ConfigException(file, lineOf(key), join(node.path(), key),
                        "unknown key" + (known.isEmpty() ? "" : " (known here: " + String.join(", ", known) + ")"));
            }
        }
    }

    ConfigException error(String key, String reason) {
        return new ConfigException(file, lineOf(key), join(node.path(), key), reason);
    }

    /** An error about the mapping itself rather than one key. */
    ConfigException error(String reason) {
        return new ConfigException(file, node.line(), node.path(), reason);
    }

    String path() {
        return node.path();
    }

    Path file() {
        return file;
    }

    private int lineOf(String key) {
        Integer line = node.keyLines().get(key);
        return line != null ? line : node.line();
    }

    private ConfigNode value(String key) {
        touch(key);
        ConfigNode value = node.entries().get(key);
        if (value instanceof ConfigNode.Scalar s && s.isNull()) return null;
        return value;
    }

    private void touch(String key) {
        read.add(key);
        schemaKeys.add(join(schemaPath, key));
    }

    private ConfigNode.Scalar scalar(String key, ConfigNode value) {
        if (value instanceof ConfigNode.Scalar s) return s;
        throw error(key, "must be a plain value, was " + ConfigNode.describe(value));
    }

    private static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }
}
