package dev.sekisho.checks;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Transaction;

import java.util.Map;

/**
 * A listed client, account, sender or sender domain ends the checks with the list's action.
 * The allow list answers DUNNO, not OK: later Sekisho checks are skipped, but Postfix's own
 * restrictions (relay control above all) still run. The deny list answers a refusal.
 */
public final class ListCheck implements Check {
    private final String name;
    private final String rule;
    private final ListMatcher list;
    private final Action onMatch;

    private ListCheck(String name, String rule, ListMatcher list, Action onMatch) {
        this.name = name;
        this.rule = rule;
        this.list = list;
        this.onMatch = onMatch;
    }

    public static ListCheck allow(String name, ListMatcher list) {
        return new ListCheck(name, "allow", list, Action.DUNNO);
    }

    public static ListCheck deny(String name, ListMatcher list, Action action) {
        return new ListCheck(name, "deny", list, action);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        return list.match(tx)
                .map(what -> CheckResult.decide(onMatch, new Explanation(name, rule, what, rule + "-listed", Map.of())))
                .orElseGet(() -> CheckResult.pass(Explanation.of(name, "not listed")));
    }
}
