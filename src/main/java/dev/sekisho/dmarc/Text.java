package dev.sekisho.dmarc;

/** Quoting untrusted text into messages: control characters escaped, long values cut. */
final class Text {
    private Text() {
    }

    /** The value with control and non-ASCII characters as \\uXXXX, at most {@code max} characters of it. */
    static String quote(String value, int max) {
        StringBuilder b = new StringBuilder(Math.min(value.length(), max) + 8);
        int limit = Math.min(value.length(), max);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (value.length() > max) b.append("...(").append(value.length()).append(" characters)");
        return b.toString();
    }

    static String quote(String value) {
        return quote(value, 60);
    }

    /** Without leading and trailing WSP (RFC 5234: space and horizontal tab), and nothing else. */
    static String trimWsp(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isWsp(s.charAt(start))) start++;
        while (end > start && isWsp(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }

    static boolean isWsp(char c) {
        return c == ' ' || c == '\t';
    }
}
