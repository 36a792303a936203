package dev.sekisho.checks;

import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.state.DurationText;
import dev.sekisho.state.StateStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store's restrictions on accounts, lifted and expired ones included (the store keeps them for a
 * while after they end), to answer "is this account restricted, or was it until recently?". Rebuilt
 * only when the store's list changes (it returns the same instance until then).
 */
final class RecentRestrictions {
    private final DerivedFromRestrictions<Map<String, List<Restriction>>> byAccount;

    RecentRestrictions(StateStore store) {
        this.byAccount = new DerivedFromRestrictions<>(store, RecentRestrictions::byAccount);
    }

    /** @param account lower case */
    Optional<String> recent(String account, Instant now, Duration within) {
        List<Restriction> list = byAccount.current().get(account);
        if (list == null) return Optional.empty();
        Restriction latest = null;
        Instant latestEnd = null;
        for (Restriction r : list) {
            if (r.createdAt().isAfter(now)) continue;
            if (r.activeAt(now)) return Optional.of("account restricted until " + r.expiresAt() + " (ref " + r.id() + ")");
            Instant end = r.liftedAt() != null && r.liftedAt().isBefore(r.expiresAt()) ? r.liftedAt() : r.expiresAt();
            if (latestEnd == null || end.isAfter(latestEnd)) {
                latest = r;
                latestEnd = end;
            }
        }
        if (latest == null || latestEnd.isAfter(now) || latestEnd.plus(within).isBefore(now)) return Optional.empty();
        String how = latest.liftedAt() != null && latest.liftedAt().isBefore(latest.expiresAt()) ? "lifted" : "ended";
        return Optional.of("account restriction " + latest.id() + " " + how + " at " + latestEnd + ", within " + DurationText.format(within));
    }

    private static Map<String, List<Restriction>> byAccount(List<Restriction> all) {
        Map<String, List<Restriction>> byAccount = new HashMap<>();
        for (Restriction r : all) {
            if (r.subject().kind() == Subject.Kind.ACCOUNT) byAccount.computeIfAbsent(r.subject().value(), a -> new ArrayList<>()).add(r);
        }
        return byAccount;
    }
}
