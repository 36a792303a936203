package dev.sekisho.engine;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An explanation's counter values: a handful of pairs in the order a check gave them, immutable,
 * in one array. Every refused request builds one, so it costs one allocation, not a linked map.
 */
final class OrderedValues extends AbstractMap<String, String> {
    private final String[] keysAndValues;

    /** @param keysAndValues key, value, key, value...; owned by this map from now on */
    OrderedValues(String[] keysAndValues) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i] == null || keysAndValues[i + 1] == null) throw new NullPointerException("explanation values hold no nulls");
            for (int j = 0; j < i; j += 2) {
                if (keysAndValues[j].equals(keysAndValues[i])) throw new IllegalArgumentException("value named twice: " + keysAndValues[i]);
            }
        }
        this.keysAndValues = keysAndValues;
    }

    /** A copy of any map, in its iteration order. */
    OrderedValues(Map<String, String> values) {
        this(flatten(values));
    }

    private static String[] flatten(Map<String, String> values) {
        List<String> pairs = new ArrayList<>(values.size() * 2);
        values.forEach((k, v) -> {
            pairs.add(k);
            pairs.add(v);
        });
        return pairs.toArray(String[]::new);
    }

    @Override
    public String get(Object key) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i].equals(key)) return keysAndValues[i + 1];
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return keysAndValues.length / 2;
    }

    @Override
    public void forEach(java.util.function.BiConsumer<? super String, ? super String> action) {
        for (int i = 0; i < keysAndValues.length; i += 2) action.accept(keysAndValues[i], keysAndValues[i + 1]);
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keysAndValues.length;
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (!hasNext()) throw new NoSuchElementException();
                        Entry<String, String> entry = new SimpleImmutableEntry<>(keysAndValues[next], keysAndValues[next + 1]);
                        next += 2;
                        return entry;
                    }
                };
            }

            @Override
            public int size() {
                return OrderedValues.this.size();
            }
        };
    }
}
