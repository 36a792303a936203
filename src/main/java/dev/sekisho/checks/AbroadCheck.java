package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.CheckUnavailableException;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Transaction;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Submission side of "refuse use from abroad": mail of a SASL username whose account refuses use from abroad, from a
 * client address abroad, gets the action. Every authenticated message it sees (not in a dry run) is also one
 * sighting of the account in the client's country, for {@link SeveralCountries}.
 *
 * <p>Postfix asks about one message several times (once per recipient at RCPT, again at END-OF-MESSAGE), all with
 * the same {@code instance} ({@link Transaction#messageId()}): the sighting is recorded at the first of them only.
 * A request without a message id cannot be told apart from the next message's and is a sighting of its own.
 */
public final class AbroadCheck implements Check {
    private final CheckConfig.AccountAbroad config;
    private final AbroadRule rule;
    private final SeveralCountries sightings;
    /**
     * Messages recently sighted, direct-mapped by hash: lock-free and bounded. A slot taken over by another message
     * only costs a repeated sighting, which the account's distinct set absorbs, so a collision between concurrent
     * messages is harmless.
     */
    private final AtomicReferenceArray<String> sightedMessages = new AtomicReferenceArray<>(SIGHTED_SLOTS);
    private static final int SIGHTED_SLOTS = 1024;

    public AbroadCheck(CheckConfig.AccountAbroad config, AbroadRule rule, SeveralCountries sightings) {
        this.config = Objects.requireNonNull(config, "config");
        this.rule = Objects.requireNonNull(rule, "rule");
        this.sightings = Objects.requireNonNull(sightings, "sightings");
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        if (!tx.authenticated()) return CheckResult.pass(dev.sekisho.engine.Explanation.of(name(), "not authenticated"));
        AbroadRule.Judgement judgement;
        try {
            judgement = rule.judge(tx.saslUsername(), tx.clientAddress(), context.now());
            if (!context.dryRun()) recordSighting(tx, judgement, context);
        } catch (RuntimeException e) {
            throw new CheckUnavailableException(name() + ": account settings unavailable: " + e.getMessage(), e);
        }
        if (!judgement.refused()) return CheckResult.pass(judgement.explanation());
        Action action = config.action();
        if (action == null) return CheckResult.note(judgement.explanation());
        if (action.argument().isEmpty() && action.kind().takesText()) {
            action = action.withText(AbroadRule.REFUSAL);
        }
        return CheckResult.decide(action, judgement.explanation());
    }

    /**
     * Counts the sighting at the first request about a message this check sees (at every request without a message
     * id). The message's slot is claimed before the write and given back when the write fails, so that a store
     * hiccup at the first recipient leaves the sighting to the next request instead of losing it.
     */
    private void recordSighting(Transaction tx, AbroadRule.Judgement judgement, EvaluationContext context) {
        if (tx.messageId().isEmpty()) {
            sightings.sighted(tx.saslUsername(), tx.clientAddress(), judgement.country(), "submission", context.now());
            return;
        }
        String message = tx.messageId() + ' ' + tx.clientIp() + ' ' + tx.saslUsername();
        int slot = (message.hashCode() * 0x9E3779B9 >>> 22) & (SIGHTED_SLOTS - 1);
        String before = sightedMessages.getAndSet(slot, message);
        if (message.equals(before)) return;
        try {
            sightings.sighted(tx.saslUsername(), tx.clientAddress(), judgement.country(), "submission", context.now());
        } catch (RuntimeException e) {
            sightedMessages.compareAndSet(slot, message, before);
            throw e;
        }
    }
}
