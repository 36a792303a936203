package dev.sekisho.app;

import dev.sekisho.config.SekishoConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.Engine;
import dev.sekisho.engine.Transaction;
import dev.sekisho.engine.Verdict;
import dev.sekisho.postfix.PolicyProtocolException;
import dev.sekisho.postfix.PolicyRequest;
import dev.sekisho.state.memory.MemoryStateStore;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What every check of a service would answer to one policy request, and why; counts nothing. */
public final class Explainer {
    private Explainer() {
    }

    /**
     * Explain against a configuration alone, with empty state: for {@code sekisho explain --config}
     * when no server is running (or to try a configuration before deploying it).
     */
    public static List<Map<String, Object>> explainOffline(SekishoConfig config, Map<String, String> attributes, InstantSource clock) {
        try (MemoryStateStore store = MemoryStateStore.inMemory(MemoryStateStore.Options.defaults().withMaintenanceThread(false), clock)) {
            return explain(CheckFactory.engine(config, store, clock, Engine.Listener.NONE, CheckFactory.geoIp(config.geoip(), clock)),
                    config, attributes);
        }
    }

    static List<Map<String, Object>> explain(Engine engine, SekishoConfig config, Map<String, String> attributes) {
        PolicyRequest request;
        try {
            request = PolicyRequest.fromAttributes(attributes);
        } catch (PolicyProtocolException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (request.clientAddressUnknown()) {
            throw new IllegalArgumentException("client_address=unknown: the server answers DUNNO without asking its checks, "
                    + "none of which can judge a client whose address Postfix does not know");
        }
        Transaction tx = request.toTransaction(Application.serviceFor(engine, config, request, ""));
        List<Map<String, Object>> out = new ArrayList<>();
        for (CheckResult r : engine.explain(tx)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("service", tx.service());
            row.put("check", r.explanation().check());
            row.put("decisive", r.decisive());
            row.put("notable", r.notable());
            row.put("action", r.decisive() || r.routes() ? actionText(r, tx) : "");
            row.put("explanation", r.explanation().toLogString());
            out.add(row);
        }
        // Last, what the server would answer: the first decisive check, a route, the stage's limits, all applied.
        Verdict verdict = engine.verdictWithoutCounting(tx);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("service", tx.service());
        answer.put("check", "");
        answer.put("answer", true);
        answer.put("action", text(verdict.action()));
        answer.put("explanation", verdict.decidedBy() == null ? "no check decided" : verdict.decidedBy().toLogString());
        out.add(answer);
        return out;
    }

    /** The action as the server would answer it: one that Postfix forbids or skips at the request's stage is DUNNO. */
    private static String actionText(CheckResult r, Transaction tx) {
        return r.action().allowedAt(tx.stage()) ? text(r.action())
                : "DUNNO (" + r.action().kind().name() + " is not taken at " + tx.stage().label() + ")";
    }

    /** An action as explain shows it: its kind, then its argument when it has one. */
    private static String text(Action action) {
        return action.argument().isEmpty() ? action.kind().name() : action.kind().name() + " " + action.argument();
    }
}
