package dev.sekisho.engine;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * One question put to the engine: who is connecting, at which stage, with which envelope.
 * Empty strings stand for "not given" (Postfix sends empty attributes), never null.
 *
 * @param service         the service the question belongs to (mx, submission, ...)
 * @param stage           where in the conversation
 * @param clientAddress   the SMTP/IMAP client's address
 * @param clientIp        the same as text, canonical (dotted quad; RFC 5952 for IPv6); null to
 *                        have it written from {@code clientAddress}. Keys, restrictions and logs
 *                        all name the client by it, so it is written once per request.
 * @param clientName      the client's verified host name, or "unknown"
 * @param heloName        HELO/EHLO argument
 * @param sender          envelope sender ("" for the null sender)
 * @param recipient       envelope recipient at RCPT stage
 * @param recipientCount  accepted recipients (END-OF-MESSAGE)
 * @param size            message size in bytes (END-OF-MESSAGE), or the SIZE= estimate
 * @param saslUsername    authenticated account, "" when not authenticated
 * @param messageId       an id that is the same for all requests about one message (Postfix: instance)
 */
public record Transaction(
        String service,
        Stage stage,
        InetAddress clientAddress,
        String clientIp,
        String clientName,
        String heloName,
        String sender,
        String recipient,
        long recipientCount,
        long size,
        String saslUsername,
        String messageId) {

    public Transaction {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(clientAddress, "clientAddress");
        if (clientIp == null) clientIp = AddressText.of(clientAddress);
        clientName = orEmpty(clientName);
        heloName = orEmpty(heloName);
        sender = orEmpty(sender);
        recipient = orEmpty(recipient);
        saslUsername = orEmpty(saslUsername);
        messageId = orEmpty(messageId);
        if (recipientCount < 0) throw new IllegalArgumentException("recipientCount must be >= 0, was " + recipientCount);
        if (size < 0) throw new IllegalArgumentException("size must be >= 0, was " + size);
    }

    public boolean authenticated() {
        return !saslUsername.isEmpty();
    }

    /** Domain of the envelope sender, lower case; "" for the null sender or an address without a domain. */
    public String senderDomain() {
        return domainOf(sender);
    }

    public String recipientDomain() {
        return domainOf(recipient);
    }

    /** The part after the last '@', lower case, without a trailing dot. */
    public static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) return "";
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** A copy for another service, e.g. when a listener fixes the service regardless of policy_context. */
    public Transaction withService(String otherService) {
        return new Transaction(otherService, stage, clientAddress, clientIp, clientName, heloName, sender, recipient,
                recipientCount, size, saslUsername, messageId);
    }
}
