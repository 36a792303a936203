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

    @Test
    void aNamedSubcommandIsTheOnlyOneBuiltAndOtherwiseAllAre() {
        assertThat(Sekisho.commandLine("dmarc", "import", "x").getSubcommands()).containsOnlyKeys("dmarc");
        assertThat(Sekisho.commandLine("config", "check").getSubcommands()).containsOnlyKeys("config");
        assertThat(Sekisho.commandLine("--version").getSubcommands()).isEmpty();
        for (String[] args : new String[][] {{}, {"--version", "dmarc"}, {"--help"}, {"help", "dmarc"}, {"dmarcc"}, {"-h", "dmarc"}}) {
            assertThat(Sekisho.commandLine(args).getSubcommands().keySet())
                    .as(String.join(" ", args))
                    .isEqualTo(Sekisho.commandLine().getSubcommands().keySet())
                    .contains("serve", "config", "dmarc", "help");
        }
    }

    @Test
    void theCommandLineBuiltForTheArgumentsAnswersAsTheFullOne() {
        String[][] cases = {{"--help"}, {"--version"}, {"dmarc", "--help"}, {"dmarc", "import", "--help"}, {"config", "check"},
                {"serve", "--no-such-option"}, {"restrictions", "add", "--help"}, {"nosuch"}, {"help", "spf"}, {"spf"}, {"-V"},
                {"--version", "x"}};
        for (String[] args : cases) {
            assertThat(run(Sekisho.commandLine(args), args)).as(String.join(" ", args)).isEqualTo(run(Sekisho.commandLine(), args));
        }
    }

    private static String run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = Sekisho.execute(cli, args);
        return "exit " + exit + "\nout:\n" + out + "\nerr:\n" + err;
    }
}
