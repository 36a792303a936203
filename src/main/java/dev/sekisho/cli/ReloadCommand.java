package dev.sekisho.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;
import java.util.concurrent.Callable;

/** Same as SIGHUP to the server: re-read its configuration file, keep connections and state. */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make a running server re-read its configuration; a bad configuration is refused and the old one keeps running.")
public final class ReloadCommand implements Callable<Integer> {
    @Mixin
    AdminOptions admin;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            spec.commandLine().getOut().println(admin.client().post("/api/reload", Map.of()).path("result").asText());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (AdminClient.AdminException e) {
            spec.commandLine().getErr().println("sekisho reload: " + e.getMessage());
            return e.exitCode();
        }
    }
}
