package dev.sekisho.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads YAML with Jackson's streaming parser into a {@link ConfigNode} tree that keeps line numbers. */
final class YamlTree {
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
    private static final int MAX_DEPTH = 32;

    private final Path file;

    YamlTree(Path file) {
        this.file = file;
    }

    ConfigNode parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new ConfigNode.Mapping(new LinkedHashMap<>(), Map.of(), 1, "");
            }
            ConfigNode root = read(parser, "", 0);
            if (parser.nextToken() != null) {
                throw new ConfigException(file, line(parser.currentLocation()), "", "only one YAML document is allowed");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ConfigException(file, at == null ? 0 : line(at), "", "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file, 0, "", "cannot read: " + e.getMessage());
        }
    }

    private ConfigNode read(JsonParser parser, String path, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new ConfigException(file, line(parser.currentTokenLocation()), path, "nested deeper than " + MAX_DEPTH + " levels");
        }
        int line = line(parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> {
                LinkedHashMap<String, ConfigNode> entries = new LinkedHashMap<>();
                Map<String, Integer> keyLines = new HashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = line(parser.currentTokenLocation());
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    if (entries.containsKey(key)) {
                        throw new ConfigException(file, keyLine, childPath, "duplicate key (first on line " + keyLines.get(key) + ")");
                    }
                    parser.nextToken();
                    entries.put(key, read(parser, childPath, depth + 1));
                    keyLines.put(key, keyLine);
                }
                yield new ConfigNode.Mapping(entries, keyLines, line, path);
            }
            case START_ARRAY -> {
                List<ConfigNode> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(parser, path + "[" + items.size() + "]", depth + 1));
                }
                yield new ConfigNode.Sequence(items, line, path);
            }
            case VALUE_NULL -> new ConfigNode.Scalar("", true, line, path);
            default -> new ConfigNode.Scalar(parser.getText(), false, line, path);
        };
    }

    private static int line(JsonLocation location) {
        return location == null ? 0 : location.getLineNr();
    }
}
