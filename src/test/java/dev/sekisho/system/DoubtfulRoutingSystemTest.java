package dev.sekisho.system;

import dev.sekisho.app.Application;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.MutableClock;
import dev.sekisho.testing.RealPostfix;
import dev.sekisho.testing.Swaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Separating outbound addresses by reputation with two real Postfixes (Debian's package) on loopback: a submission
 * Postfix asks Sekisho, and relays everything to a second Postfix (the "internet"). Its master.cf has the normal
 * {@code smtp} transport bound to 127.0.0.1 and a second one, {@code smtp-doubtful}, bound to 127.0.0.2, set up as
 * docs/outbound-routing.md says. Mail from a home client (XCLIENT ADDR in 192.0.2.0/24, JP in the generated country
 * database) must reach the receiver from 127.0.0.1; mail from abroad (198.51.100.0/24, US) from 127.0.0.2.
 */
@Tag("system")
class DoubtfulRoutingSystemTest {
    private static final String CONFIG = """
            listen:
              policy:
                - address: 127.0.0.1:0
              http: 127.0.0.1:0
            geoip:
              country-database: country.mmdb
            services:
              submission:
                checks:
                  - restrictions
                  - type: route-doubtful
                    name: doubtful
                    transport: "smtp-doubtful:"
                    home-countries: [JP]
            """;
    private static final Pattern QUEUE_ID = Pattern.compile(": ([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}): ");

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-11-22T10:00:00Z");
    private Application sekisho;
    private RealPostfix receiver;
    private RealPostfix submission;

    @BeforeEach
    void start() throws Exception {
        RealPostfix.requireAvailable();
        new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("US"))
                .write(dir.resolve("country.mmdb"));
        Path config = Files.writeString(dir.resolve("sekisho.yaml"), CONFIG);
        sekisho = Application.start(new ConfigLoader().load(config), dir.resolve("data"), clock, System.out);
        receiver = RealPostfix.start(RealPostfix.Restrictions.none());
        int policyPort = sekisho.policyAddresses().get(0).getPort();
        submission = RealPostfix.start(RealPostfix.Restrictions.policyService(policyPort, "submission"), List.of(
                        // another name than the receiver's, or the smtp client sees its own name and calls it a loop
                        "myhostname = submission.localdomain",
                        // the receiver stands in for every recipient's MX, for both transports: no DNS in tests
                        "relay_transport = smtp:[127.0.0.1]:" + receiver.smtpPort(),
                        "default_filter_nexthop = [127.0.0.1]:" + receiver.smtpPort(),
                        "smtp_bind_address = 127.0.0.1",
                        "smtp_dns_support_level = disabled"),
                List.of("smtp      unix  -       -       n       -       -       smtp",
                        "smtp-doubtful unix - -   n       -       -       smtp -o smtp_bind_address=127.0.0.2"));
    }

    @AfterEach
    void stop() throws Exception {
        if (submission != null) submission.close();
        if (receiver != null) receiver.close();
        if (sekisho != null) sekisho.close();
    }

    /** The address the receiver saw the message for this recipient come from. */
    private String receivedFrom(String recipient) throws InterruptedException {
        String delivered;
        try {
            delivered = receiver.awaitLogLine(l -> l.contains("to=<" + recipient + ">") && l.contains("status=sent"), Duration.ofSeconds(30));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nsubmission Postfix log:\n" + String.join("\n", submission.logLines()), e);
        }
        Matcher id = QUEUE_ID.matcher(delivered);
        assertThat(id.find()).as(delivered).isTrue();
        String client = receiver.awaitLogLine(l -> l.contains(id.group(1) + ": client="), Duration.ofSeconds(5));
        return client.substring(client.indexOf("client=") + "client=".length()).trim();
    }

    @Test
    void doubtfulMailLeavesThroughTheSecondTransportAndCleanMailThroughTheNormalOne() throws Exception {
        String clean = "clean@" + RealPostfix.LOCAL_DOMAIN;
        String doubtful = "doubtful@" + RealPostfix.LOCAL_DOMAIN;
        Swaks.Result home = submission.send(Swaks.Message.to(clean).fromClient("192.0.2.20"));
        assertThat(home.dataReply()).as(home.transcript()).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(250));
        Swaks.Result abroad = submission.send(Swaks.Message.to(doubtful).fromClient("198.51.100.20"));
        assertThat(abroad.dataReply()).as(abroad.transcript()).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(250));

        assertThat(receivedFrom(clean)).isEqualTo("unknown[127.0.0.1]");
        assertThat(receivedFrom(doubtful)).isEqualTo("unknown[127.0.0.2]");
        assertThat(submission.logLines()).anySatisfy(line -> assertThat(line)
                .contains("filter: RCPT from unknown[198.51.100.20]").contains("smtp-doubtful:"));
    }
}
