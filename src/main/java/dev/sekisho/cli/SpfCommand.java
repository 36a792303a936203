package dev.sekisho.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** SPF from the command line: check a sender as a receiver would, or expand a domain's record into networks. */
@Command(name = "spf", mixinStandardHelpOptions = true,
        description = "Check SPF for a sender (RFC 7208), or expand a domain's SPF record into the networks it authorises.",
        subcommands = {SpfCheckCommand.class, SpfExpandCommand.class})
public final class SpfCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: check or expand");
    }
}
