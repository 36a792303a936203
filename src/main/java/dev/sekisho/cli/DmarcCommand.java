package dev.sekisho.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** DMARC reports from the command line: import them into the store, then ask who sends as a domain. */
@Command(name = "dmarc", mixinStandardHelpOptions = true,
        description = {"Import DMARC aggregate, failure and SMTP TLS reports into the report store, and analyse them.",
                "Exit codes: 0 ok, 1 failure (rejected input, no data, store error), 2 bad options."},
        subcommands = {DmarcImportCommand.class, DmarcSummaryCommand.class, DmarcSourcesCommand.class, DmarcAdviseCommand.class})
public final class DmarcCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: import, summary, sources or advise");
    }
}
