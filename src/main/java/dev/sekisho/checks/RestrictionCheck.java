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
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.Inet4Address;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
    private final StateStore store;
    private final Action action;
    private volatile Index index = new Index(List.of());

    public RestrictionCheck(String name, StateStore store, Action action) {
        this.name = name;
        this.store = store;
        this.action = action;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        Index current = currentIndex();
        if (current.isEmpty()) return CheckResult.pass(Explanation.of(name, "no restrictions"));
        Optional<Restriction> hit = current.find(tx, context.now());
        if (hit.isEmpty()) return CheckResult.pass(Explanation.of(name, "not restricted"));
        Restriction r = hit.get();
        Action answer = action.argument().isEmpty()
                ? action.withText("Access restricted until " + r.expiresAt() + " (ref " + r.id() + ")")
                : action;
        return CheckResult.decide(answer, new Explanation(name, r.id(), r.subject().toString(), r.reason(),
                Map.of("imposed-by", r.imposedBy(), "expires", r.expiresAt().toString())));
    }

    private Index currentIndex() {
        List<Restriction> all = store.restrictions();
        Index current = index;
        if (current.source != all) {
            current = new Index(all);
            index = current;
        }
        return current;
    }

    /** Restrictions by exact subject, and networks to test by containment. */
    private static final class Index {
        final List<Restriction> source;
        final Map<Subject, List<Restriction>> exact = new HashMap<>();
        final List<Map.Entry<IPAddress, Restriction>> networks = new ArrayList<>();

        Index(List<Restriction> source) {
            this.source = source;
            for (Restriction r : source) {
                if (r.liftedAt() != null) continue;
                if (r.subject().kind() == Subject.Kind.NETWORK) {
                    IPAddress network = new IPAddressString(r.subject().value()).getAddress();
                    if (network != null) networks.add(Map.entry(network, r));
                } else {
                    exact.computeIfAbsent(r.subject(), s -> new ArrayList<>()).add(r);
                }
            }
        }

        boolean isEmpty() {
            return exact.isEmpty() && networks.isEmpty();
        }

        Optional<Restriction> find(Transaction tx, Instant now) {
            Optional<Restriction> hit = exact(new Subject(Subject.Kind.IP, tx.clientIp()), now);
            if (hit.isPresent()) return hit;
            if (!networks.isEmpty()) {
                IPAddress client = ClientNetworks.ipAddress(tx.clientAddress());
                for (var entry : networks) {
                    boolean sameFamily = entry.getKey().isIPv4() == (tx.clientAddress() instanceof Inet4Address);
                    if (sameFamily && entry.getKey().contains(client) && entry.getValue().activeAt(now)) return Optional.of(entry.getValue());
                }
            }
            if (tx.authenticated()) {
                hit = exact(new Subject(Subject.Kind.ACCOUNT, tx.saslUsername().toLowerCase(Locale.ROOT)), now);
                if (hit.isPresent()) return hit;
            }
            if (!tx.sender().isEmpty()) {
                hit = exact(new Subject(Subject.Kind.SENDER, tx.sender().toLowerCase(Locale.ROOT)), now);
                if (hit.isPresent()) return hit;
                String domain = tx.senderDomain();
                if (!domain.isEmpty()) return exact(new Subject(Subject.Kind.DOMAIN, domain), now);
            }
            return Optional.empty();
        }

        private Optional<Restriction> exact(Subject subject, Instant now) {
            List<Restriction> candidates = exact.get(subject);
            if (candidates == null) return Optional.empty();
            for (Restriction r : candidates) if (r.activeAt(now)) return Optional.of(r);
            return Optional.empty();
        }
    }
}
