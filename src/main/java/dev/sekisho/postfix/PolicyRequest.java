package dev.sekisho.postfix;

import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One Postfix SMTP access policy delegation request (SMTPD_POLICY_README, "Protocol
 * description"), validated: the attributes exactly as received plus the few that must parse.
 *
 * <p>Postfix sends every attribute it knows, most of them empty; an empty attribute means "not
 * available". Attributes this class does not know are kept in {@link #attributes()} and otherwise
 * ignored, so a newer Postfix does not break the server.
 *
 * @param stage          protocol_state mapped onto the engine's stages (EHLO and HELO are one)
 * @param clientAddress  client_address, parsed as an IP literal without any DNS lookup
 * @param size           size, 0 when empty
 * @param recipientCount recipient_count, 0 when empty
 * @param attributes     every attribute as received (name to value), immutable
 */
public record PolicyRequest(Stage stage, InetAddress clientAddress, long size, long recipientCount,
                            Map<String, String> attributes) {

    // SMTPD_POLICY_README: "request=smtpd_access_policy" is the only request type Postfix sends.
    public static final String REQUEST_TYPE = "smtpd_access_policy";

    // Attribute names, SMTPD_POLICY_README "Protocol description", by the Postfix version that added them.
    public static final String REQUEST = "request";
    public static final String PROTOCOL_STATE = "protocol_state";
    public static final String PROTOCOL_NAME = "protocol_name";
    public static final String HELO_NAME = "helo_name";
    public static final String QUEUE_ID = "queue_id";
    public static final String SENDER = "sender";
    public static final String RECIPIENT = "recipient";
    public static final String RECIPIENT_COUNT = "recipient_count";
    public static final String CLIENT_ADDRESS = "client_address";
    public static final String CLIENT_NAME = "client_name";
    public static final String REVERSE_CLIENT_NAME = "reverse_client_name";
    public static final String INSTANCE = "instance";
    public static final String SASL_METHOD = "sasl_method";
    public static final String SASL_USERNAME = "sasl_username";
    public static final String SASL_SENDER = "sasl_sender";
    public static final String SIZE = "size";
    public static final String CCERT_SUBJECT = "ccert_subject";
    public static final String CCERT_ISSUER = "ccert_issuer";
    public static final String CCERT_FINGERPRINT = "ccert_fingerprint";
    public static final String ENCRYPTION_PROTOCOL = "encryption_protocol";
    public static final String ENCRYPTION_CIPHER = "encryption_cipher";
    public static final String ENCRYPTION_KEYSIZE = "encryption_keysize";
    public static final String ETRN_DOMAIN = "etrn_domain";
    public static final String STRESS = "stress";
    public static final String CCERT_PUBKEY_FINGERPRINT = "ccert_pubkey_fingerprint";
    public static final String CLIENT_PORT = "client_port";
    public static final String POLICY_CONTEXT = "policy_context";
    public static final String SERVER_ADDRESS = "server_address";
    public static final String SERVER_PORT = "server_port";
    public static final String COMPATIBILITY_LEVEL = "compatibility_level";
    public static final String MAIL_VERSION = "mail_version";

    /** Every attribute Postfix up to 3.12 sends; others are kept but ignored. */
    public static final Set<String> KNOWN_ATTRIBUTES = Set.of(
            // 2.1 and later
            REQUEST, PROTOCOL_STATE, PROTOCOL_NAME, HELO_NAME, QUEUE_ID, SENDER, RECIPIENT, RECIPIENT_COUNT,
            CLIENT_ADDRESS, CLIENT_NAME, REVERSE_CLIENT_NAME, INSTANCE,
            // 2.2 and later
            SASL_METHOD, SASL_USERNAME, SASL_SENDER, SIZE, CCERT_SUBJECT, CCERT_ISSUER, CCERT_FINGERPRINT,
            // 2.3 and later
            ENCRYPTION_PROTOCOL, ENCRYPTION_CIPHER, ENCRYPTION_KEYSIZE, ETRN_DOMAIN,
            // 2.5 and later
            STRESS,
            // 2.9 and later
            CCERT_PUBKEY_FINGERPRINT,
            // 3.0 and later
            CLIENT_PORT,
            // 3.1 and later
            POLICY_CONTEXT,
            // 3.2 and later
            SERVER_ADDRESS, SERVER_PORT,
            // 3.8 and later
            COMPATIBILITY_LEVEL, MAIL_VERSION);

    // Only plain address literals: no prefixes, masks, ranges, wildcards, zones, inet_aton forms
    // (e.g. "1.2.3" or "0x7f.1"), or leading zeros in IPv4 that other parsers read as octal.
    private static final IPAddressStringParameters ADDRESS_LITERAL = addressLiteralParameters();

    private static final int MAX_NUMBER_DIGITS = 18; // stays below Long.MAX_VALUE without overflow checks

    public PolicyRequest {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(clientAddress, "clientAddress");
        if (size < 0) throw new IllegalArgumentException("size must be >= 0, was " + size);
        if (recipientCount < 0) throw new IllegalArgumentException("recipientCount must be >= 0, was " + recipientCount);
        // The reader's own map is immutable already; any other is copied into that shape.
        attributes = PolicyAttributes.copyOf(attributes);
    }

    /**
     * Validates a request's attributes and parses the typed ones.
     *
     * @throws PolicyProtocolException naming the attribute and its value when request is not
     *         smtpd_access_policy, protocol_state is unknown, client_address is missing or not an
     *         IP literal, or size/recipient_count is not a number
     */
    public static PolicyRequest fromAttributes(Map<String, String> attributes) throws PolicyProtocolException {
        String request = attributes.get(REQUEST);
        if (request == null) throw new PolicyProtocolException("missing attribute", REQUEST, "");
        if (!REQUEST_TYPE.equals(request)) {
            throw new PolicyProtocolException("unsupported request type, expected " + REQUEST_TYPE, REQUEST, request);
        }
        Stage stage = stageOf(attributes.get(PROTOCOL_STATE));
        InetAddress clientAddress = addressOf(attributes.get(CLIENT_ADDRESS));
        long size = numberOf(SIZE, attributes.get(SIZE));
        long recipientCount = numberOf(RECIPIENT_COUNT, attributes.get(RECIPIENT_COUNT));
        return new PolicyRequest(stage, clientAddress, size, recipientCount, attributes);
    }

    /**
     * Parses exactly one request from its wire form (name=value lines, LF or CRLF, ended by an
     * empty line or by the end of the text), with the default limits; more than one request is an error. For tools and tests; the
     * server reads from its sockets directly.
     */
    public static PolicyRequest parse(String text) throws PolicyProtocolException {
        if (text.isBlank()) throw PolicyProtocolException.of("no request in the text");
        String terminated = text.endsWith("\n\n") || text.endsWith("\r\n\r\n") ? text
                : text.endsWith("\n") ? text + "\n" : text + "\n\n";
        byte[] bytes = terminated.getBytes(StandardCharsets.UTF_8);
        PolicyRequestDecoder decoder = new PolicyRequestDecoder(PolicyServerLimits.DEFAULTS);
        PolicyRequest request = null;
        for (int offset = 0; offset < bytes.length; ) {
            ByteBuffer into = decoder.receiveBuffer();
            int count = Math.min(into.remaining(), bytes.length - offset);
            into.put(bytes, offset, count);
            offset += count;
            decoder.received(count, 0);
            // What follows the first request is read as the server would read it: a malformed
            // rest fails with its own reason, a second whole request as one too many.
            for (PolicyRequest next = decoder.next(); next != null; next = decoder.next()) {
                if (request != null) throw PolicyProtocolException.of("more than one request in the text");
                request = next;
            }
        }
        if (request == null) throw PolicyProtocolException.of("no request in the text");
        decoder.endOfStream();
        return request;
    }

    /** The attribute's value, "" when Postfix did not send it. */
    public String attribute(String name) {
        return attributes.getOrDefault(name, "");
    }

    /** protocol_state as sent (e.g. "EHLO", which {@link #stage()} folds into HELO). */
    public String protocolState() {
        return attribute(PROTOCOL_STATE);
    }

    /** policy_context (Postfix 3.1+): set per check_policy_service, e.g. to tell submission from MX. */
    public String policyContext() {
        return attribute(POLICY_CONTEXT);
    }

    public String sender() {
        return attribute(SENDER);
    }

    public String recipient() {
        return attribute(RECIPIENT);
    }

    public String saslUsername() {
        return attribute(SASL_USERNAME);
    }

    /**
     * Postfix sent {@code client_address=unknown}: it does not know who the client is, so no check keyed by the client
     * can answer. The server answers DUNNO, as postgrey does, without asking the engine.
     */
    public boolean clientAddressUnknown() {
        return clientAddress == UNSPECIFIED;
    }

    /**
     * The engine's question for this request, asked for the given service.
     *
     * @throws IllegalStateException when the client's address is unknown ({@link #clientAddressUnknown()})
     */
    public Transaction toTransaction(String service) {
        if (clientAddressUnknown()) throw new IllegalStateException("client_address=unknown: there is no client to ask about");
        // A dotted quad was accepted only in canonical form (no leading zeros), so it is the text as sent.
        String clientIp = clientAddress instanceof java.net.Inet4Address ? attribute(CLIENT_ADDRESS) : null;
        return new Transaction(service, stage, clientAddress, clientIp, attribute(CLIENT_NAME), attribute(HELO_NAME),
                attribute(SENDER), attribute(RECIPIENT), recipientCount, size, attribute(SASL_USERNAME),
                // SMTPD_POLICY_README: instance is the same for all requests about one message
                attribute(INSTANCE));
    }

    // SMTPD_POLICY_README: protocol_state is one of CONNECT, EHLO, HELO, MAIL, RCPT, DATA,
    // END-OF-MESSAGE, VRFY or ETRN.
    private static Stage stageOf(String protocolState) throws PolicyProtocolException {
        if (protocolState == null) throw new PolicyProtocolException("missing attribute", PROTOCOL_STATE, "");
        return switch (protocolState) {
            case "CONNECT" -> Stage.CONNECT;
            case "EHLO", "HELO" -> Stage.HELO;
            case "MAIL" -> Stage.MAIL;
            case "RCPT" -> Stage.RCPT;
            case "DATA" -> Stage.DATA;
            case "END-OF-MESSAGE" -> Stage.END_OF_MESSAGE;
            case "VRFY" -> Stage.VRFY;
            case "ETRN" -> Stage.ETRN;
            default -> throw new PolicyProtocolException("unknown protocol state", PROTOCOL_STATE, protocolState);
        };
    }

    /**
     * The common case without a general parser: four decimal octets 0-255 without leading zeros,
     * or null to let the full parser decide (and refuse) anything else.
     */
    private static InetAddress dottedQuad(String literal) {
        int length = literal.length();
        if (length < 7 || length > 15) return null;
        byte[] octets = new byte[4];
        int octet = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= length; i++) {
            char c = i < length ? literal.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || octet > 3) return null;
                octets[octet++] = (byte) value;
                value = -1;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) return null; // a leading zero: left to the full parser, which refuses it
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (++digits > 3 || value > 255) return null;
            } else {
                return null;
            }
        }
        if (octet != 4) return null;
        try {
            return InetAddress.getByAddress(octets); // from bytes: no name service is consulted
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /**
     * The common IPv6 forms without the general parser: eight groups of one to four hex digits, or
     * fewer around one "::" (RFC 4291 2.2 forms 1 and 2). Null for anything else (an embedded
     * IPv4 part, a zone, a prefix, a mistake), which the full parser then decides.
     */
    private static InetAddress hexIpv6(String literal) {
        int length = literal.length();
        if (length < 2 || length > 39 || literal.indexOf(':') < 0) return null;
        int[] groups = new int[8];
        int count = 0;
        int gap = -1; // index in groups where "::" stands
        int i = 0;
        if (literal.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == length) return inet6(groups);
        }
        while (true) {
            int value = 0;
            int digits = 0;
            while (i < length && digits < 5) {
                int d = hexDigit(literal.charAt(i));
                if (d < 0) break;
                value = value << 4 | d;
                digits++;
                i++;
            }
            if (digits == 0 || digits > 4 || count == 8) return null;
            groups[count++] = value;
            if (i == length) break;
            if (literal.charAt(i) != ':') return null; // '.', '%', '/', or garbage: not this fast path
            i++;
            if (i < length && literal.charAt(i) == ':') {
                if (gap >= 0) return null; // a second "::"
                gap = count;
                i++;
                if (i == length) break;
            } else if (i == length) {
                return null; // a single trailing ':'
            }
        }
        if (gap < 0) return count == 8 ? inet6(groups) : null;
        if (count == 8) return null; // "::" must stand for at least one group
        int[] full = new int[8];
        System.arraycopy(groups, 0, full, 0, gap);
        System.arraycopy(groups, gap, full, 8 - (count - gap), count - gap);
        return inet6(full);
    }

    /** ASCII hex only: Character.digit would take full-width and other Unicode digits too. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static InetAddress inet6(int[] groups) {
        byte[] bytes = new byte[16];
        for (int g = 0; g < 8; g++) {
            bytes[2 * g] = (byte) (groups[g] >>> 8);
            bytes[2 * g + 1] = (byte) groups[g];
        }
        try {
            // Always an Inet6Address, as the general parser gives, also for IPv4-mapped addresses.
            return java.net.Inet6Address.getByAddress(null, bytes, -1);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("sixteen bytes are always an IPv6 address", e);
        }
    }

    private static InetAddress addressOf(String literal) throws PolicyProtocolException {
        if (literal == null || literal.isEmpty()) {
            throw new PolicyProtocolException("missing attribute", CLIENT_ADDRESS, "");
        }
        InetAddress dotted = dottedQuad(literal);
        if (dotted != null) return dotted;
        InetAddress hex = hexIpv6(literal);
        if (hex != null) return hex;
        // Postfix's word for an address it could not learn (XCLIENT ADDR=[UNAVAILABLE], a failed peer lookup): a valid
        // request about which no address-based check can say anything. It stands in as the unspecified address, which
        // no client has; clientAddressUnknown() tells it apart, and toTransaction() refuses to ask the engine about it.
        // Asked after the literals, so that the usual request does not pay for it.
        if (literal.equals(UNKNOWN_CLIENT_ADDRESS)) return UNSPECIFIED;
        // IPAddressString trims surrounding white space; a literal from Postfix never has any.
        boolean blankAtEdge = literal.charAt(0) <= ' ' || literal.charAt(literal.length() - 1) <= ' ';
        IPAddress address = blankAtEdge ? null : new IPAddressString(literal, ADDRESS_LITERAL).getAddress();
        if (address == null || address.isMultiple() || address.isPrefixed()) {
            throw new PolicyProtocolException("not an IPv4 or IPv6 address literal", CLIENT_ADDRESS, literal);
        }
        // Built from the address bytes: no name service is consulted.
        return address.toInetAddress();
    }

    // SMTPD_POLICY_README sends numbers as plain decimal; an empty value means "not available".
    private static long numberOf(String name, String text) throws PolicyProtocolException {
        if (text == null || text.isEmpty()) return 0;
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') throw new PolicyProtocolException("not a decimal number", name, text);
            value = value * 10 + (c - '0'); // overflow is caught below before the value is used
        }
        if (text.length() > MAX_NUMBER_DIGITS) throw new PolicyProtocolException("number out of range", name, text);
        return value;
    }

    private static IPAddressStringParameters addressLiteralParameters() {
        IPAddressStringParameters.Builder literal = new IPAddressStringParameters.Builder();
        literal.allowEmpty(false);
        literal.allowAll(false);
        literal.allowSingleSegment(false);
        literal.allowPrefix(false);
        literal.allowMask(false);
        literal.allowPrefixOnly(false);
        literal.allowWildcardedSeparator(false);
        literal.allow_inet_aton(false);
        literal.setRangeOptions(RangeParameters.NO_RANGE);
        literal.getIPv4AddressParametersBuilder().allowLeadingZeros(false);
        literal.getIPv6AddressParametersBuilder().allowZone(false);
        literal.getIPv6AddressParametersBuilder().allowBinary(false);
        literal.getIPv6AddressParametersBuilder().allowBase85(false);
        return literal.toParams();
    }

    /** The client_address Postfix sends when it could not learn the client's address. */
    private static final String UNKNOWN_CLIENT_ADDRESS = "unknown";
    private static final InetAddress UNSPECIFIED = unspecifiedAddress();

    private static InetAddress unspecifiedAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("four bytes are an IPv4 address", e);
        }
    }
}
