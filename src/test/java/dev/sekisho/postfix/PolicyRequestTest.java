package dev.sekisho.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyRequestTest {

    /** The RCPT request a real Postfix 3.7 sent (shared/notes/postfix-dovecot-on-loopback.md). */
    static String postfix37Rcpt() throws IOException {
        try (InputStream in = PolicyRequestTest.class.getResourceAsStream("postfix-3.7-rcpt.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static final String END_OF_MESSAGE = """
            request=smtpd_access_policy
            protocol_state=END-OF-MESSAGE
            protocol_name=ESMTP
            client_address=198.51.100.23
            client_name=mua.example.net
            reverse_client_name=mua.example.net
            helo_name=[192.168.1.10]
            sender=alice@example.test
            recipient=
            recipient_count=3
            queue_id=4Z1kQb0Wq8z9vF
            instance=2a1f.6b0290ff.8c2e1.0
            size=48213
            sasl_method=PLAIN
            sasl_username=alice@example.test
            sasl_sender=
            policy_context=submission

            """;

    @Test
    void parsesTheRealPostfix37RcptRequest() throws Exception {
        PolicyRequest request = PolicyRequest.parse(postfix37Rcpt());

        assertThat(request.stage()).isEqualTo(Stage.RCPT);
        assertThat(request.clientAddress()).isEqualTo(InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 7}));
        assertThat(request.size()).isZero();
        assertThat(request.recipientCount()).isZero();
        assertThat(request.policyContext()).isEqualTo("mx");
        assertThat(request.attributes()).hasSize(29)
                .containsEntry("client_port", "32844")
                .containsEntry("queue_id", "")
                .containsEntry("encryption_keysize", "0")
                .containsEntry("server_address", "127.0.0.1");
        assertThat(PolicyRequest.KNOWN_ATTRIBUTES).containsAll(request.attributes().keySet());

        Transaction transaction = request.toTransaction("mx");
        assertThat(transaction.service()).isEqualTo("mx");
        assertThat(transaction.stage()).isEqualTo(Stage.RCPT);
        assertThat(transaction.clientName()).isEqualTo("unknown");
        assertThat(transaction.heloName()).isEqualTo("smoke.example.org");
        assertThat(transaction.sender()).isEqualTo("x@example.org");
        assertThat(transaction.recipient()).isEqualTo("greylist01@example.test");
        assertThat(transaction.saslUsername()).isEmpty();
        assertThat(transaction.authenticated()).isFalse();
        assertThat(transaction.messageId()).isEqualTo("1922.6b028ea8.414b4.0");
    }

    @Test
    void parsesEndOfMessageWithSizeRecipientCountAndSaslUsername() throws Exception {
        PolicyRequest request = PolicyRequest.parse(END_OF_MESSAGE);

        assertThat(request.stage()).isEqualTo(Stage.END_OF_MESSAGE);
        assertThat(request.protocolState()).isEqualTo("END-OF-MESSAGE");
        assertThat(request.size()).isEqualTo(48213);
        assertThat(request.recipientCount()).isEqualTo(3);
        Transaction transaction = request.toTransaction("submission");
        assertThat(transaction.saslUsername()).isEqualTo("alice@example.test");
        assertThat(transaction.authenticated()).isTrue();
        assertThat(transaction.size()).isEqualTo(48213);
        assertThat(transaction.recipientCount()).isEqualTo(3);
        assertThat(transaction.recipient()).isEmpty();
        assertThat(transaction.heloName()).isEqualTo("[192.168.1.10]");
    }

    @Test
    void parsesAnIpv6ClientAddressWithoutDns() throws Exception {
        PolicyRequest request = PolicyRequest.parse(minimal("RCPT", "2001:db8::25"));

        assertThat(request.clientAddress()).isEqualTo(InetAddress.getByName("2001:db8:0:0:0:0:0:25"));
        assertThat(request.clientAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:25");
        assertThat(request.toTransaction("mx").clientIp()).isEqualTo("2001:db8::25");
        assertThat(PolicyRequest.parse(minimal("RCPT", "2001:DB8:0:0::25")).toTransaction("mx").clientIp()).isEqualTo("2001:db8::25");
        assertThat(PolicyRequest.parse(minimal("RCPT", "192.0.2.1")).toTransaction("mx").clientIp()).isEqualTo("192.0.2.1");
    }

    @Test
    void splitsOnlyAtTheFirstEqualsSign() throws Exception {
        PolicyRequest request = PolicyRequest.parse(minimal("RCPT", "192.0.2.1")
                + "sender=bounce+user=example.org@lists.example.test\nccert_subject=CN=mx.example.test,O=Example\n");

        assertThat(request.sender()).isEqualTo("bounce+user=example.org@lists.example.test");
        assertThat(request.attribute("ccert_subject")).isEqualTo("CN=mx.example.test,O=Example");
    }

    @Test
    void keepsUnknownAttributesAndIgnoresThem() throws Exception {
        PolicyRequest request = PolicyRequest.parse(minimal("RCPT", "192.0.2.1") + "future_attribute=some value\n");

        assertThat(request.attributes()).containsEntry("future_attribute", "some value");
        assertThat(request.toTransaction("mx").sender()).isEmpty();
    }

    @Test
    void absentAttributesReadAsEmpty() throws Exception {
        PolicyRequest request = PolicyRequest.parse(minimal("CONNECT", "192.0.2.1"));

        assertThat(request.sender()).isEmpty();
        assertThat(request.saslUsername()).isEmpty();
        assertThat(request.policyContext()).isEmpty();
        assertThat(request.size()).isZero();
        assertThat(request.recipientCount()).isZero();
    }

    @Test
    void toleratesCrLfLineEnds() throws Exception {
        PolicyRequest request = PolicyRequest.parse(END_OF_MESSAGE.replace("\n", "\r\n"));

        assertThat(request.sender()).isEqualTo("alice@example.test");
        assertThat(request.size()).isEqualTo(48213);
    }

    @Test
    void decodesValuesAsUtf8() throws Exception {
        PolicyRequest request = PolicyRequest.parse(minimal("RCPT", "192.0.2.1") + "recipient=山田@例え.jp\n");

        assertThat(request.recipient()).isEqualTo("山田@例え.jp");
    }

    @ParameterizedTest
    @CsvSource({
            "CONNECT, CONNECT", "EHLO, HELO", "HELO, HELO", "MAIL, MAIL", "RCPT, RCPT", "DATA, DATA",
            "END-OF-MESSAGE, END_OF_MESSAGE", "VRFY, VRFY", "ETRN, ETRN"})
    void mapsEveryProtocolStateOntoAStage(String protocolState, Stage stage) throws Exception {
        assertThat(PolicyRequest.parse(minimal(protocolState, "192.0.2.1")).stage()).isEqualTo(stage);
    }

    @Test
    void missingClientAddressIsAnError() {
        String request = "request=smtpd_access_policy\nprotocol_state=RCPT\n\n";

        assertThatThrownBy(() -> PolicyRequest.parse(request))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.attribute()).isEqualTo("client_address");
                    assertThat(e.getMessage()).isEqualTo("missing attribute: attribute \"client_address\"");
                });
    }

    @Test
    void emptyClientAddressIsAnError() {
        assertThatThrownBy(() -> PolicyRequest.parse(minimal("RCPT", "")))
                .isInstanceOfSatisfying(PolicyProtocolException.class,
                        e -> assertThat(e.attribute()).isEqualTo("client_address"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail.example.org", "localhost", "192.0.2.0/24", "192.0.2.1-9", "192.0.2.*", "1.2.3",
            "0x7f.0.0.1", "010.1.1.1", "2001:db8::/32", "fe80::1%eth0", "256.1.1.1", "192.0.2.1 ", "*"})
    void clientAddressMustBeAPlainIpLiteral(String literal) {
        assertThatThrownBy(() -> PolicyRequest.parse(minimal("RCPT", literal)))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.attribute()).isEqualTo("client_address");
                    assertThat(e.value()).isEqualTo(literal);
                    assertThat(e.getMessage()).startsWith("not an IPv4 or IPv6 address literal");
                });
    }

    @Test
    void anUnknownClientAddressIsAValidRequestThatNoCheckIsAskedAbout() throws Exception {
        PolicyRequest unknown = PolicyRequest.parse(minimal("RCPT", "unknown"));
        assertThat(unknown.clientAddressUnknown()).isTrue();
        assertThatThrownBy(() -> unknown.toTransaction("mx")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("client_address=unknown");
        PolicyRequest unspecified = PolicyRequest.parse(minimal("RCPT", "0.0.0.0"));
        assertThat(unspecified.clientAddressUnknown()).as("a literal 0.0.0.0 is an address, if an odd one").isFalse();
        assertThat(unspecified.toTransaction("mx").clientIp()).isEqualTo("0.0.0.0");
    }

    @Test
    void nonNumericSizeIsAnErrorNamingAttributeAndValue() {
        assertThatThrownBy(() -> PolicyRequest.parse(minimal("END-OF-MESSAGE", "192.0.2.1") + "size=12k\n"))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.attribute()).isEqualTo("size");
                    assertThat(e.value()).isEqualTo("12k");
                    assertThat(e.getMessage()).isEqualTo("not a decimal number: attribute \"size\" value \"12k\"");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "+5", " 5", "1e3", "99999999999999999999"})
    void recipientCountMustBePlainDecimal(String value) {
        assertThatThrownBy(() -> PolicyRequest.parse(minimal("END-OF-MESSAGE", "192.0.2.1") + "recipient_count=" + value + "\n"))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.attribute()).isEqualTo("recipient_count");
                    assertThat(e.value()).isEqualTo(value);
                });
    }

    @Test
    void emptyNumbersMeanZero() throws Exception {
        PolicyRequest request = PolicyRequest.parse(minimal("RCPT", "192.0.2.1") + "size=\nrecipient_count=\n");

        assertThat(request.size()).isZero();
        assertThat(request.recipientCount()).isZero();
    }

    @Test
    void lineWithoutEqualsSignIsAnError() {
        assertThatThrownBy(() -> PolicyRequest.parse(minimal("RCPT", "192.0.2.1") + "garbage line\n"))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.value()).isEqualTo("garbage line");
                    assertThat(e.getMessage()).isEqualTo("attribute line without '=' value \"garbage line\"");
                });
    }

    @Test
    void attributeWithoutNameIsAnError() {
        assertThatThrownBy(() -> PolicyRequest.parse(minimal("RCPT", "192.0.2.1") + "=value\n"))
                .isInstanceOf(PolicyProtocolException.class)
                .hasMessageStartingWith("attribute without a name");
    }

    @Test
    void repeatedAttributeIsAnError() {
        assertThatThrownBy(() -> PolicyRequest.parse(minimal("RCPT", "192.0.2.1") + "client_address=198.51.100.1\n"))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.attribute()).isEqualTo("client_address");
                    assertThat(e.value()).isEqualTo("198.51.100.1");
                });
    }

    @Test
    void otherRequestTypesAreRejected() {
        assertThatThrownBy(() -> PolicyRequest.parse("request=junk\nprotocol_state=RCPT\nclient_address=192.0.2.1\n"))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.attribute()).isEqualTo("request");
                    assertThat(e.value()).isEqualTo("junk");
                });
        assertThatThrownBy(() -> PolicyRequest.parse("protocol_state=RCPT\nclient_address=192.0.2.1\n"))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> assertThat(e.attribute()).isEqualTo("request"));
    }

    @Test
    void unknownOrMissingProtocolStateIsAnError() {
        assertThatThrownBy(() -> PolicyRequest.parse(minimal("BDAT", "192.0.2.1")))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.attribute()).isEqualTo("protocol_state");
                    assertThat(e.value()).isEqualTo("BDAT");
                });
        assertThatThrownBy(() -> PolicyRequest.parse("request=smtpd_access_policy\nclient_address=192.0.2.1\n"))
                .isInstanceOfSatisfying(PolicyProtocolException.class,
                        e -> assertThat(e.attribute()).isEqualTo("protocol_state"));
    }

    @Test
    void errorMessagesEscapeControlCharactersAndShortenLongValues() {
        String hostile = "x\u001b[31mforged log line\tend" + "y".repeat(300);

        assertThatThrownBy(() -> PolicyRequest.parse(minimal("RCPT", "192.0.2.1") + "size=" + hostile + "\n"))
                .isInstanceOfSatisfying(PolicyProtocolException.class, e -> {
                    assertThat(e.value()).isEqualTo(hostile);
                    assertThat(e.getMessage())
                            .startsWith("not a decimal number: attribute \"size\" value \"x\\x1b[31mforged log line\\tend")
                            .endsWith("... (" + hostile.length() + " chars)")
                            .doesNotContain("\u001b", "\t");
                });
    }

    @Test
    void parseTakesExactlyOneRequest() {
        String two = minimal("RCPT", "192.0.2.1") + "\n" + minimal("RCPT", "192.0.2.2") + "\n";

        assertThatThrownBy(() -> PolicyRequest.parse(two)).hasMessage("more than one request in the text");
        assertThatThrownBy(() -> PolicyRequest.parse("")).hasMessage("no request in the text");
    }

    @Test
    void whatFollowsTheRequestFailsWithItsOwnReason() {
        String one = minimal("RCPT", "192.0.2.1") + "\n";

        // as the server would answer them: a stray empty line, a line without '=', a second request missing attributes
        assertThatThrownBy(() -> PolicyRequest.parse(one + "\n")).hasMessageStartingWith("empty request");
        assertThatThrownBy(() -> PolicyRequest.parse(one + "garbage")).hasMessageStartingWith("attribute line without '='");
        assertThatThrownBy(() -> PolicyRequest.parse(one + "size=x")).hasMessageContaining("missing attribute");
    }

    /** The least a request needs, without its ending empty line. */
    static String minimal(String protocolState, String clientAddress) {
        return "request=smtpd_access_policy\nprotocol_state=" + protocolState + "\nclient_address=" + clientAddress + "\n";
    }

    @Test
    void ipv6LiteralsReadTheSameAsTheGeneralParserReadsThem() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int n = 0; n < 5_000; n++) {
            byte[] bytes = new byte[16];
            for (int g = 0; g < 8; g++) {
                if (random.nextInt(3) == 0) continue;
                int value = random.nextInt(1 << 16);
                bytes[2 * g] = (byte) (value >>> 8);
                bytes[2 * g + 1] = (byte) value;
            }
            inet.ipaddr.ipv6.IPv6Address address = new inet.ipaddr.ipv6.IPv6Address(bytes);
            for (String literal : new String[]{address.toCanonicalString(), address.toFullString(), address.toNormalizedString(),
                    address.toCompressedString().toUpperCase(java.util.Locale.ROOT)}) {
                InetAddress parsed = PolicyRequest.parse(minimal("RCPT", literal)).clientAddress();
                assertThat(parsed).as(literal).isInstanceOf(java.net.Inet6Address.class);
                assertThat(parsed.getAddress()).as(literal).isEqualTo(bytes);
            }
        }
        assertThat(PolicyRequest.parse(minimal("RCPT", "::ffff:192.0.2.1")).clientAddress().getAddress())
                .isEqualTo(new inet.ipaddr.IPAddressString("::ffff:192.0.2.1").getAddress().getBytes());
        assertThat(PolicyRequest.parse(minimal("RCPT", "::")).clientAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:0");
    }

    @Test
    void malformedIpv6LiteralsAreRefused() {
        for (String bad : new String[]{"2001:db8:::1", "2001:db8::1::2", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::1", "2001:db8::g",
                ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "1:2:3:4:5:6:7::8", "2001:db8::1%eth0", "2001:db8::/32", "[2001:db8::1]", "2001:db8::1 ", "2001:db8::\uFF21", "2001:db8::\u0661"}) {
            assertThatThrownBy(() -> PolicyRequest.parse(minimal("RCPT", bad))).as(bad)
                    .isInstanceOf(PolicyProtocolException.class).hasMessageContaining("not an IPv4 or IPv6 address literal");
        }
    }
}
