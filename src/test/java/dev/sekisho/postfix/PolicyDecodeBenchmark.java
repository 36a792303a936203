package dev.sekisho.postfix;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How long decoding one policy request takes, without sockets: the request Postfix 3.7 sends at the RCPT stage
 * (shared/notes), eight to a read, through one connection's decoder, as the event loop does. Run by
 * bench/policy-decode.sh; not a test. Prints nanoseconds per request for each round and the lowest, which on a
 * shared machine is the one to compare.
 */
public final class PolicyDecodeBenchmark {
    private static final int ROUNDS = 12;
    private static final int READS_PER_ROUND = 250_000;
    private static final int REQUESTS_PER_READ = 8;

    private PolicyDecodeBenchmark() {
    }

    static byte[] postfixRcptRequest() {
        return String.join("\n",
                "request=smtpd_access_policy", "protocol_state=RCPT", "protocol_name=ESMTP",
                "client_address=203.0.113.7", "client_name=unknown", "reverse_client_name=unknown", "client_port=32844",
                "helo_name=smoke.example.org", "sender=x@example.org", "recipient=greylist01@example.test",
                "recipient_count=0", "queue_id=", "instance=1922.6b028ea8.414b4.0", "size=0", "etrn_domain=", "stress=",
                "sasl_method=", "sasl_username=", "sasl_sender=", "ccert_subject=", "ccert_issuer=", "ccert_fingerprint=",
                "ccert_pubkey_fingerprint=", "encryption_protocol=", "encryption_cipher=", "encryption_keysize=0",
                "server_address=127.0.0.1", "server_port=2525", "policy_context=mx", "", "").getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws PolicyProtocolException {
        byte[] one = postfixRcptRequest();
        byte[] read = new byte[one.length * REQUESTS_PER_READ];
        for (int i = 0; i < REQUESTS_PER_READ; i++) System.arraycopy(one, 0, read, i * one.length, one.length);
        PolicyRequestDecoder decoder = new PolicyRequestDecoder(PolicyServerLimits.DEFAULTS);
        long checksum = 0;
        double lowest = Double.MAX_VALUE;
        for (int round = 1; round <= ROUNDS; round++) {
            long start = System.nanoTime();
            long requests = 0;
            for (int i = 0; i < READS_PER_ROUND; i++) {
                ByteBuffer into = decoder.receiveBuffer();
                into.put(read);
                decoder.received(read.length, 0);
                for (PolicyRequest request = decoder.next(); request != null; request = decoder.next()) {
                    // What a decision reads first, so that nothing is optimised away.
                    checksum += request.recipient().length() + request.sender().length() + request.clientAddress().hashCode();
                    requests++;
                }
            }
            double nanosPerRequest = (System.nanoTime() - start) / (double) requests;
            // The first rounds run while the JIT compiles; they are printed, not counted.
            if (round > ROUNDS / 3) lowest = Math.min(lowest, nanosPerRequest);
            System.out.printf("round %d: %.0f ns/request%n", round, nanosPerRequest);
        }
        System.out.printf("lowest: %.0f ns/request (checksum %d, %d bytes a request)%n", lowest, checksum, one.length);
    }
}
