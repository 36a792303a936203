package dev.sekisho.app;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.Engine;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Transaction;
import dev.sekisho.engine.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One log line per verdict that is not a plain DUNNO, naming service, check, rule, key and
 * counter values; and the verdict counters for /metrics.
 */
final class VerdictLog implements Engine.Listener {
    private static final Logger LOG = LoggerFactory.getLogger("sekisho.verdict");
    private final MeterRegistry metrics;
    private final LineWriter lines;
    /**
     * The verdict counters by service, then deciding check ("" for none), then action kind: every
     * request looks its counter up, and nested maps of strings it already holds find it without
     * building a key object per request.
     */
    private final Map<String, Map<String, Counter[]>> counters = new ConcurrentHashMap<>();
    private static final Action.Kind[] KINDS = Action.Kind.values();
    private volatile RenderedAction lastRendered = new RenderedAction(Action.DUNNO, "DUNNO");

    /** @param lines where verdict lines go; null sends them through logback (tests, explain) */
    VerdictLog(MeterRegistry metrics, LineWriter lines) {
        this.metrics = metrics;
        this.lines = lines;
    }

    @Override
    public void decided(Transaction tx, Verdict verdict) {
        counter(tx.service(), verdict.decidedBy() == null ? "" : verdict.decidedBy().check(), verdict.action().kind()).increment();
        if (!verdict.notable() || !LOG.isInfoEnabled()) return;
        StringBuilder line = (lines != null ? lines.start(LOG.getName()) : new StringBuilder(512))
                .append("service=").append(tx.service())
                .append(" stage=").append(tx.stage().label())
                .append(" action=\"");
        render(verdict, line).append('"')
                .append(" client=").append(tx.clientIp())
                .append(" sender=<").append(tx.sender()).append('>');
        if (!tx.recipient().isEmpty()) line.append(" recipient=<").append(tx.recipient()).append('>');
        if (tx.authenticated()) line.append(" sasl_username=").append(tx.saslUsername());
        if (verdict.fault()) line.append(" fault=true");
        if (verdict.decidedBy() != null) verdict.decidedBy().appendTo(line.append(' '));
        for (Explanation note : verdict.notes()) note.appendTo(line.append(" note: "));
        if (lines != null) lines.submit(line);
        else LOG.info(line.toString());
    }

    private Counter counter(String service, String check, Action.Kind kind) {
        Counter[] byKind = counters.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(check, c -> new Counter[KINDS.length]);
        Counter counter = byKind[kind.ordinal()];
        if (counter == null) {
            // Two threads may get here at once: the registry hands both the same counter.
            counter = Counter.builder("sekisho.verdicts")
                    .description("Verdicts by service, action and deciding check")
                    .tag("service", service).tag("action", kind.name()).tag("check", check)
                    .register(metrics);
            byKind[kind.ordinal()] = counter;
        }
        return counter;
    }

    @Override
    public void decisionFailed(Transaction tx, RuntimeException cause) {
        metrics.counter("sekisho.decision.failures", "service", tx.service()).increment();
        LOG.error("service={} deciding failed outside the checks; the failure verdict is answered", tx.service(), cause);
    }

    @Override
    public void checkFailed(Transaction tx, Check check, RuntimeException cause) {
        metrics.counter("sekisho.check.failures", "service", tx.service(), "check", check.name()).increment();
        LOG.warn("service={} check={} could not answer: {}", tx.service(), check.name(), cause.toString());
    }

    private StringBuilder render(Verdict verdict, StringBuilder b) {
        Action action = verdict.action();
        RenderedAction last = lastRendered;
        if (!last.action().equals(action)) {
            StringBuilder text = new StringBuilder(action.kind().name());
            if (action.code() != 0) text.append(' ').append(action.code());
            if (!action.status().isEmpty()) text.append(' ').append(action.status());
            if (!action.argument().isEmpty()) text.append(' ').append(action.argument().replace('"', '\''));
            last = new RenderedAction(action, text.toString());
            lastRendered = last;
        }
        return b.append(last.text());
    }

    /** An action's text in a verdict line. Under load most verdicts repeat the one before, so the last is kept. */
    private record RenderedAction(Action action, String text) {
    }
}
