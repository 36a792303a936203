package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.CheckUnavailableException;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Transaction;

import java.util.Objects;

/**
 * Submission side of "refuse use from abroad": mail of a SASL username whose account refuses use from abroad, from a
 * client address abroad, gets the action. Every authenticated transaction it sees (not in a dry run) is also a
 * sighting of the account in the client's country, for {@link SeveralCountries}.
 */
public final class AbroadCheck implements Check {
    private final CheckConfig.AccountAbroad config;
    private final AbroadRule rule;
    private final SeveralCountries sightings;

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
            if (!context.dryRun()) sightings.sighted(tx.saslUsername(), tx.clientAddress(), judgement.country(), "submission", context.now());
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
}
