package dev.sekisho.checks;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Transaction;

import java.util.Map;

/** A listed client, account, sender or sender domain is refused with the configured action. */
public final class DenyListCheck implements Check {
    private final String name;
    private final ListMatcher list;
    private final Action action;

    public DenyListCheck(String name, ListMatcher list, Action action) {
        this.name = name;
        this.list = list;
        this.action = action;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        return list.match(tx)
                .map(what -> CheckResult.decide(action, new Explanation(name, "deny", what, "deny-listed", Map.of())))
                .orElseGet(() -> CheckResult.pass(Explanation.of(name, "not listed")));
    }
}
