package dev.sekisho.spf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/** Macro strings (RFC 7208 7): checking their syntax, finding their macros, and expanding them. */
final class MacroString {
    /** RFC 7208 7.2: macro letters usable everywhere, and those only allowed in an explanation string (exp= TXT). */
    static final String LETTERS = "slodiphv";
    static final String EXPLANATION_LETTERS = "crt";
    private static final String DELIMITERS = ".-+,/_=";

    private MacroString() {
    }

    /** One %{...} macro as written. */
    record Macro(char letter, boolean urlEscape, int rightParts, boolean reverse, String delimiters) {
    }

    /** Checks the syntax; the message names the problem. {@code explanation} allows the letters c, r and t. */
    static void check(String text, boolean explanation) {
        expand(text, explanation, m -> "");
    }

    /** True when the string contains a macro-expand other than the escapes %%, %_ and %-. */
    static boolean hasMacros(String text) {
        return !macros(text).isEmpty();
    }

    static List<Macro> macros(String text) {
        List<Macro> found = new ArrayList<>();
        expand(text, true, m -> {
            found.add(m);
            return "";
        });
        return Collections.unmodifiableList(found);
    }

    /**
     * Expands the string; {@code values} gives each macro letter's value (lower-case letter), before
     * transformers and URL escaping are applied here.
     */
    static String expand(String text, boolean explanation, Function<Macro, String> values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                // RFC 7208 7.1: macro-literal = %x21-24 / %x26-7E; explanation strings also allow SP.
                if (c < 0x21 && !(explanation && c == ' ') || c > 0x7E) {
                    throw new SpfSyntaxException("character " + describe(c) + " not allowed in '" + text + "'");
                }
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= text.length()) throw new SpfSyntaxException("'%' at the end of '" + text + "'");
            char next = text.charAt(i + 1);
            switch (next) {
                case '%' -> { out.append('%'); i += 2; }       // RFC 7208 7.1: "%%" is a percent sign
                case '_' -> { out.append(' '); i += 2; }       // "%_" a space
                case '-' -> { out.append("%20"); i += 2; }     // "%-" a URL-encoded space
                case '{' -> {
                    int close = text.indexOf('}', i);
                    if (close < 0) throw new SpfSyntaxException("unclosed macro in '" + text + "'");
                    Macro macro = parse(text.substring(i + 2, close), explanation, text);
                    out.append(apply(macro, values.apply(macro)));
                    i = close + 1;
                }
                default -> throw new SpfSyntaxException("'%" + next + "' is not a macro in '" + text + "'");
            }
        }
        return out.toString();
    }

    // RFC 7208 7.1: macro-expand = "%{" macro-letter transformers *delimiter "}"; transformers = *DIGIT [ "r" ]
    private static Macro parse(String body, boolean explanation, String text) {
        if (body.isEmpty()) throw new SpfSyntaxException("empty macro in '" + text + "'");
        char letter = body.charAt(0);
        char lower = Character.toLowerCase(letter);
        boolean allowed = LETTERS.indexOf(lower) >= 0 || explanation && EXPLANATION_LETTERS.indexOf(lower) >= 0;
        if (!allowed || letter > 0x7E) {
            throw new SpfSyntaxException("unknown macro letter '" + letter + "' in '" + text + "'"
                    + (EXPLANATION_LETTERS.indexOf(lower) >= 0 ? " (only allowed in an explanation)" : ""));
        }
        int i = 1;
        int digitsStart = i;
        while (i < body.length() && Character.isDigit(body.charAt(i))) i++;
        int rightParts = 0;
        if (i > digitsStart) {
            String digits = body.substring(digitsStart, i);
            // RFC 7208 7.3: "If a DIGIT is specified, the value MUST be nonzero."
            if (digits.length() > 3 || Integer.parseInt(digits) == 0) {
                throw new SpfSyntaxException("macro transformer must be 1-999, was " + digits + " in '" + text + "'");
            }
            rightParts = Integer.parseInt(digits);
        }
        boolean reverse = false;
        if (i < body.length() && (body.charAt(i) == 'r' || body.charAt(i) == 'R')) {
            reverse = true;
            i++;
        }
        String delimiters = body.substring(i);
        for (char d : delimiters.toCharArray()) {
            if (DELIMITERS.indexOf(d) < 0) throw new SpfSyntaxException("bad macro delimiter '" + d + "' in '" + text + "'");
        }
        return new Macro(lower, Character.isUpperCase(letter), rightParts, reverse, delimiters.isEmpty() ? "." : delimiters);
    }

    private static String apply(Macro macro, String value) {
        if (macro.rightParts() > 0 || macro.reverse() || !macro.delimiters().equals(".")) {
            // RFC 7208 7.3: split on the delimiters, optionally reverse, keep the right-hand parts, join with "."
            List<String> parts = new ArrayList<>();
            int start = 0;
            for (int i = 0; i <= value.length(); i++) {
                if (i == value.length() || macro.delimiters().indexOf(value.charAt(i)) >= 0) {
                    parts.add(value.substring(start, i));
                    start = i + 1;
                }
            }
            if (macro.reverse()) Collections.reverse(parts);
            if (macro.rightParts() > 0 && macro.rightParts() < parts.size()) {
                parts = parts.subList(parts.size() - macro.rightParts(), parts.size());
            }
            value = String.join(".", parts);
        }
        // RFC 7208 7.3: upper-case macro letters are URL-escaped: everything but the unreserved characters (RFC 3986 2.3).
        return macro.urlEscape() ? urlEscape(value) : value;
    }

    static String urlEscape(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    static String describe(char c) {
        return c >= 0x21 && c <= 0x7E ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
