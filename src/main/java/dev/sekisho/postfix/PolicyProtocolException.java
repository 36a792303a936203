package dev.sekisho.postfix;

/**
 * A policy client broke the Postfix policy delegation protocol (SMTPD_POLICY_README) or one of
 * the server's limits. The server logs it and closes that one connection; Postfix then answers
 * with its {@code default_action} after its own retries.
 *
 * <p>The message is safe to log: the offending attribute and value are quoted with control
 * characters escaped and long values shortened, so a client cannot forge log lines.
 */
public final class PolicyProtocolException extends Exception {

    private static final int MAX_QUOTED_CHARS = 120;

    private final String attribute;
    private final String value;

    /**
     * @param reason    what is wrong, one short phrase
     * @param attribute the attribute concerned, "" when the fault is not about one attribute
     * @param value     the offending value (or line), "" when there is none
     */
    public PolicyProtocolException(String reason, String attribute, String value) {
        super(describe(reason, attribute, value));
        this.attribute = attribute == null ? "" : attribute;
        this.value = value == null ? "" : value;
    }

    /** A fault of the request as a whole (limits, timeouts, truncation). */
    public static PolicyProtocolException of(String reason) {
        return new PolicyProtocolException(reason, "", "");
    }

    /** The attribute concerned, "" when the fault is not about one attribute. */
    public String attribute() {
        return attribute;
    }

    /** The offending value as received, "" when there is none. */
    public String value() {
        return value;
    }

    private static String describe(String reason, String attribute, String value) {
        StringBuilder message = new StringBuilder(reason);
        if (attribute != null && !attribute.isEmpty()) message.append(": attribute ").append(quote(attribute));
        if (value != null && !value.isEmpty()) message.append(" value ").append(quote(value));
        return message.toString();
    }

    /** Quotes text for a log line: escapes control characters, quotes and backslashes; shortens it. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(Math.min(text.length(), MAX_QUOTED_CHARS) + 8).append('"');
        int end = Math.min(text.length(), MAX_QUOTED_CHARS);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\r' -> quoted.append("\\r");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) quoted.append(String.format("\\x%02x", (int) c));
                    else quoted.append(c);
                }
            }
        }
        quoted.append('"');
        if (text.length() > MAX_QUOTED_CHARS) quoted.append("... (").append(text.length()).append(" chars)");
        return quoted.toString();
    }
}
