package dev.sekisho.notify;

import dev.sekisho.engine.Restriction;
import dev.sekisho.state.StateStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The notifications not yet done, kept in the state store (one small record of fields, journaled like every other
 * change) so that a restart, or a crash, does not lose what was still waiting: the next start sends it. A field is
 * "RESTRICTION-ID DESTINATION-KEY" with the time it was queued; it is removed when the delivery ends (delivered,
 * refused for good, out of attempts, or dropped from a full queue), so the record holds at most what the queue holds.
 *
 * <p>Delivery is at least once: a crash between a delivery and its removal sends it again after the restart (the
 * webhook body carries the restriction id for receivers that must not act twice).
 */
final class NotificationOutbox {
    static final String KEY = "notify-outbox";

    /** One delivery to resume: the restriction, if the store still holds it, and the destination's key. */
    record Waiting(String restrictionId, String destinationKey, Optional<Restriction> restriction) {
    }

    private final StateStore store;

    private NotificationOutbox(StateStore store) {
        this.store = store;
    }

    /** An outbox in {@code store} (the store itself, not a wrapper that notifies). */
    static NotificationOutbox in(StateStore store) {
        return new NotificationOutbox(store);
    }

    /** No outbox: what waits when the process stops is lost (tests of the queue alone). */
    static NotificationOutbox none() {
        return new NotificationOutbox(null);
    }

    boolean keeps() {
        return store != null;
    }

    void add(Restriction restriction, Collection<String> destinationKeys, Instant at) {
        if (store == null || destinationKeys.isEmpty()) return;
        Map<String, String> fields = new LinkedHashMap<>();
        for (String key : destinationKeys) fields.put(field(restriction.id(), key), at.toString());
        store.putFields(KEY, fields);
    }

    void remove(Restriction restriction, String destinationKey) {
        if (store == null) return;
        store.putFields(KEY, Map.of(field(restriction.id(), destinationKey), "")); // an empty value removes the field
    }

    /** What was waiting when the last run stopped, oldest first. */
    List<Waiting> waiting() {
        if (store == null) return List.of();
        Map<String, Restriction> byId = new HashMap<>();
        for (Restriction r : store.restrictions()) byId.put(r.id(), r);
        List<Map.Entry<String, String>> entries = new ArrayList<>(store.fields(KEY).entrySet());
        entries.sort(Map.Entry.comparingByValue()); // ISO-8601 instants sort by time
        List<Waiting> waiting = new ArrayList<>();
        for (Map.Entry<String, String> e : entries) {
            int space = e.getKey().indexOf(' ');
            if (space <= 0) continue; // not written by this class
            String id = e.getKey().substring(0, space);
            waiting.add(new Waiting(id, e.getKey().substring(space + 1), Optional.ofNullable(byId.get(id))));
        }
        return waiting;
    }

    /** Forget a delivery that cannot be resumed (its restriction or destination is gone). */
    void discard(Waiting w) {
        if (store != null) store.putFields(KEY, Map.of(field(w.restrictionId(), w.destinationKey()), ""));
    }

    private static String field(String restrictionId, String destinationKey) {
        return restrictionId + " " + destinationKey;
    }
}
