package dev.sekisho.engine;

import java.util.Map;
import java.util.Objects;

/**
 * Why a check answered as it did: the check, the rule inside it, the key it looked at and the
 * counter values it compared. Every decision carries one, so an operator can always ask "why".
 *
 * @param check   the check's configured name (e.g. "greylist", "per-client-ip")
 * @param rule    the rule inside the check that fired (e.g. "window 100/1h"), "" when not applicable
 * @param key     what was counted or looked up (e.g. "client-ip=203.0.113.7")
 * @param detail  one human sentence
 * @param values  counters and their limits, in insertion order
 */
public record Explanation(String check, String rule, String key, String detail, Map<String, String> values) {
    public Explanation {
        Objects.requireNonNull(check, "check");
        rule = rule == null ? "" : rule;
        key = key == null ? "" : key;
        detail = detail == null ? "" : detail;
        values = values == null || values.isEmpty() ? Map.of()
                : values instanceof OrderedValues ? values
                : new OrderedValues(values);
    }

    /** Values in the order given, key, value, key, value...: immutable, and kept as is by the constructor. */
    public static Map<String, String> values(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("values come in key, value pairs");
        return new OrderedValues(keysAndValues.clone());
    }

    public static Explanation of(String check, String detail) {
        return new Explanation(check, "", "", detail, Map.of());
    }

    /** One line for logs: check=... rule=... key=... values... detail. */
    public String toLogString() {
        return appendTo(new StringBuilder(128)).toString();
    }

    /** The {@link #toLogString()} form, appended to a line being built. */
    public StringBuilder appendTo(StringBuilder b) {
        b.append("check=").append(check);
        if (!rule.isEmpty()) b.append(" rule=\"").append(rule).append('"');
        if (!key.isEmpty()) b.append(" key=").append(key);
        values.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        if (!detail.isEmpty()) b.append(" detail=\"").append(detail).append('"');
        return b;
    }
}
