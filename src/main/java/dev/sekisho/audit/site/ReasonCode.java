package dev.sekisho.audit.site;

/**
 * Why a site is judged broken. Each code names the Zonemaster message tag that reports the same
 * fault, so a scenario that raises the tag there raises the code here (docs/audit-site.md).
 */
public enum ReasonCode {
    /** The name does not exist (NXDOMAIN from the recursive resolver). Zonemaster: B02_NO_DELEGATION. */
    NO_SUCH_DOMAIN("B02_NO_DELEGATION", false),
    /** A name server name has no A or AAAA record. Zonemaster: B02_NS_NO_IP_ADDR. */
    NS_NO_ADDRESS("B02_NS_NO_IP_ADDR", false),
    /** A name server address does not answer (lame, RFC 1912 2.8). Zonemaster: B02_NS_NO_RESPONSE. */
    NS_NO_RESPONSE("B02_NS_NO_RESPONSE", true),
    /** A name server answers REFUSED, SERVFAIL or another error code (lame). Zonemaster: B02_UNEXPECTED_RCODE. */
    NS_UNEXPECTED_RCODE("B02_UNEXPECTED_RCODE", false),
    /** A name server answers without the AA bit (lame, RFC 1034 4.3.1). Zonemaster: B02_NS_NOT_AUTH. */
    NS_NOT_AUTHORITATIVE("B02_NS_NOT_AUTH", false),
    /** A name server answers the SOA query authoritatively but without the SOA. Zonemaster: B02_NS_BROKEN. */
    NS_NO_SOA("B02_NS_BROKEN", false),
    /** None of the name servers answers authoritatively. Zonemaster: B02_NO_WORKING_NS. */
    NO_WORKING_NS("B02_NO_WORKING_NS", true),
    /** The SOA MNAME has no address. Zonemaster: Z01_MNAME_NOT_RESOLVE. */
    MNAME_NO_ADDRESS("Z01_MNAME_NOT_RESOLVE", false),
    /** The SOA MNAME does not answer. Zonemaster: Z01_MNAME_NO_RESPONSE. */
    MNAME_NO_RESPONSE("Z01_MNAME_NO_RESPONSE", true),
    /** The SOA MNAME answers with an error code. Zonemaster: Z01_MNAME_UNEXPECTED_RCODE. */
    MNAME_UNEXPECTED_RCODE("Z01_MNAME_UNEXPECTED_RCODE", false),
    /** The SOA MNAME answers without the AA bit. Zonemaster: Z01_MNAME_NOT_AUTHORITATIVE. */
    MNAME_NOT_AUTHORITATIVE("Z01_MNAME_NOT_AUTHORITATIVE", false),
    /** The SOA MNAME answers authoritatively but without the SOA. Zonemaster: Z01_MNAME_MISSING_SOA_RECORD. */
    MNAME_NO_SOA("Z01_MNAME_MISSING_SOA_RECORD", false),
    /** The authoritative servers serve different SOA serials. Zonemaster: MULTIPLE_SOA_SERIALS. */
    SOA_SERIAL_MISMATCH("MULTIPLE_SOA_SERIALS", false),
    /** The authoritative servers name different SOA MNAMEs (RFC 1034 4.2.1: one SOA for the zone). Zonemaster: MULTIPLE_SOA_MNAMES. */
    SOA_MNAME_MISMATCH("MULTIPLE_SOA_MNAMES", false),
    /** The authoritative servers serve different NS sets. Zonemaster: MULTIPLE_NS_SET. */
    NS_SET_MISMATCH("MULTIPLE_NS_SET", false),
    /** The authoritative servers serve different MX sets. Zonemaster: Z09_INCONSISTENT_MX / Z09_INCONSISTENT_MX_DATA. */
    MX_SET_MISMATCH("Z09_INCONSISTENT_MX_DATA", false),
    /** The authoritative servers serve different addresses for an MX host in the zone. */
    MX_ADDRESS_MISMATCH("", false),
    /** An MX host name has no A or AAAA record (RFC 5321 5.1). */
    MX_NO_ADDRESS("", false),
    /** An MX names an alias (RFC 2181 10.3, RFC 5321 5.1). Zonemaster: MX_RECORD_IS_CNAME. */
    MX_IS_ALIAS("MX_RECORD_IS_CNAME", false),
    /** An MX host address does not accept a TCP connection on the SMTP port within the deadline. */
    MX_NOT_ANSWERING("", true),
    /** An address published for an NS, MNAME, MX or the name itself is in a local-use range. Zonemaster: A01_LOCAL_USE_ADDR. */
    LOCAL_USE_ADDRESS("A01_LOCAL_USE_ADDR", false),
    /** ... in a documentation range. Zonemaster: A01_DOCUMENTATION_ADDR. */
    DOCUMENTATION_ADDRESS("A01_DOCUMENTATION_ADDR", false),
    /** ... in another range not registered as globally reachable. Zonemaster: A01_ADDR_NOT_GLOBALLY_REACHABLE. */
    NOT_GLOBALLY_REACHABLE_ADDRESS("A01_ADDR_NOT_GLOBALLY_REACHABLE", false);

    private final String zonemasterTag;
    private final boolean silence;

    ReasonCode(String zonemasterTag, boolean silence) {
        this.zonemasterTag = zonemasterTag;
        this.silence = silence;
    }

    /**
     * True for the faults that rest on something not answering (a server, an MX), which one look cannot
     * tell from a passing outage; seed 003 2.5 counts a site as broken only when its problem lasts.
     * NO_WORKING_NS counts here: with only silent servers besides it, it is silence too.
     */
    public boolean silence() {
        return silence;
    }

    /** The Zonemaster message tag for the same fault, or empty when Zonemaster has none. */
    public String zonemasterTag() {
        return zonemasterTag;
    }
}
