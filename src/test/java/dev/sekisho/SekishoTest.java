package dev.sekisho;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class SekishoTest {

    @Test
    void anErrorEscapingACommandExitsWithTheInternalErrorCodeNotTheFindingsCode() {
        CommandLine cli = withCommand("exhaust", () -> {
            throw new OutOfMemoryError("Java heap space");
        });
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));

        int exit = Sekisho.execute(cli, "exhaust");

        assertThat(exit).isEqualTo(Sekisho.INTERNAL_ERROR).isNotIn(0, 1, 2);
        assertThat(err.toString()).contains("internal error in 'exhaust'", "OutOfMemoryError: Java heap space");
    }

    @Test
    void aBugInACommandExitsWithTheInternalErrorCode() {
        CommandLine cli = withCommand("buggy", () -> {
            throw new IllegalStateException("a bug");
        });
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));

        assertThat(Sekisho.execute(cli, "buggy")).isEqualTo(Sekisho.INTERNAL_ERROR);
        assertThat(err.toString()).contains("internal error in 'buggy'", "IllegalStateException: a bug");
    }

    private static CommandLine withCommand(String name, Runnable body) {
        CommandLine cli = Sekisho.commandLine();
        cli.addSubcommand(name, CommandLine.Model.CommandSpec.wrapWithoutInspection(body));
        return cli;
    }

    @Test
    void badOptionsStillExitWithTheUsageCode() {
        CommandLine cli = Sekisho.commandLine();
        cli.setErr(new PrintWriter(new StringWriter(), true));

        assertThat(Sekisho.execute(cli, "serve", "--no-such-option")).isEqualTo(2);
    }
}
