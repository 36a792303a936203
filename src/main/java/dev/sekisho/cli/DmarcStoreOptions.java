package dev.sekisho.cli;

import dev.sekisho.app.DataDirectory;
import dev.sekisho.store.ReportStore;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The options every dmarc subcommand shares: where the store is, and how to print. */
final class DmarcStoreOptions {
    @Option(names = "--db", paramLabel = "PATH|URL",
            description = {"The report store: a SQLite file, or a jdbc:postgresql://HOST/DB?user=U&password=P URL.",
                    "Default: DATA-DIR/reports.db, DATA-DIR as for 'sekisho serve' ($SEKISHO_DATA_DIR, $XDG_DATA_HOME/sekisho or ~/.local/share/sekisho)."})
    String db;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--csv", description = "Print CSV (RFC 4180) instead of a table.")
    boolean csv;

    /** The store location as given, or the default file. */
    String location() {
        return db != null ? db : DataDirectory.defaultPath().resolve("reports.db").toString();
    }

    /** Opens the store to write into; a SQLite file is created when missing. */
    ReportStore openForImport() {
        return ReportStore.open(location());
    }

    /**
     * Opens the store to ask questions of; a SQLite file must exist already, so a mistyped path is an error and not a
     * new empty store.
     */
    ReportStore openExisting() {
        String location = location();
        if (!location.startsWith("jdbc:") || location.startsWith("jdbc:sqlite:")) {
            Path file = Path.of(location.startsWith("jdbc:sqlite:") ? location.substring("jdbc:sqlite:".length()) : location);
            if (!Files.exists(file)) {
                throw new DmarcUsageException("no report store at " + file.toAbsolutePath() + ": import reports first (sekisho dmarc import PATH --db "
                        + location + ")", 1);
            }
        }
        return ReportStore.open(location);
    }

    DmarcTable.Format format() {
        if (json && csv) throw new DmarcUsageException("choose one of --json and --csv", 2);
        return json ? DmarcTable.Format.JSON : csv ? DmarcTable.Format.CSV : DmarcTable.Format.TABLE;
    }

    /** A problem with what was asked, with the exit code it deserves. */
    static final class DmarcUsageException extends RuntimeException {
        final int exitCode;

        DmarcUsageException(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }
}
