package dev.sekisho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Support staff's view: list, impose and lift restrictions on a running server. */
@Command(name = "restrictions", mixinStandardHelpOptions = true,
        description = "List, add and lift restrictions (blocks on an IP, network, account, sender or domain).",
        subcommands = {RestrictionsCommand.List.class, RestrictionsCommand.Add.class, RestrictionsCommand.Lift.class})
public final class RestrictionsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: list, add or lift");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show restrictions in force (--all: also ended ones).")
    static final class List implements Callable<Integer> {
        @Mixin
        AdminOptions admin;
        @Option(names = "--all", description = "Also show lifted and expired restrictions.")
        boolean all;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                JsonNode list = admin.client().get("/api/restrictions" + (all ? "?all=true" : ""));
                out.printf("%-14s %-8s %-28s %-22s %-22s %s%n", "ID", "KIND", "SUBJECT", "EXPIRES", "LIFTED", "REASON (BY)");
                for (JsonNode r : list) {
                    out.printf("%-14s %-8s %-28s %-22s %-22s %s (%s)%n", r.path("id").asText(), r.path("subject").path("kind").asText().toLowerCase(),
                            r.path("subject").path("value").asText(), r.path("expiresAt").asText(),
                            r.path("liftedAt").isNull() || r.path("liftedAt").isMissingNode() ? "-" : r.path("liftedAt").asText(),
                            r.path("reason").asText(), r.path("imposedBy").asText());
                }
                out.flush();
                return 0;
            } catch (AdminClient.AdminException e) {
                spec.commandLine().getErr().println("sekisho restrictions list: " + e.getMessage());
                return e.exitCode();
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Block an IP, network, account, sender or domain for a time.")
    static final class Add implements Callable<Integer> {
        @Mixin
        AdminOptions admin;
        @CommandLine.ArgGroup(multiplicity = "1")
        Target target;
        @Option(names = "--for", defaultValue = "1h", description = "How long (e.g. 30m, 1h, 7d; default ${DEFAULT-VALUE}).")
        String duration;
        @Option(names = "--reason", required = true, description = "Why: shown to support staff and in the logs.")
        String reason;
        @Option(names = "--by", description = "Who imposes it (default: cli:$USER).")
        String by;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        static final class Target {
            @Option(names = "--ip", description = "A client IP address.") String ip;
            @Option(names = "--network", description = "A client network in CIDR notation.") String network;
            @Option(names = "--account", description = "A SASL login.") String account;
            @Option(names = "--sender", description = "An envelope sender address.") String sender;
            @Option(names = "--domain", description = "A sender domain.") String domain;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            if (target.ip != null) put(body, "ip", target.ip);
            else if (target.network != null) put(body, "network", target.network);
            else if (target.account != null) put(body, "account", target.account);
            else if (target.sender != null) put(body, "sender", target.sender);
            else put(body, "domain", target.domain);
            body.put("duration", duration);
            body.put("reason", reason);
            body.put("by", AdminOptions.actor(by));
            try {
                JsonNode r = admin.client().post("/api/restrictions", body);
                spec.commandLine().getOut().printf("restricted %s until %s (id %s)%n",
                        r.path("subject").path("kind").asText().toLowerCase() + ":" + r.path("subject").path("value").asText(),
                        r.path("expiresAt").asText(), r.path("id").asText());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (AdminClient.AdminException e) {
                spec.commandLine().getErr().println("sekisho restrictions add: " + e.getMessage());
                return e.exitCode();
            }
        }

        private static void put(Map<String, Object> body, String kind, String value) {
            body.put("kind", kind);
            body.put("value", value);
        }
    }

    @Command(name = "lift", mixinStandardHelpOptions = true, description = "End a restriction early.")
    static final class Lift implements Callable<Integer> {
        @Mixin
        AdminOptions admin;
        @Parameters(index = "0", description = "The restriction's id (see list).")
        String id;
        @Option(names = "--by", description = "Who lifts it (default: cli:$USER).")
        String by;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            String who = AdminOptions.actor(by);
            try {
                admin.client().delete("/api/restrictions/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)
                        + "?by=" + java.net.URLEncoder.encode(who, java.nio.charset.StandardCharsets.UTF_8));
                spec.commandLine().getOut().println("lifted " + id);
                spec.commandLine().getOut().flush();
                return 0;
            } catch (AdminClient.AdminException e) {
                spec.commandLine().getErr().println("sekisho restrictions lift: " + e.getMessage());
                return e.exitCode();
            }
        }
    }
}
