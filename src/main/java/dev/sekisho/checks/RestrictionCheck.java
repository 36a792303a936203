package dev.sekisho.checks;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.engine.Transaction;
import dev.sekisho.state.StateStore;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Honours restrictions on the client's IP or network, the account, the sender or its domain. The
 * store's restriction list is indexed once per change (the list instance changes only then), so
 * a restriction added while running applies to the very next request.
 */
public final class RestrictionCheck implements Check {
    private final String name;
    private final Action action;
    private final RestrictionIndex index;

    /** @param index the store's restrictions, shared with the other readers of that store */
    public RestrictionCheck(String name, RestrictionIndex index, Action action) {
        this.name = name;
        this.action = action;
        this.index = java.util.Objects.requireNonNull(index, "index");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        if (index.isEmpty()) return CheckResult.pass(Explanation.of(name, "no restrictions"));
        Optional<Restriction> hit = find(tx, context.now());
        if (hit.isEmpty()) return CheckResult.pass(Explanation.of(name, "not restricted"));
        Restriction r = hit.get();
        Action answer = action.argument().isEmpty()
                ? action.withText("Access restricted until " + r.expiresAt() + " (ref " + r.id() + ")")
                : action;
        return CheckResult.decide(answer, new Explanation(name, r.id(), r.subject().toString(), r.reason(),
                Map.of("imposed-by", r.imposedBy(), "expires", r.expiresAt().toString())));
    }

    /** The client IP, a network containing it, the SASL account, the sender, the sender's domain: the first in force. */
    private Optional<Restriction> find(Transaction tx, Instant now) {
        Optional<Restriction> hit = index.exact(new Subject(Subject.Kind.IP, tx.clientIp()), now);
        if (hit.isPresent()) return hit;
        hit = index.network(tx.clientAddress(), now);
        if (hit.isPresent()) return hit;
        if (tx.authenticated()) {
            hit = index.exact(new Subject(Subject.Kind.ACCOUNT, tx.saslUsername().toLowerCase(Locale.ROOT)), now);
            if (hit.isPresent()) return hit;
        }
        if (!tx.sender().isEmpty()) {
            hit = index.exact(new Subject(Subject.Kind.SENDER, tx.sender().toLowerCase(Locale.ROOT)), now);
            if (hit.isPresent()) return hit;
            String domain = tx.senderDomain();
            if (!domain.isEmpty()) return index.exact(new Subject(Subject.Kind.DOMAIN, domain), now);
        }
        return Optional.empty();
    }
}
