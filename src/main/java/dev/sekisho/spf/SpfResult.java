package dev.sekisho.spf;

import java.util.Locale;

/** The results check_host() can return (RFC 7208 2.6). */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

    /** The name RFC 7208 and Received-SPF headers use: "pass", "softfail", ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SpfResult parse(String label) {
        try {
            return valueOf(label.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an SPF result: '" + label + "'", e);
        }
    }
}
