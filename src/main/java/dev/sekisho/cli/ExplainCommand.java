package dev.sekisho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Reads one policy request (name=value lines, as Postfix sends them) on standard input and shows
 * what every check of the service would answer and why, without counting anything.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Show what every check would answer to a policy request given on stdin (name=value lines), and why. Counts nothing.")
public final class ExplainCommand implements Callable<Integer> {
    @Mixin
    AdminOptions admin;
    @picocli.CommandLine.Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Explain against this configuration with empty state, without a running server.")
    java.nio.file.Path configFile;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    /** Where the request is read from; tests give their own. */
    java.io.InputStream input = System.in;

    @Override
    public Integer call() throws IOException {
        Map<String, String> attributes = new LinkedHashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                spec.commandLine().getErr().println("sekisho explain: not a name=value line: " + line);
                return 2;
            }
            attributes.put(line.substring(0, eq), line.substring(eq + 1));
        }
        try {
            JsonNode results = configFile != null ? offline(attributes) : admin.client().post("/api/explain", attributes);
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode r : results) {
                if (r.path("answer").asBoolean()) {
                    out.printf("%-34s %-30s %s%n", "=> the server answers", r.path("action").asText(), r.path("explanation").asText());
                    continue;
                }
                out.printf("%-24s %-9s %-30s %s%n", r.path("check").asText(), r.path("decisive").asBoolean() ? "DECIDES" : r.path("notable").asBoolean() ? "logs" : "passes",
                        r.path("action").asText(), r.path("explanation").asText());
            }
            out.flush();
            return 0;
        } catch (AdminClient.AdminException e) {
            spec.commandLine().getErr().println("sekisho explain: " + e.getMessage());
            return e.exitCode();
        } catch (dev.sekisho.config.ConfigException e) {
            spec.commandLine().getErr().println("sekisho explain: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("sekisho explain: bad request: " + e.getMessage());
            return 2;
        }
    }

    private JsonNode offline(Map<String, String> attributes) {
        var config = new dev.sekisho.config.ConfigLoader().load(configFile);
        var rows = dev.sekisho.app.Explainer.explainOffline(config, attributes, java.time.Clock.systemUTC());
        return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(rows);
    }
}
