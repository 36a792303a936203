package dev.sekisho.audit.posture;

import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.RecordType;
import dev.sekisho.engine.AddressText;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fetches {@code https://mta-sts.DOMAIN/.well-known/mta-sts.txt} (RFC 8461 3.3) within a short deadline.
 * The host is resolved through the audit's own resolver (so {@code --resolver} is honoured), the
 * certificate is verified for the host name (RFC 8461 3.3: a valid certificate for mta-sts.DOMAIN),
 * redirects are not followed, and only a 200 answer is a policy. The body is capped at 64 KiB, as
 * RFC 8461 3.3 suggests senders do.
 */
public final class MtaStsPolicyFetcher {
    static final int MAX_BODY = 64 * 1024;

    /**
     * @param deadline the whole fetch, connect to last byte
     * @param tls      true in production; false only to test against a plain HTTP stub on loopback
     * @param port     443 in production
     */
    public record Settings(Duration deadline, boolean tls, int port) {
        public static Settings https(Duration deadline) {
            return new Settings(deadline, true, 443);
        }
    }

    /** What the fetch gave: the policy text, or why there is none. */
    public sealed interface Outcome {
        String url();

        record Fetched(String url, String text) implements Outcome {
        }

        record Failed(String url, String reason) implements Outcome {
        }
    }

    private final DnsResolver resolver;
    private final Settings settings;

    public MtaStsPolicyFetcher(DnsResolver resolver, Settings settings) {
        this.resolver = resolver;
        this.settings = settings;
    }

    public Outcome fetch(String domain) {
        String host = "mta-sts." + domain;
        String url = (settings.tls() ? "https://" : "http://") + host + (settings.port() == (settings.tls() ? 443 : 80) ? "" : ":" + settings.port())
                + "/.well-known/mta-sts.txt";
        long deadline = System.nanoTime() + settings.deadline().toNanos();
        List<InetAddress> addresses = new ArrayList<>();
        for (RecordType type : List.of(RecordType.A, RecordType.AAAA)) {
            DnsOutcome outcome = resolver.lookup(host, type);
            if (outcome instanceof DnsOutcome.Answer a) a.records(DnsRecord.Address.class).forEach(r -> addresses.add(r.address()));
        }
        if (addresses.isEmpty()) return new Outcome.Failed(url, host + " has no A or AAAA record");
        String lastFailure = "";
        for (InetAddress address : addresses) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return new Outcome.Failed(url, "no answer within " + settings.deadline().toMillis() + " ms");
            try {
                return get(url, host, address, (int) Math.max(1, left / 1_000_000));
            } catch (IOException e) {
                lastFailure = AddressText.of(address) + ": " + e.getMessage();
            }
        }
        return new Outcome.Failed(url, lastFailure);
    }

    private Outcome get(String url, String host, InetAddress address, int millis) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, settings.port()), millis);
            plain.setSoTimeout(millis);
            Socket socket = plain;
            if (settings.tls()) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, host, settings.port(), true);
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name mta-sts.DOMAIN
                parameters.setServerNames(List.of(new SNIHostName(host)));
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                socket = tls;
            }
            OutputStream out = socket.getOutputStream();
            out.write(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: sekisho-audit\r\nAccept: text/plain\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] response = readCapped(socket.getInputStream());
            return parse(url, response);
        }
    }

    private static byte[] readCapped(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int limit = MAX_BODY + 8192; // room for the headers
        for (int n; (n = in.read(buffer)) > 0; ) {
            bytes.write(buffer, 0, n);
            if (bytes.size() > limit) throw new IOException("answer larger than " + MAX_BODY + " octets");
        }
        return bytes.toByteArray();
    }

    static Outcome parse(String url, byte[] response) {
        String text = new String(response, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return new Outcome.Failed(url, "not an HTTP answer");
        String[] head = text.substring(0, end).split("\r\n");
        String[] status = head[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) return new Outcome.Failed(url, "not an HTTP answer: " + head[0]);
        // RFC 8461 3.3: senders MUST NOT follow redirects; only 200 carries a policy.
        if (!status[1].equals("200")) return new Outcome.Failed(url, "HTTP status " + head[0].substring(head[0].indexOf(' ') + 1));
        boolean chunked = false;
        String contentType = "";
        for (int i = 1; i < head.length; i++) {
            String line = head[i].toLowerCase(Locale.ROOT);
            if (line.startsWith("transfer-encoding:") && line.contains("chunked")) chunked = true;
            if (line.startsWith("content-type:")) contentType = line.substring("content-type:".length()).strip();
        }
        if (!contentType.startsWith("text/plain")) {
            return new Outcome.Failed(url, "media type \"" + contentType + "\", not text/plain (RFC 8461 3.2)");
        }
        String body = text.substring(end + 4);
        return new Outcome.Fetched(url, chunked ? dechunk(body) : body);
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < body.length()) {
            int lineEnd = body.indexOf("\r\n", at);
            if (lineEnd < 0) break;
            int size;
            try {
                size = Integer.parseInt(body.substring(at, lineEnd).split(";")[0].strip(), 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (size == 0) break;
            int start = lineEnd + 2;
            out.append(body, start, Math.min(body.length(), start + size));
            at = start + size + 2;
        }
        return out.toString();
    }
}
