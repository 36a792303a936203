package dev.sekisho.system;

import dev.sekisho.Sekisho;
import dev.sekisho.app.Application;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.RawSmtp;
import dev.sekisho.testing.RealPostfix;
import dev.sekisho.testing.Swaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sekisho in front of a real Postfix (Debian's package) on loopback, driven by swaks: the policy
 * delegation protocol as Postfix really speaks it. Sekisho runs in-process so the test can move
 * its clock; everything between swaks, Postfix and Sekisho crosses real sockets.
 */
@Tag("system")
class PostfixSystemTest {
    private static final String CONFIG = """
            listen:
              policy:
                - address: 127.0.0.1:0
              http: 127.0.0.1:0
            services:
              mx:
                checks:
                  - restrictions
                  - type: rate-limit
                    name: per-client-ip
                    key: client-ip
                    count: recipients
                    limits: [3/1h]
                  - type: greylist
                    delay: 300s
            """;

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private Application sekisho;
    private RealPostfix postfix;

    @BeforeEach
    void start() throws Exception {
        RealPostfix.requireAvailable();
        Path config = dir.resolve("sekisho.yaml");
        Files.writeString(config, CONFIG);
        sekisho = Application.start(new ConfigLoader().load(config), dir.resolve("data"), clock, System.out);
        int policyPort = sekisho.policyAddresses().get(0).getPort();
        // Asked at RCPT and at end of data, as the README says: rate limits charge what Postfix accepted at END-OF-MESSAGE.
        postfix = RealPostfix.start(RealPostfix.Restrictions.policyService(policyPort, "mx").withEndOfDataPolicyService(policyPort, "mx"));
    }

    @AfterEach
    void stop() throws Exception {
        if (postfix != null) postfix.close();
        if (sekisho != null) sekisho.close();
    }

    private Swaks.Result send(String client, String recipient) throws Exception {
        return postfix.send(Swaks.Message.to(recipient).fromClient(client));
    }

    @Test
    void anUnknownTripletIsDeferredAndItsRetryAfterTheDelayIsDelivered() throws Exception {
        Swaks.Result first = send("203.0.113.7", "alice@" + RealPostfix.LOCAL_DOMAIN);
        assertThat(first.rcptReply().code()).as(first.transcript()).isEqualTo(450);
        assertThat(first.rcptReply().text()).contains("4.7.1").contains("Greylisted, please try again in 300 seconds");

        clock.advance(Duration.ofSeconds(120));
        assertThat(send("203.0.113.7", "alice@" + RealPostfix.LOCAL_DOMAIN).rcptReply().code()).as("too early").isEqualTo(450);

        clock.advance(Duration.ofSeconds(181));
        Swaks.Result retry = send("203.0.113.7", "alice@" + RealPostfix.LOCAL_DOMAIN);
        assertThat(retry.rcptReply().code()).as(retry.transcript()).isEqualTo(250);
        assertThat(retry.dataReply()).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(250));
        assertThat(postfix.logLines()).anySatisfy(line -> assertThat(line).contains("203.0.113.7").contains("Greylisted"));
    }

    @Test
    void theMessageOverTheClientLimitIsDeferredWithTheLimitNamed() throws Exception {
        String recipient = "bob@" + RealPostfix.LOCAL_DOMAIN;
        assertThat(send("198.51.100.23", recipient).rcptReply().code()).as("greylisted, and not counted").isEqualTo(450);
        clock.advance(Duration.ofSeconds(301));
        for (int i = 1; i <= 2; i++) {
            Swaks.Result abandoned = postfix.send(Swaks.Message.to(recipient).fromClient("198.51.100.23").abandonedAfterRcpt());
            assertThat(abandoned.rcptReply().code()).as(abandoned.transcript()).isEqualTo(250);
            assertThat(abandoned.dataReply()).as("given up before DATA, so not counted").isEmpty();
        }
        for (int i = 1; i <= 3; i++) {
            Swaks.Result delivered = send("198.51.100.23", recipient);
            assertThat(delivered.rcptReply().code()).as("message %d: %s", i, delivered.transcript()).isEqualTo(250);
            assertThat(delivered.dataReply()).as("message %d: %s", i, delivered.transcript())
                    .hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(250));
        }
        Swaks.Result fourth = send("198.51.100.23", recipient);
        assertThat(fourth.rcptReply().code()).as(fourth.transcript()).isEqualTo(450);
        assertThat(fourth.rcptReply().text()).contains("4.7.1")
                .contains("Rate limit per-client-ip (3/1h recipients) exceeded for 198.51.100.23, try again in 1200s");
        Swaks.Result otherClient = send("198.51.100.24", recipient);
        assertThat(otherClient.rcptReply().text()).as("another client is not limited").doesNotContain("Rate limit");
    }

    @Test
    void oneMessageGetsNoMoreRecipientsThanTheLimitAndIsChargedWhatPostfixAccepted() throws Exception {
        String local = "@" + RealPostfix.LOCAL_DOMAIN;
        String four = String.join(",", "ann" + local, "ben" + local, "cat" + local, "dan" + local);
        Swaks.Message message = Swaks.Message.to(four).fromClient("198.51.100.40");
        assertThat(postfix.send(message).rcptReply().code()).as("every triplet greylisted first").isEqualTo(450);
        clock.advance(Duration.ofSeconds(301));

        Swaks.Result sent = postfix.send(message);
        List<String> transcript = sent.transcript().lines().toList();
        for (String accepted : List.of("ann", "ben", "cat")) {
            assertThat(Swaks.replyTo(transcript, line -> line.startsWith("RCPT TO:<" + accepted + "@")))
                    .as(sent.transcript()).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(250));
        }
        // Postfix's instance ties the four RCPT requests to one transaction: the fourth is one too many for 3/1h.
        assertThat(sent.rcptReply().code()).as(sent.transcript()).isEqualTo(450);
        assertThat(sent.rcptReply().text()).contains("Rate limit per-client-ip (3/1h recipients) exceeded for 198.51.100.40, "
                + "this message already has 3 recipients; send the rest in another message");
        assertThat(sent.dataReply()).as("delivered to the three: " + sent.transcript())
                .hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(250));

        Swaks.Result next = send("198.51.100.40", "ann" + local);
        assertThat(next.rcptReply().text()).as("the three were charged at END-OF-MESSAGE: " + next.transcript())
                .contains("Rate limit per-client-ip (3/1h recipients) exceeded for 198.51.100.40, try again in 1200s");
    }

    @Test
    void mailSentWithBdatIsChargedAtEndOfMessageToo() throws Exception {
        String local = "@" + RealPostfix.LOCAL_DOMAIN;
        List<String> first = chunked("198.51.100.60", List.of("eve" + local, "fay" + local));
        assertThat(first).as("greylisted first").allSatisfy(reply -> assertThat(reply).startsWith("450"));
        clock.advance(Duration.ofSeconds(301));

        List<String> delivered = chunked("198.51.100.60", List.of("eve" + local, "fay" + local));
        assertThat(delivered).as("RCPT, RCPT, BDAT LAST: %s", delivered).filteredOn(r -> r.startsWith("250 2.1.5")).hasSize(2);
        assertThat(delivered).as(delivered.toString()).anySatisfy(reply -> assertThat(reply).startsWith("250 2.0.0").contains("queued as"));

        List<String> next = chunked("198.51.100.60", List.of("eve" + local, "fay" + local));
        // Two were charged at the BDAT message's END-OF-MESSAGE: of 3/1h one is left, so the first RCPT fits and the second
        // (two with it) waits for the window to drain.
        assertThat(next).as(next.toString()).first().asString().startsWith("250 2.1.5");
        assertThat(next.get(1)).startsWith("450 4.7.1")
                .contains("Rate limit per-client-ip (3/1h recipients) exceeded for 198.51.100.60, try again in 1200s");
    }

    @Test
    void recipientsOfATransactionResetInTheSameSessionDoNotCountForTheNext() throws Exception {
        String local = "@" + RealPostfix.LOCAL_DOMAIN;
        assertThat(chunked("198.51.100.61", List.of("gus" + local, "hal" + local))).as("greylisted first")
                .allSatisfy(reply -> assertThat(reply).startsWith("450"));
        clock.advance(Duration.ofSeconds(301));
        try (RawSmtp smtp = new RawSmtp(postfix.smtpPort())) {
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("XCLIENT ADDR=198.51.100.61")).startsWith("220");
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<gus" + local + ">")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<hal" + local + ">")).startsWith("250");
            assertThat(smtp.command("RSET")).startsWith("250");
            // A new transaction in the same session gets a new instance from Postfix: it starts from nothing.
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<gus" + local + ">")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<hal" + local + ">")).as("2 of 3/1h, nothing charged yet").startsWith("250");
            assertThat(smtp.bdatLast("Subject: after RSET\r\n\r\nbody\r\n")).startsWith("250 2.0.0");
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<gus" + local + ">")).as("the delivered message's two were charged").startsWith("250");
            assertThat(smtp.command("RCPT TO:<hal" + local + ">")).startsWith("450 4.7.1").contains("Rate limit per-client-ip");
            smtp.command("QUIT");
        }
    }

    /**
     * One message sent with BDAT (RFC 3030 CHUNKING) as the client {@code client} (XCLIENT), which swaks cannot do:
     * the replies to RCPT TO and to BDAT LAST, in order (no BDAT when no recipient was accepted).
     */
    private List<String> chunked(String client, List<String> recipients) throws IOException {
        try (RawSmtp smtp = new RawSmtp(postfix.smtpPort())) {
            assertThat(smtp.command("EHLO client.example.org")).contains("CHUNKING");
            assertThat(smtp.command("XCLIENT ADDR=" + client)).startsWith("220");
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            List<String> replies = new ArrayList<>();
            for (String recipient : recipients) replies.add(smtp.command("RCPT TO:<" + recipient + ">"));
            if (replies.stream().anyMatch(reply -> reply.startsWith("250"))) {
                replies.add(smtp.bdatLast("Subject: chunked\r\n\r\nsent with BDAT\r\n"));
            }
            smtp.command("QUIT");
            return replies;
        }
    }

    @Test
    void aRestrictionAddedWithTheCliTakesEffectOnTheNextConnection() throws Exception {
        String recipient = "carol@" + RealPostfix.LOCAL_DOMAIN;
        send("192.0.2.45", recipient);
        clock.advance(Duration.ofSeconds(301));
        assertThat(send("192.0.2.45", recipient).rcptReply().code()).isEqualTo(250);

        StringWriter out = new StringWriter();
        CommandLine cli = Sekisho.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        int exit = cli.execute("restrictions", "add", "--ip", "192.0.2.45", "--for", "1h", "--reason", "compromised host, ticket 88",
                "--url", "http://127.0.0.1:" + sekisho.httpAddress().getPort(), "--data-dir", dir.resolve("data").toString());
        assertThat(exit).as(out.toString()).isZero();

        Swaks.Result blocked = send("192.0.2.45", recipient);
        assertThat(blocked.rcptReply().code()).as(blocked.transcript()).isEqualTo(554);
        assertThat(blocked.rcptReply().text()).contains("5.7.1").contains("Access restricted until 2026-11-22T11:05:01Z");
    }
}
