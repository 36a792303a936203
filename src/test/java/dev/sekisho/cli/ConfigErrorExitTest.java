package dev.sekisho.cli;

import dev.sekisho.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** An invalid file stops {@code serve} before anything starts, as {@code config check} reports it: exit 2, file, line and key. */
class ConfigErrorExitTest {
    @TempDir
    Path dir;

    private Path misspelt() throws Exception {
        return Files.writeString(dir.resolve("sekisho.yaml"), """
                listen:
                  policy:
                    - address: 127.0.0.1:0
                  http: 127.0.0.1:0
                services:
                  mx:
                    checks:
                      - type: greylist
                        dealy: 300s
                """);
    }

    @Test
    void configCheckNamesTheFileLineAndKey() throws Exception {
        Path file = misspelt();
        CliRun run = CliRun.of("config", "check", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(file + ":9: services.mx.checks[0].dealy: unknown key");
    }

    @Test
    void serveRefusesToStartOnTheSameError() throws Exception {
        Path file = misspelt();
        CliRun run = CliRun.of("serve", "--config", file.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("sekisho serve: ").contains(file + ":9: services.mx.checks[0].dealy: unknown key");
        assertThat(dir.resolve("data")).as("nothing was started, so no data directory was made").doesNotExist();
    }

    @Test
    void aFileThatIsNotThereIsAConfigurationError() {
        Path file = dir.resolve("absent.yaml");
        CliRun run = CliRun.of("serve", "--config", file.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(file.toString());
    }
}
