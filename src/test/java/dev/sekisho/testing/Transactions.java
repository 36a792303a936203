package dev.sekisho.testing;

import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import inet.ipaddr.IPAddressString;


/** Builds transactions for tests: {@code Transactions.rcpt("203.0.113.7").from("a@example.org").to("b@example.test").build()}. */
public final class Transactions {
    private String service = "mx";
    private Stage stage = Stage.RCPT;
    private final String client;
    private String clientName = "unknown";
    private String helo = "client.example";
    private String sender = "sender@example.org";
    private String recipient = "user@example.test";
    private long recipientCount;
    private long size;
    private String sasl = "";
    private String messageId = "A1";

    private Transactions(String client) {
        this.client = client;
    }

    public static Transactions rcpt(String clientAddress) {
        return new Transactions(clientAddress);
    }

    public Transactions service(String s) { this.service = s; return this; }
    public Transactions stage(Stage s) { this.stage = s; return this; }
    public Transactions clientName(String n) { this.clientName = n; return this; }
    public Transactions helo(String h) { this.helo = h; return this; }
    public Transactions from(String s) { this.sender = s; return this; }
    public Transactions to(String r) { this.recipient = r; return this; }
    public Transactions recipients(long n) { this.recipientCount = n; return this; }
    public Transactions size(long n) { this.size = n; return this; }
    public Transactions login(String l) { this.sasl = l; return this; }
    public Transactions message(String id) { this.messageId = id; return this; }

    public Transaction build() {
        var address = new IPAddressString(client).getAddress();
        if (address == null) throw new IllegalArgumentException("bad test address " + client);
        return new Transaction(service, stage, address.toInetAddress(), null, clientName, helo, sender,
                recipientAt(stage), recipientCount, size, sasl, messageId);
    }

    /** As Postfix sends it: at END-OF-MESSAGE the recipient is named only when there is exactly one. */
    private String recipientAt(Stage s) {
        return s != Stage.END_OF_MESSAGE || recipientCount == 1 ? recipient : "";
    }
}
