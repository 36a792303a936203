package dev.sekisho.checks;

import dev.sekisho.engine.Restriction;
import dev.sekisho.state.StateStore;

import java.util.List;
import java.util.function.Function;

/**
 * Something a check derives from the store's restrictions (an index, a map by account), rebuilt only when the
 * store's list changes: the store returns the same list instance until then, so a restriction added while running
 * shows at the very next lookup and an unchanged list costs one identity comparison.
 */
final class DerivedFromRestrictions<T> {
    private final StateStore store;
    private final Function<List<Restriction>, T> derive;
    private volatile Derived<T> derived;

    DerivedFromRestrictions(StateStore store, Function<List<Restriction>, T> derive) {
        this.store = store;
        this.derive = derive;
        this.derived = new Derived<>(List.of(), derive.apply(List.of()));
    }

    T current() {
        List<Restriction> all = store.restrictions();
        Derived<T> now = derived;
        if (now.source() != all) {
            now = new Derived<>(all, derive.apply(all));
            derived = now;
        }
        return now.value();
    }

    private record Derived<T>(List<Restriction> source, T value) {
    }
}
