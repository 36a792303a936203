package dev.sekisho.checks;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Transaction;

import java.util.Map;

/**
 * A listed client, account or sender skips the remaining Sekisho checks. The answer is DUNNO, not
 * OK: Postfix's own restrictions (relay control above all) must still run.
 */
public final class AllowListCheck implements Check {
    private final String name;
    private final ListMatcher list;

    public AllowListCheck(String name, ListMatcher list) {
        this.name = name;
        this.list = list;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        return list.match(tx)
                .map(what -> CheckResult.decide(Action.DUNNO, new Explanation(name, "allow", what, "allow-listed: skip further checks", Map.of())))
                .orElseGet(() -> CheckResult.pass(Explanation.of(name, "not listed")));
    }
}
