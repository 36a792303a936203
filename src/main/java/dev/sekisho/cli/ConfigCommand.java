package dev.sekisho.cli;

import dev.sekisho.config.ConfigException;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.config.SekishoConfig;
import dev.sekisho.notify.MailTemplates;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "config", mixinStandardHelpOptions = true, description = "Check a configuration file, or print the embedded defaults.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Defaults.class})
public final class ConfigCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: check or defaults");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate FILE as serve would, without starting. Exit 0 when valid, 2 with file:line: key: reason when not.")
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "The YAML configuration.")
        Path file;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try {
                SekishoConfig config = new ConfigLoader().load(file);
                var mail = config.notifications().mail();
                if (mail != null) MailTemplates.load(mail.templatesDir(), mail.timeZone()); // operator templates, as serve loads them
                spec.commandLine().getOut().println(file + ": valid; services: " + String.join(", ", config.services().keySet()));
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "defaults", mixinStandardHelpOptions = true, description = "Print the embedded default configuration, a starting point for your own.")
    static final class Defaults implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().print(ConfigLoader.defaultsText());
            spec.commandLine().getOut().flush();
        }
    }
}
