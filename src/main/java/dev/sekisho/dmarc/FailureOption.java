package dev.sekisho.dmarc;

/** The fo values (RFC 7489 6.3, RFC 9989 4.7): when to send a failure report. */
public enum FailureOption {
    /** "0": all underlying mechanisms failed to produce an aligned pass. */
    ALL_FAIL("0"),
    /** "1": any underlying mechanism produced something other than an aligned pass. */
    ANY_FAIL("1"),
    /** "d": a DKIM signature failed evaluation, aligned or not. */
    DKIM_FAIL("d"),
    /** "s": SPF failed, aligned or not. */
    SPF_FAIL("s");

    private final String token;

    FailureOption(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    static FailureOption parse(String value) {
        for (FailureOption o : values()) {
            if (o.token.equalsIgnoreCase(value)) return o;
        }
        return null;
    }
}
