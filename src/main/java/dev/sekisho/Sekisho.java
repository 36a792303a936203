package dev.sekisho;

import dev.sekisho.cli.AccountCommand;
import dev.sekisho.cli.AuditCommand;
import dev.sekisho.cli.BenchCommand;
import dev.sekisho.cli.ConfigCommand;
import dev.sekisho.cli.DmarcCommand;
import dev.sekisho.cli.ExplainCommand;
import dev.sekisho.cli.ReloadCommand;
import dev.sekisho.cli.RestrictionsCommand;
import dev.sekisho.cli.ServeCommand;
import dev.sekisho.cli.SpfCommand;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: every subcommand is listed here once. Exit codes: 0 ok, 1 failure (or findings, for the
 * audits), 2 usage or configuration error, 3 internal error (a bug or exhausted memory), so that a crash is
 * never read as "findings".
 */
@Command(name = "sekisho", mixinStandardHelpOptions = true, version = "sekisho 0.1.0",
        description = "Abuse-control engine for Postfix and Dovecot.")
public final class Sekisho implements Runnable {

    /** Every subcommand, in the order `--help` lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(ServeCommand.class, ConfigCommand.class, ReloadCommand.class,
            RestrictionsCommand.class, AccountCommand.class, ExplainCommand.class, BenchCommand.class, SpfCommand.class,
            AuditCommand.class, DmarcCommand.class, CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A bug or an Error (e.g. OutOfMemoryError) escaped a command; the same code -XX:+ExitOnOutOfMemoryError uses. */
    public static final int INTERNAL_ERROR = 3;

    public static void main(String[] args) {
        System.exit(execute(commandLine(args), args));
    }

    /**
     * Runs one command line. picocli turns exceptions into exit codes through the handler set in
     * {@link #commandLine()} but lets an Error (OutOfMemoryError, StackOverflowError) escape; uncaught, the
     * JVM would exit with 1, which the audits use for "findings".
     */
    static int execute(CommandLine cli, String... args) {
        try {
            return cli.execute(args);
        } catch (Error error) {
            return internalError(commandRun(cli), error);
        }
    }

    /** The (sub)command that was running: the deepest one the arguments named. */
    private static CommandLine commandRun(CommandLine root) {
        CommandLine.ParseResult parsed = root.getParseResult();
        if (parsed == null) return root;
        while (parsed.hasSubcommand()) parsed = parsed.subcommand();
        return parsed.commandSpec().commandLine();
    }

    private static int internalError(CommandLine commandLine, Throwable problem) {
        commandLine.getErr().println("sekisho: internal error in '" + commandLine.getCommandName() + "': " + problem);
        problem.printStackTrace(commandLine.getErr());
        commandLine.getErr().flush();
        return INTERNAL_ERROR;
    }

    /** The configured command line with every subcommand, also used by tests to run subcommands in-process. */
    public static CommandLine commandLine() {
        return commandLine(SUBCOMMANDS);
    }

    /**
     * The command line for these arguments: when the first one names a subcommand, only that subcommand is built.
     * picocli builds a command's model by reflection and instantiates it, for all the nested commands at once, and
     * that was half of a short command's start-up. The top level itself has only --help and --version, so for a
     * named subcommand nothing else could be parsed; a lone --version needs none. `help`, `--help`, no arguments
     * and a mistyped name get every subcommand, so the usage and the error messages list them all.
     */
    static CommandLine commandLine(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) return commandLine(List.of());
        if (args.length > 0 && !args[0].equals("help")) {
            for (Class<?> subcommand : SUBCOMMANDS) {
                if (subcommand.getAnnotation(Command.class).name().equals(args[0])) return commandLine(List.of(subcommand));
            }
        }
        return commandLine(SUBCOMMANDS);
    }

    private static CommandLine commandLine(List<Class<?>> subcommands) {
        CommandLine cli = new CommandLine(new Sekisho());
        for (Class<?> subcommand : subcommands) cli.addSubcommand(subcommand);
        cli.setExecutionExceptionHandler((exception, commandLine, parseResult) -> internalError(commandLine, exception));
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
