package dev.sekisho.cli;

import dev.sekisho.app.AdminToken;
import dev.sekisho.app.DataDirectory;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How a CLI command reaches a running server's admin API. */
final class AdminOptions {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8025", description = "The server's HTTP address (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--data-dir", description = "The server's data directory, where its admin token is (default: the serve default).")
    Path dataDir;

    @Option(names = "--token-file", description = "File holding the admin token (default: DATA-DIR/" + AdminToken.FILE_NAME + ").")
    Path tokenFile;

    /** Who is acting, for the record of restrictions imposed and lifted: {@code --by} when given, else cli:$USER. */
    static String actor(String by) {
        return by != null ? by : "cli:" + System.getProperty("user.name", "unknown");
    }

    AdminClient client() {
        Path file = tokenFile != null ? tokenFile : (dataDir != null ? dataDir : DataDirectory.defaultPath()).resolve(AdminToken.FILE_NAME);
        return new AdminClient(url, file);
    }
}
