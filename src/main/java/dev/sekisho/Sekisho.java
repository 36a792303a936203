package dev.sekisho;

import dev.sekisho.cli.AuditCommand;
import dev.sekisho.cli.BenchCommand;
import dev.sekisho.cli.ConfigCommand;
import dev.sekisho.cli.DmarcCommand;
import dev.sekisho.cli.ExplainCommand;
import dev.sekisho.cli.ReloadCommand;
import dev.sekisho.cli.RestrictionsCommand;
import dev.sekisho.cli.ServeCommand;
import dev.sekisho.cli.SpfCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: every subcommand is listed here once. Exit codes: 0 ok, 1 failure, 2 usage or configuration error. */
@Command(name = "sekisho", mixinStandardHelpOptions = true, version = "sekisho 0.1.0",
        description = "Abuse-control engine for Postfix and Dovecot.",
        subcommands = {ServeCommand.class, ConfigCommand.class, ReloadCommand.class, RestrictionsCommand.class,
                ExplainCommand.class, BenchCommand.class, SpfCommand.class, AuditCommand.class, DmarcCommand.class,
                CommandLine.HelpCommand.class})
public final class Sekisho implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests to run subcommands in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Sekisho());
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
