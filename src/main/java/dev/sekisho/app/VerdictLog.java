package dev.sekisho.app;

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
    private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();

    private record CounterKey(String service, String action, String check) {
    }

    /** @param lines where verdict lines go; null sends them through logback (tests, explain) */
    VerdictLog(MeterRegistry metrics, LineWriter lines) {
        this.metrics = metrics;
        this.lines = lines;
    }

    @Override
    public void decided(Transaction tx, Verdict verdict) {
        String check = verdict.decidedBy() == null ? "" : verdict.decidedBy().check();
        String action = verdict.action().kind().name();
        counters.computeIfAbsent(new CounterKey(tx.service(), action, check), k -> Counter.builder("sekisho.verdicts")
                .description("Verdicts by service, action and deciding check")
                .tag("service", tx.service()).tag("action", action).tag("check", check)
                .register(metrics)).increment();
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

    @Override
    public void checkFailed(Transaction tx, Check check, RuntimeException cause) {
        metrics.counter("sekisho.check.failures", "service", tx.service(), "check", check.name()).increment();
        LOG.warn("service={} check={} could not answer: {}", tx.service(), check.name(), cause.toString());
    }

    private static StringBuilder render(Verdict verdict, StringBuilder b) {
        var a = verdict.action();
        b.append(a.kind().name());
        if (a.code() != 0) b.append(' ').append(a.code());
        if (!a.status().isEmpty()) b.append(' ').append(a.status());
        if (!a.argument().isEmpty()) b.append(' ').append(a.argument().replace('"', '\''));
        return b;
    }
}
