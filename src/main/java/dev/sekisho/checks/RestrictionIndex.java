package dev.sekisho.checks;

import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import dev.sekisho.state.StateStore;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store's restrictions by exact subject, and its networks to test by containment. The store
 * returns the same list instance until something changes, so the index is rebuilt only then and a
 * restriction added while running applies to the very next lookup.
 *
 * <p>One per store, shared by every check that reads restrictions (the restrictions check of each
 * service, the login lockouts, several countries): a change is indexed once, not once per reader. It
 * depends on nothing but the store, so it outlives a configuration reload.
 */
public final class RestrictionIndex {
    private final DerivedFromRestrictions<Snapshot> snapshot;

    public RestrictionIndex(StateStore store) {
        this.snapshot = new DerivedFromRestrictions<>(store, Snapshot::new);
    }

    /** True when nothing is restricted (lifted restrictions do not count). */
    boolean isEmpty() {
        Snapshot current = current();
        return current.exact.isEmpty() && current.networks.isEmpty();
    }

    /** A restriction in force on exactly this subject. */
    Optional<Restriction> exact(Subject subject, Instant now) {
        List<Restriction> candidates = current().exact.get(subject);
        if (candidates == null) return Optional.empty();
        for (Restriction r : candidates) if (r.activeAt(now)) return Optional.of(r);
        return Optional.empty();
    }

    /** A restriction in force on a network that contains the address. */
    Optional<Restriction> network(InetAddress address, Instant now) {
        List<Map.Entry<IPAddress, Restriction>> networks = current().networks;
        if (networks.isEmpty()) return Optional.empty();
        IPAddress client = ClientNetworks.ipAddress(address);
        boolean v4 = address instanceof Inet4Address;
        for (var entry : networks) {
            if (entry.getKey().isIPv4() == v4 && entry.getKey().contains(client) && entry.getValue().activeAt(now)) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.empty();
    }

    private Snapshot current() {
        return snapshot.current();
    }

    private static final class Snapshot {
        final Map<Subject, List<Restriction>> exact = new HashMap<>();
        final List<Map.Entry<IPAddress, Restriction>> networks = new ArrayList<>();

        Snapshot(List<Restriction> source) {
            for (Restriction r : source) {
                if (r.liftedAt() != null) continue;
                exact.computeIfAbsent(r.subject(), s -> new ArrayList<>()).add(r);
                if (r.subject().kind() == Subject.Kind.NETWORK) {
                    IPAddress network = new IPAddressString(r.subject().value()).getAddress();
                    if (network != null) networks.add(Map.entry(network, r));
                }
            }
        }
    }
}
