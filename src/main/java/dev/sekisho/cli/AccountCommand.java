package dev.sekisho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Support staff's view of one mail account on a running server: settings, restrictions, recent logins. */
@Command(name = "account", mixinStandardHelpOptions = true,
        description = "Show an account, set its \"refuse use from abroad\", lift it for travel, lift its restrictions.",
        subcommands = {AccountCommand.Show.class, AccountCommand.Abroad.class, AccountCommand.Travel.class, AccountCommand.Lift.class})
public final class AccountCommand implements Runnable {
    /** Made on first use: picocli instantiates every command at start-up, and Jackson is 370 classes to load. */
    private static final class Json {
        static final ObjectMapper INDENTED = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: show, abroad, travel or lift");
    }

    private static String path(String user, String tail) {
        return "/api/accounts/" + URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20") + tail;
    }

    /** The shared shape of every subcommand: ask the API, print a table or the JSON, map failures to exit codes. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        AdminOptions admin;
        @Option(names = "--json", description = "Print the server's JSON answer instead of a table.")
        boolean json;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract JsonNode ask(AdminClient client) throws AdminClient.AdminException;

        abstract void table(JsonNode answer, PrintWriter out);

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                JsonNode answer = ask(admin.client());
                if (json) out.println(Json.INDENTED.writeValueAsString(answer));
                else table(answer, out);
                out.flush();
                return 0;
            } catch (AdminClient.AdminException e) {
                spec.commandLine().getErr().println("sekisho account " + spec.name() + ": " + e.getMessage());
                return e.exitCode();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                spec.commandLine().getErr().println("sekisho account " + spec.name() + ": " + e.getOriginalMessage());
                return 1;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Settings, restrictions (in force and ended, with reason and evidence) and recent logins of an account.")
    static final class Show extends Base {
        @Parameters(index = "0", paramLabel = "USER", description = "The login name.")
        String user;

        @Override
        JsonNode ask(AdminClient client) throws AdminClient.AdminException {
            return client.get(path(user, ""));
        }

        @Override
        void table(JsonNode a, PrintWriter out) {
            printAccount(a, out);
        }
    }

    @Command(name = "abroad", mixinStandardHelpOptions = true, description = "Turn the account's \"refuse use from abroad\" on or off.")
    static final class Abroad extends Base {
        @Parameters(index = "0", paramLabel = "USER", description = "The login name.")
        String user;
        @Parameters(index = "1", paramLabel = "on|off", description = "on: refuse logins and submission from outside the home countries.")
        String onOff;
        @Option(names = "--by", description = "Who sets it (default: cli:$USER).")
        String by;

        @Override
        JsonNode ask(AdminClient client) throws AdminClient.AdminException {
            boolean on = switch (onOff.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "say on or off, not \"" + onOff + "\"");
            };
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("refuse", on);
            body.put("by", AdminOptions.actor(by));
            return client.post(path(user, "/abroad"), body);
        }

        @Override
        void table(JsonNode a, PrintWriter out) {
            printSettings(a, out);
        }
    }

    @Command(name = "travel", mixinStandardHelpOptions = true,
            description = "Allow use from abroad for a number of days, then refuse it again (the switch stays on).")
    static final class Travel extends Base {
        @Parameters(index = "0", paramLabel = "USER", description = "The login name.")
        String user;
        @Option(names = "--days", required = true, description = "How many days from now (0 ends a lift).")
        int days;
        @Option(names = "--by", description = "Who allows it (default: cli:$USER).")
        String by;

        @Override
        JsonNode ask(AdminClient client) throws AdminClient.AdminException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("days", days);
            body.put("by", AdminOptions.actor(by));
            return client.post(path(user, "/travel"), body);
        }

        @Override
        void table(JsonNode a, PrintWriter out) {
            printSettings(a, out);
        }
    }

    @Command(name = "lift", mixinStandardHelpOptions = true, description = "Lift every restriction in force on the account.")
    static final class Lift extends Base {
        @Parameters(index = "0", paramLabel = "USER", description = "The login name.")
        String user;
        @Option(names = "--by", description = "Who lifts them (default: cli:$USER).")
        String by;
        @Option(names = "--reason", description = "Why, kept with each lifted restriction.")
        String reason;

        @Override
        JsonNode ask(AdminClient client) throws AdminClient.AdminException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("by", AdminOptions.actor(by));
            if (reason != null) body.put("reason", reason);
            return client.post(path(user, "/lift"), body);
        }

        @Override
        void table(JsonNode a, PrintWriter out) {
            JsonNode lifted = a.path("lifted");
            if (lifted.isEmpty()) {
                out.println("no restriction in force on " + user);
                return;
            }
            for (JsonNode r : lifted) {
                out.printf("lifted %s (%s) by %s%n", r.path("id").asText(), r.path("reason").asText(), r.path("liftedBy").asText());
            }
        }
    }

    static void printSettings(JsonNode a, PrintWriter out) {
        JsonNode s = a.path("settings");
        out.printf("account:             %s%n", a.path("account").asText());
        out.printf("refuse from abroad:  %s%s%n", s.path("refuseAbroad").asBoolean() ? "on" : "off",
                s.path("refuseAbroad").asBoolean() && !a.path("refusesAbroadNow").asBoolean() ? " (lifted now)" : "");
        out.printf("home countries:      %s%n", String.join(" ", texts(a.path("homeCountries"))));
        out.printf("travel lift until:   %s%n", orDash(s.path("travelUntil")));
        out.printf("last set:            %s%n", s.path("setBy").asText().isEmpty() ? "-" : s.path("setBy").asText() + " at " + orDash(s.path("setAt")));
    }

    static void printAccount(JsonNode a, PrintWriter out) {
        printSettings(a, out);
        out.println();
        out.println("RESTRICTIONS IN FORCE");
        restrictions(a.path("active"), out);
        out.println();
        out.println("PAST RESTRICTIONS");
        restrictions(a.path("ended"), out);
        out.println();
        out.println("RECENT LOGINS");
        if (a.path("logins").isEmpty()) {
            out.println("  (none)");
            return;
        }
        out.printf("  %-22s %-40s %-7s %-10s %s%n", "TIME", "ADDRESS", "COUNTRY", "PROTOCOL", "RESULT");
        for (JsonNode l : a.path("logins")) {
            out.printf("  %-22s %-40s %-7s %-10s %s%n", l.path("at").asText(), l.path("address").asText(),
                    l.path("country").asText().isEmpty() ? "?" : l.path("country").asText(), l.path("protocol").asText(), l.path("result").asText());
        }
    }

    private static void restrictions(JsonNode list, PrintWriter out) {
        if (list.isEmpty()) {
            out.println("  (none)");
            return;
        }
        for (JsonNode r : list) {
            String lifted = r.path("liftedAt").isNull() || r.path("liftedAt").isMissingNode() ? ""
                    : " lifted " + r.path("liftedAt").asText() + " by " + r.path("liftedBy").asText();
            out.printf("  %s  %s .. %s%s%n", r.path("id").asText(), r.path("createdAt").asText(), r.path("expiresAt").asText(), lifted);
            out.printf("    reason:   %s (by %s)%n", r.path("reason").asText(), r.path("imposedBy").asText());
            if (!r.path("evidence").asText().isEmpty()) out.printf("    evidence: %s%n", r.path("evidence").asText());
        }
    }

    private static String orDash(JsonNode value) {
        return value.isMissingNode() || value.isNull() || value.asText().isEmpty() ? "-" : value.asText();
    }

    private static java.util.List<String> texts(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
