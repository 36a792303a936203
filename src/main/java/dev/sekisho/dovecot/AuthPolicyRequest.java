package dev.sekisho.dovecot;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.net.InetAddress;
import java.util.Locale;

/**
 * One request of Dovecot's auth policy protocol (Dovecot 2.3, {@code auth-policy.c}): a POST to
 * {@code auth_policy_server_url} with {@code ?command=allow} (before, and again after, the password
 * check) or {@code ?command=report} (after it, with its result), and a JSON object built from
 * {@code auth_policy_request_attributes}. Fields Sekisho does not use (device_id, local,
 * real_remote, secured, tls, ...) are ignored.
 *
 * @param command       allow or report
 * @param login         {@code %{requested_username}}: the login name as the client gave it
 * @param remote        {@code %{rip}}: the client (the forwarded one when Dovecot trusts a proxy)
 * @param protocol      {@code %s}: imap, pop3, smtp (Postfix SASL), ... lower case; "" when not sent
 * @param passwordHash  {@code %{hashed_password}}: a truncated salted hash of the password tried; "" when not sent
 * @param session       {@code %{session}}, for logs; "" when not sent
 * @param success       report only: whether the login succeeded
 * @param policyReject  report only: whether it failed because this policy server refused it
 */
public record AuthPolicyRequest(Command command, String login, InetAddress remote, String protocol, String passwordHash,
                                String session, boolean success, boolean policyReject) {

    public enum Command {
        ALLOW,
        REPORT;

        static Command parse(String text) throws MalformedException {
            if ("allow".equals(text)) return ALLOW;
            if ("report".equals(text)) return REPORT;
            throw new MalformedException(text == null || text.isEmpty()
                    ? "missing command: the URL must end in ?command=allow or ?command=report"
                    : "unknown command \"" + text + "\" (allow or report)");
        }
    }

    /** A request Dovecot would never send: the reason names the field. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * @param command the {@code command} query parameter
     * @param body    the request body
     */
    public static AuthPolicyRequest parse(String command, byte[] body) throws MalformedException {
        Command c = Command.parse(command);
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedException("the body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new MalformedException("the body cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) throw new MalformedException("the body is empty; Dovecot sends a JSON object");
        if (!root.isObject()) throw new MalformedException("the body must be a JSON object, was " + root.getNodeType().name().toLowerCase(Locale.ROOT));

        String login = text(root, "login", true);
        String remoteText = text(root, "remote", true);
        InetAddress remote = address(remoteText);
        String protocol = text(root, "protocol", false).toLowerCase(Locale.ROOT);
        String pwhash = text(root, "pwhash", false);
        String session = text(root, "session_id", false);
        boolean success = false;
        boolean policyReject = false;
        if (c == Command.REPORT) {
            success = bool(root, "success", true);
            policyReject = bool(root, "policy_reject", false);
        }
        return new AuthPolicyRequest(c, login, remote, protocol, pwhash, session, success, policyReject);
    }

    private static String text(JsonNode root, String field, boolean required) throws MalformedException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) throw new MalformedException("missing field \"" + field + "\"");
            return "";
        }
        if (!node.isValueNode() || node.isBinary()) throw new MalformedException("field \"" + field + "\" must be a string, was " + kind(node));
        return node.asText();
    }

    /** Dovecot writes booleans; a template may write "true"/"false" (or yes/no) as strings. */
    private static boolean bool(JsonNode root, String field, boolean required) throws MalformedException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) throw new MalformedException("missing field \"" + field + "\" (a report says whether the login succeeded)");
            return false;
        }
        if (node.isBoolean()) return node.booleanValue();
        if (node.isTextual()) {
            switch (node.asText().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1" -> {
                    return true;
                }
                case "false", "no", "0", "" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw new MalformedException("field \"" + field + "\" must be true or false, was " + node);
    }

    private static InetAddress address(String text) throws MalformedException {
        IPAddress address = new IPAddressString(text.trim()).getAddress();
        if (address == null || address.isPrefixed() || text.isBlank()) {
            throw new MalformedException("field \"remote\" must be an IP address, was \"" + text + "\"");
        }
        // ::ffff:192.0.2.7 is the IPv4 client, counted with its network like any other.
        if (address.isIPv6() && address.isIPv4Convertible()) address = address.toIPv4();
        return address.toInetAddress();
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
