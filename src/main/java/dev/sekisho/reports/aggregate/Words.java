package dev.sekisho.reports.aggregate;

import java.util.Locale;
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
        String word = normal(text);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().toLowerCase(Locale.ROOT).equals(word)) return Optional.of(constant);
        }
        return Optional.empty();
    }
}
