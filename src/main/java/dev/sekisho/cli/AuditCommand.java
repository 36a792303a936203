package dev.sekisho.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Audits of what the DNS says about domains: their mail posture, and shared-hosting SPF overlap. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Audit domains from the DNS. Every audit prints a table, or --json, or --csv;",
                "exit code 0 clean, 1 findings, 2 error (bad options, or a domain that could not be checked)."},
        subcommands = {AuditDomainCommand.class, AuditSpfOverlapCommand.class, AuditSiteCommand.class})
public final class AuditCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: domain or spf-overlap");
    }
}
