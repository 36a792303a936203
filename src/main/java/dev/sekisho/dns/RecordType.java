package dev.sekisho.dns;

import java.util.Locale;

/** The record types Sekisho asks about, with their wire codes (RFC 1035 3.2.2, RFC 3596, RFC 7208 3.1). */
public enum RecordType {
    A(1), NS(2), CNAME(5), SOA(6), PTR(12), MX(15), TXT(16), AAAA(28), SPF(99);

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    /** The type's number on the wire. */
    public int code() {
        return code;
    }

    /** The type for a mnemonic such as "mx" or "TXT"; a name that is not one of these is an error naming it. */
    public static RecordType parse(String mnemonic) {
        try {
            return valueOf(mnemonic.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a supported record type: '" + mnemonic + "'", e);
        }
    }
}
