package dev.sekisho.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Speaks Postfix's policy delegation protocol to a server under test, over one persistent
 * connection, sending the attributes Postfix 3.7 sends at RCPT (see shared/notes).
 */
public final class PolicyClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final BufferedReader in;

    public PolicyClient(InetSocketAddress server) throws IOException {
        socket = new Socket();
        socket.connect(server, 5000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The attributes of an MX RCPT request as Postfix 3.7 sends them; callers override what they need. */
    public static Map<String, String> rcpt(String client, String sender, String recipient, String policyContext) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("request", "smtpd_access_policy");
        a.put("protocol_state", "RCPT");
        a.put("protocol_name", "ESMTP");
        a.put("client_address", client);
        a.put("client_name", "unknown");
        a.put("reverse_client_name", "unknown");
        a.put("client_port", "32844");
        a.put("helo_name", "smoke.example.org");
        a.put("sender", sender);
        a.put("recipient", recipient);
        a.put("recipient_count", "0");
        a.put("queue_id", "");
        a.put("instance", "1922.6b028ea8.414b4.0");
        a.put("size", "0");
        a.put("etrn_domain", "");
        a.put("stress", "");
        a.put("sasl_method", "");
        a.put("sasl_username", "");
        a.put("sasl_sender", "");
        a.put("ccert_subject", "");
        a.put("ccert_issuer", "");
        a.put("ccert_fingerprint", "");
        a.put("ccert_pubkey_fingerprint", "");
        a.put("encryption_protocol", "");
        a.put("encryption_cipher", "");
        a.put("encryption_keysize", "0");
        a.put("server_address", "127.0.0.1");
        a.put("server_port", "25");
        a.put("policy_context", policyContext);
        return a;
    }

    /**
     * The END-OF-MESSAGE request that follows {@code rcpt}'s transaction once Postfix accepted {@code recipientCount}
     * recipients: Postfix names the recipient only when there is exactly one.
     */
    public static Map<String, String> endOfMessage(Map<String, String> rcpt, int recipientCount) {
        Map<String, String> a = new LinkedHashMap<>(rcpt);
        a.put("protocol_state", "END-OF-MESSAGE");
        if (recipientCount != 1) a.put("recipient", "");
        a.put("recipient_count", Integer.toString(recipientCount));
        return a;
    }

    /** Send one request and return the text after "action=". */
    public String ask(Map<String, String> attributes) throws IOException {
        StringBuilder request = new StringBuilder(512);
        attributes.forEach((k, v) -> request.append(k).append('=').append(v).append('\n'));
        request.append('\n');
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readReply();
    }

    /** Write raw bytes (for malformed-input tests). */
    public void sendRaw(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public String readReply() throws IOException {
        String line = in.readLine();
        if (line == null) throw new IOException("connection closed by the server");
        String empty = in.readLine();
        if (empty == null || !empty.isEmpty()) throw new IOException("reply not ended by an empty line: " + line + " / " + empty);
        if (!line.startsWith("action=")) throw new IOException("not an action reply: " + line);
        return line.substring("action=".length());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
