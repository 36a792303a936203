package dev.sekisho.reports.aggregate;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Result words as reporters write them: " Pass", "PASS" and "pass" are one word. */
final class Words {
    private Words() {
    }

    /** Trimmed (Unicode white space included) and lower case. */
    static String normal(String text) {
        return text.strip().toLowerCase(Locale.ROOT);
    }

    /** The constant whose lower-case name is the word, e.g. "softfail" for SOFTFAIL. */
    static <E extends Enum<E>> Optional<E> parse(Class<E> type, String text) {
        Map<String, Object> words = BY_WORD.get(type);
        // Most reporters write the word as it is named: found as it is, it needs no copy in lower case (a word found
        // as written is its own normal form, since every name is lower case without white space).
        Object constant = words.get(text);
        return Optional.ofNullable(type.cast(constant != null ? constant : words.get(normal(text))));
    }

    /** Each enum's constants by lower-case name, computed once per enum (a record's results are looked up often). */
    private static final ClassValue<Map<String, Object>> BY_WORD = new ClassValue<>() {
        @Override
        protected Map<String, Object> computeValue(Class<?> type) {
            Map<String, Object> words = new HashMap<>();
            for (Object constant : type.getEnumConstants()) words.put(((Enum<?>) constant).name().toLowerCase(Locale.ROOT), constant);
            return Map.copyOf(words);
        }
    };
}
