package dev.sekisho.testing;

import dev.sekisho.Sekisho;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the command line in-process, as a user would type it, with what it printed. */
public record CliRun(int exitCode, String out, String err) {

    /** Runs {@code sekisho ARGS...}. */
    public static CliRun of(String... args) {
        CommandLine cli = Sekisho.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
