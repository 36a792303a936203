package dev.sekisho.bench;

import java.nio.charset.StandardCharsets;

/**
 * One Postfix policy delegation request at the RCPT stage, with the attributes that vary
 * between requests; everything else is what Postfix 3.7 sends for a plain, unauthenticated,
 * unencrypted SMTP session.
 *
 * @param clientAddress the SMTP client's IP address
 * @param clientPort    the SMTP client's source port
 * @param heloName      the EHLO name
 * @param sender        envelope sender, "" for the null sender (bounces)
 * @param recipient     envelope recipient
 * @param instance      Postfix's per-message instance id (same for every RCPT of one message)
 * @param policyContext the check_policy_service policy_context, e.g. "mx" or "submission"
 */
public record GeneratedRequest(String clientAddress, int clientPort, String heloName, String sender,
                               String recipient, String instance, String policyContext) {

    /**
     * The request on the wire: one {@code name=value} per line, in the order Postfix 3.7 sends
     * them, ended by an empty line (Postfix SMTPD_POLICY_README, "Protocol description").
     */
    public byte[] encode() {
        String text = "request=smtpd_access_policy\n"
                + "protocol_state=RCPT\n"
                + "protocol_name=ESMTP\n"
                + "client_address=" + clientAddress + "\n"
                + "client_name=unknown\n"
                + "reverse_client_name=unknown\n"
                + "client_port=" + clientPort + "\n"
                + "helo_name=" + heloName + "\n"
                + "sender=" + sender + "\n"
                + "recipient=" + recipient + "\n"
                + "recipient_count=0\n"
                + "queue_id=\n"
                + "instance=" + instance + "\n"
                + afterInstance(policyContext);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The attributes after {@code instance}, which no request of the mix varies but the policy context, and the empty
     * line that ends the request: shared with {@link TrafficMix}'s pre-encoded pieces.
     */
    static String afterInstance(String policyContext) {
        return "size=0\n"
                + "etrn_domain=\n"
                + "stress=\n"
                + "sasl_method=\n"
                + "sasl_username=\n"
                + "sasl_sender=\n"
                + "ccert_subject=\n"
                + "ccert_issuer=\n"
                + "ccert_fingerprint=\n"
                + "ccert_pubkey_fingerprint=\n"
                + "encryption_protocol=\n"
                + "encryption_cipher=\n"
                + "encryption_keysize=0\n"
                + "server_address=127.0.0.1\n"
                + "server_port=25\n"
                + "policy_context=" + policyContext + "\n"
                + "\n";
    }
}
