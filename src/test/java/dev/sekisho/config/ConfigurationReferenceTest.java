package dev.sekisho.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md is the one reference: every key the loader reads must be documented
 * there, and every key documented there must be one the loader reads.
 */
class ConfigurationReferenceTest {
    private static final Pattern DOCUMENTED_KEY = Pattern.compile("^\\| `([^`]+)` \\|", Pattern.MULTILINE);

    @Test
    void everyKeyTheLoaderReadsIsDocumentedAndNoOther() throws IOException {
        ConfigLoader loader = new ConfigLoader();
        loader.load(Path.of("docs/sekisho.example.yaml"));
        loader.loadDefaults();
        Set<String> read = new TreeSet<>(loader.schemaKeys());

        Set<String> documented = new TreeSet<>();
        Matcher m = DOCUMENTED_KEY.matcher(Files.readString(Path.of("docs/configuration.md")));
        while (m.find()) documented.add(m.group(1));

        assertThat(documented).as("keys in docs/configuration.md").containsExactlyInAnyOrderElementsOf(read);
    }
}
