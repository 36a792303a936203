package dev.sekisho.cli;

import dev.sekisho.dmarc.DomainName;
import dev.sekisho.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;

/** What the dmarc subcommands share: the store options, and errors turned into a message and an exit code. */
abstract class DmarcSubcommand implements Callable<Integer> {
    @Mixin
    DmarcStoreOptions store = new DmarcStoreOptions();
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Does the work and returns the exit code. */
    abstract int run(PrintWriter out, PrintWriter err);

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return run(out, err);
        } catch (DmarcStoreOptions.DmarcUsageException e) {
            err.println(prefix() + e.getMessage());
            return e.exitCode;
        } catch (IllegalArgumentException e) {
            err.println(prefix() + e.getMessage());
            return 2;
        } catch (StoreException e) {
            err.println(prefix() + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private String prefix() {
        return spec.qualifiedName() + ": ";
    }

    /** A domain name from an option, or a usage error naming the option. */
    static String domain(String option, String value) {
        return DomainName.tryNormalize(value)
                .orElseThrow(() -> new IllegalArgumentException(option + " must be a domain name, was '" + value + "'"));
    }

    /** --since: a date (midnight UTC) or an instant. */
    static Optional<Instant> since(String value) {
        if (value == null) return Optional.empty();
        try {
            return Optional.of(LocalDate.parse(value.strip()).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException notADate) {
            try {
                return Optional.of(Instant.parse(value.strip()));
            } catch (DateTimeParseException notAnInstant) {
                throw new IllegalArgumentException("--since must be a date (2024-05-01) or an instant (2024-05-01T12:00:00Z), was '" + value + "'");
            }
        }
    }
}
