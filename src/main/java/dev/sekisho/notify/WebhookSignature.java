package dev.sekisho.notify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The webhook signature scheme (docs/notifications.md): the sender puts the Unix time of the
 * attempt in {@link #TIMESTAMP_HEADER} and {@code v1=} followed by the lower-case hex
 * HMAC-SHA256 (RFC 2104) of {@code timestamp + "." + body} under the shared secret in
 * {@link #SIGNATURE_HEADER}. Signing the timestamp with the body lets a receiver refuse a
 * replayed request: a stale timestamp cannot be replaced without the secret.
 */
public final class WebhookSignature {
    public static final String TIMESTAMP_HEADER = "Sekisho-Timestamp";
    public static final String SIGNATURE_HEADER = "Sekisho-Signature";
    public static final String VERSION = "v1";

    private final byte[] key;

    public WebhookSignature(String secret) {
        if (secret == null || secret.isEmpty()) throw new IllegalArgumentException("a webhook secret must not be empty");
        this.key = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The {@link #SIGNATURE_HEADER} value for this timestamp and body. */
    public String sign(long unixSeconds, byte[] body) {
        return VERSION + "=" + HexFormat.of().formatHex(mac(unixSeconds, body));
    }

    /**
     * Whether a received request is authentic and fresh: the signature matches (compared in
     * constant time) and the timestamp lies within {@code tolerance} of {@code now}.
     */
    public boolean verify(String timestampHeader, String signatureHeader, byte[] body, Instant now, Duration tolerance) {
        if (timestampHeader == null || signatureHeader == null) return false;
        long ts;
        try {
            ts = Long.parseLong(timestampHeader.trim());
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - ts) > tolerance.toSeconds()) return false;
        String expected = sign(ts, body);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signatureHeader.trim().getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] mac(long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
