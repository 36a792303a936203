package dev.sekisho.notify;

import dev.sekisho.engine.Restriction;
import dev.sekisho.state.StateStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notifications not yet done, kept in the state store so that a restart, or a crash, does not lose what was still
 * waiting: the next start sends it. One small record per restriction ({@code notify-outbox|ID}), one field per
 * destination key with the time it was queued; a field is removed when its delivery ends (delivered, refused for good,
 * out of attempts, or dropped from a full queue), and the record with its last field. A record per restriction, not
 * one for all: each change journals only its own record, whatever the queue holds.
 *
 * <p>Writes are atomic units of the store ({@link StateStore#atomically}): the note is made inside the unit that
 * imposes the restriction, so both are kept or neither, and a removal never overtakes a unit's note in the journal.
 *
 * <p>Delivery is at least once: a crash between a delivery and its removal sends it again after the restart (the
 * webhook body carries the restriction id for receivers that must not act twice).
 */
final class NotificationOutbox {
    static final String KEY_PREFIX = "notify-outbox|";

    /** One delivery to resume. */
    record Waiting(Restriction restriction, String destinationKey, String queuedAt) {
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

    static String key(String restrictionId) {
        return KEY_PREFIX + restrictionId;
    }

    void add(Restriction restriction, Collection<String> destinationKeys, Instant at) {
        if (store == null || destinationKeys.isEmpty()) return;
        Map<String, String> fields = new LinkedHashMap<>();
        for (String destination : destinationKeys) fields.put(destination, at.toString());
        store.atomically(() -> store.putFields(key(restriction.id()), fields)); // joins the impose's unit
    }

    void remove(Restriction restriction, String destinationKey) {
        if (store == null) return;
        // An empty value removes the field, and a record left without fields goes too.
        store.atomically(() -> store.putFields(key(restriction.id()), Map.of(destinationKey, "")));
    }

    /** What was waiting when the last run stopped, oldest first: the records of the restrictions the store holds. */
    List<Waiting> waiting() {
        if (store == null) return List.of();
        List<Waiting> waiting = new ArrayList<>();
        for (Restriction r : store.restrictions()) {
            store.fields(key(r.id())).forEach((destination, at) -> waiting.add(new Waiting(r, destination, at)));
        }
        waiting.sort(Comparator.comparing(Waiting::queuedAt)); // ISO-8601 instants sort by time
        return waiting;
    }
}
