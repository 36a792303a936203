package dev.sekisho.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sekisho.engine.Stage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PolicyRequestDecoderTest {

    private static final String REQUEST = PolicyRequestTest.minimal("RCPT", "192.0.2.1") + "\n";
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** The time each read is said to happen at; moved by the test, never by the wall clock. */
    private long nanos = 1_000_000_000L;

    /** Hands the decoder {@code text} in reads of at most {@code chunk} bytes, taking the requests complete after each. */
    private List<PolicyRequest> feed(PolicyRequestDecoder decoder, String text, int chunk) throws PolicyProtocolException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<PolicyRequest> requests = new ArrayList<>();
        for (int offset = 0; offset < bytes.length; ) {
            ByteBuffer into = decoder.receiveBuffer();
            int count = Math.min(Math.min(chunk, into.remaining()), bytes.length - offset);
            into.put(bytes, offset, count);
            offset += count;
            decoder.received(count, nanos);
            PolicyRequest request;
            while ((request = decoder.next()) != null) requests.add(request);
        }
        return requests;
    }

    private List<PolicyRequest> feed(PolicyRequestDecoder decoder, String text) throws PolicyProtocolException {
        return feed(decoder, text, Integer.MAX_VALUE);
    }

    private static PolicyRequestDecoder decoder() {
        return new PolicyRequestDecoder(PolicyServerLimits.DEFAULTS);
    }

    @Test
    void decodesRequestsOneAfterAnother() throws Exception {
        PolicyRequestDecoder decoder = decoder();

        List<PolicyRequest> requests = feed(decoder, REQUEST + REQUEST.replace("RCPT", "MAIL"));

        assertThat(requests).extracting(PolicyRequest::stage).containsExactly(Stage.RCPT, Stage.MAIL);
        assertThat(decoder.inRequest()).isFalse();
        decoder.endOfStream(); // between requests: a clean end
    }

    @Test
    void eachRequestKeepsItsOwnValuesWhileTheConnectionDecodesTheNextAndTheyAreDecodedAsUtf8() throws Exception {
        String first = REQUEST.replace("\n\n", "\nsender=früh@example.org\nhelo_name=first.example\n\n");
        String second = REQUEST.replace("RCPT", "MAIL").replace("\n\n", "\nsender=spät@example.org\n\n");

        List<PolicyRequest> requests = feed(decoder(), first + second);
        PolicyRequest one = requests.get(0);
        PolicyRequest two = requests.get(1);

        // The decoder reuses its builder: the first request must not see the second's values.
        assertThat(one.sender()).isEqualTo("früh@example.org");
        assertThat(one.attribute(PolicyRequest.HELO_NAME)).isEqualTo("first.example");
        assertThat(two.sender()).isEqualTo("spät@example.org");
        assertThat(two.attribute(PolicyRequest.HELO_NAME)).as("not sent in the second request").isEmpty();
        assertThat(two.attributes()).doesNotContainKey(PolicyRequest.HELO_NAME);
        assertThat(one.attributes()).containsEntry(PolicyRequest.SENDER, "früh@example.org").hasSize(two.attributes().size() + 1);
    }

    @Test
    void requestsSplitAcrossManySmallReadsAreReassembled() throws Exception {
        PolicyRequestDecoder decoder = decoder();

        List<PolicyRequest> requests = feed(decoder, PolicyRequestTest.postfix37Rcpt() + REQUEST, 1);

        assertThat(requests).extracting(PolicyRequest::recipient).containsExactly("greylist01@example.test", "");
        assertThat(decoder.inRequest()).isFalse();
    }

    @Test
    void aRequestIsNotTakenBeforeItsEmptyLineArrives() throws Exception {
        PolicyRequestDecoder decoder = decoder();

        assertThat(feed(decoder, REQUEST.substring(0, REQUEST.length() - 1))).isEmpty();
        assertThat(decoder.inRequest()).isTrue();
        assertThat(feed(decoder, "\n")).hasSize(1);
        assertThat(decoder.inRequest()).isFalse();
    }

    @Test
    void linesLongerThanTheBufferAreStillReadUpToTheLimit() throws Exception {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(20_000, 64 * 1024, 256);
        String longValue = "v".repeat(19_000);

        List<PolicyRequest> requests = feed(new PolicyRequestDecoder(limits),
                PolicyRequestTest.minimal("RCPT", "192.0.2.1") + "ccert_subject=" + longValue + "\n\n", 3000);

        assertThat(requests).singleElement().satisfies(request -> assertThat(request.attribute("ccert_subject")).isEqualTo(longValue));
    }

    @Test
    void requestsLargerThanTheBufferAreReadWhenTheirLinesAreShort() throws Exception {
        StringBuilder request = new StringBuilder(PolicyRequestTest.minimal("RCPT", "192.0.2.1"));
        for (int i = 0; i < 200; i++) request.append("x").append(i).append("=").append("0123456789".repeat(10)).append('\n');

        List<PolicyRequest> requests = feed(decoder(), request + "\n", 5000);

        assertThat(request.length()).isGreaterThan(16 * 1024);
        assertThat(requests).singleElement().satisfies(one -> assertThat(one.attribute("x199")).hasSize(100));
    }

    @Test
    void endOfStreamInsideARequestIsAnError() throws Exception {
        PolicyRequestDecoder decoder = decoder();
        feed(decoder, "request=smtpd_acc");

        assertThatThrownBy(decoder::endOfStream)
                .isInstanceOf(PolicyProtocolException.class)
                .hasMessage("connection closed in the middle of a request");
    }

    @Test
    void endOfStreamAfterAnAttributeLineIsAnErrorToo() throws Exception {
        PolicyRequestDecoder decoder = decoder();
        feed(decoder, PolicyRequestTest.minimal("RCPT", "192.0.2.1"));

        assertThatThrownBy(decoder::endOfStream).hasMessage("connection closed in the middle of a request");
    }

    @Test
    void emptyLineWithoutAttributesIsAnError() {
        assertThatThrownBy(() -> feed(decoder(), "\n")).hasMessageStartingWith("empty request");
    }

    @Test
    void lineLongerThanTheLimitIsAnError() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(100, 1000, 10);
        String request = PolicyRequestTest.minimal("RCPT", "192.0.2.1") + "sender=" + "a".repeat(100) + "\n\n";

        assertThatThrownBy(() -> feed(new PolicyRequestDecoder(limits), request))
                .isInstanceOf(PolicyProtocolException.class)
                .hasMessage("attribute line longer than 100 bytes");
    }

    @Test
    void lineOfExactlyTheLimitWithCrLfIsAccepted() throws Exception {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(100, 1000, 10);
        String sender = "sender=" + "a".repeat(93); // 100 bytes
        String request = (PolicyRequestTest.minimal("RCPT", "192.0.2.1") + sender + "\n\n").replace("\n", "\r\n");

        assertThat(feed(new PolicyRequestDecoder(limits), request)).singleElement()
                .satisfies(one -> assertThat(one.sender()).hasSize(93));
    }

    @Test
    void endlessLineWithoutLineFeedIsCutOffAtTheLimitBeforeTheBufferFills() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(4096, 64 * 1024, 256);
        PolicyRequestDecoder decoder = new PolicyRequestDecoder(limits);

        // Without the check the buffer would fill and receiveBuffer() would have no room left.
        assertThatThrownBy(() -> feed(decoder, "x".repeat(100_000), 1000)).hasMessage("attribute line longer than 4096 bytes");
    }

    @Test
    void requestLargerThanTheLimitIsAnError() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(100, 300, 1000);
        StringBuilder request = new StringBuilder(PolicyRequestTest.minimal("RCPT", "192.0.2.1"));
        for (int i = 0; i < 20; i++) request.append("x").append(i).append("=0123456789\n");

        assertThatThrownBy(() -> feed(new PolicyRequestDecoder(limits), request + "\n")).hasMessage("request larger than 300 bytes");
    }

    @Test
    void tooManyAttributesIsAnError() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(100, 64 * 1024, 5);
        String request = PolicyRequestTest.minimal("RCPT", "192.0.2.1") + "a=1\nb=2\nc=3\n\n";

        assertThatThrownBy(() -> feed(new PolicyRequestDecoder(limits), request)).hasMessage("more than 5 attributes");
    }

    @Test
    void aRequestHasOneDeadlineFromItsFirstByteAcrossAllReads() throws Exception {
        PolicyRequestDecoder decoder = new PolicyRequestDecoder(PolicyServerLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(10)));
        long firstByte = nanos;
        String request = PolicyRequestTest.postfix37Rcpt();

        // a byte per second: a per-read timeout would never fire
        for (int i = 0; i < 5; i++) {
            feed(decoder, request.substring(i, i + 1));
            nanos += SECOND;
        }

        assertThat(decoder.inRequest()).isTrue();
        assertThat(decoder.requestDeadline()).isEqualTo(firstByte + 10 * SECOND);
        feed(decoder, request.substring(5));
        assertThat(decoder.inRequest()).isFalse();
        nanos += 100 * SECOND;
        feed(decoder, "request=smtpd_access_policy\n");
        assertThat(decoder.requestDeadline()).as("the next request's own first byte").isEqualTo(nanos + 10 * SECOND);
    }

    @Test
    void aPipelinedRequestsDeadlineRunsFromTheReadThatBroughtIt() throws Exception {
        PolicyRequestDecoder decoder = new PolicyRequestDecoder(PolicyServerLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(10)));
        long readAt = nanos;
        ByteBuffer into = decoder.receiveBuffer();
        byte[] bytes = (REQUEST + "request=smtpd_access_policy\n").getBytes(StandardCharsets.US_ASCII);
        into.put(bytes);
        decoder.received(bytes.length, readAt);

        assertThat(decoder.next()).isNotNull();
        assertThat(decoder.next()).isNull();
        assertThat(decoder.inRequest()).isTrue();
        assertThat(decoder.requestDeadline()).isEqualTo(readAt + 10 * SECOND);
    }

    @Test
    void aRequestWhoseReadingWasPausedGetsItsWholeTimeFromTheResumption() throws Exception {
        PolicyRequestDecoder decoder = new PolicyRequestDecoder(PolicyServerLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(10)));
        feed(decoder, REQUEST + "request=smtpd_access_policy\n");
        decoder.resumed(nanos + 60 * SECOND);

        assertThat(decoder.requestDeadline()).isEqualTo(nanos + 70 * SECOND);
        feed(decoder, "protocol_state=RCPT\nclient_address=192.0.2.1\n\n");
        decoder.resumed(nanos + 100 * SECOND);
        assertThat(decoder.inRequest()).as("between requests a resumption sets no deadline").isFalse();
    }

    @Test
    void aReadOfNothingStartsNoRequest() {
        PolicyRequestDecoder decoder = decoder();
        decoder.receiveBuffer();
        decoder.received(0, nanos);

        assertThat(decoder.inRequest()).isFalse();
    }
    @Test
    void aRequestInAnotherOrderThanTheOneBeforeIsDecodedTheSame() throws Exception {
        PolicyRequestDecoder decoder = decoder();
        String usual = "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\n"
                + "sender=a@example.org\nrecipient=b@example.test\nsize=10\n\n";
        // The same names shuffled, one unknown among them, a name that is a prefix of another: the guess from the
        // request before is wrong on every line.
        String shuffled = "size=20\nx_new=1\nrecipient=c@example.test\nclient_address=192.0.2.2\n"
                + "request=smtpd_access_policy\nsender=d@example.org\nprotocol_state=MAIL\nrecipient_count=3\n\n";

        List<PolicyRequest> requests = feed(decoder, usual + shuffled + usual);

        assertThat(requests).hasSize(3);
        assertThat(requests.get(1).attributes()).containsEntry("size", "20").containsEntry("x_new", "1")
                .containsEntry("recipient", "c@example.test").containsEntry("client_address", "192.0.2.2")
                .containsEntry("sender", "d@example.org").containsEntry("protocol_state", "MAIL")
                .containsEntry("recipient_count", "3").hasSize(8);
        assertThat(requests.get(2).attributes()).isEqualTo(requests.get(0).attributes()).containsEntry("size", "10");
    }

    @Test
    void aNameThatIsAPrefixOfTheGuessedOneIsNotTakenForIt() throws Exception {
        PolicyRequestDecoder decoder = decoder();
        String longer = "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\nsender=a@example.org\nrecipient_count=3\n\n";
        String shorter = "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\nsender=a@example.org\nrecipient=b@example.test\n\n";

        List<PolicyRequest> requests = feed(decoder, longer + shorter + longer);

        assertThat(requests.get(1).attributes()).containsEntry("recipient", "b@example.test").doesNotContainKey("recipient_count");
        assertThat(requests.get(2).attributes()).containsEntry("recipient_count", "3").doesNotContainKey("recipient");
    }

    @Test
    void theEightBytesAtATimeSearchFindsWhatAByteAtATimeSearchFinds() {
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            // Few distinct values, high bytes among them, so that matches, near misses and borrows all occur.
            byte[] alphabet = {'\n', '=', 'a', 0, (byte) 0x80, (byte) 0x8a, (byte) 0xff, 0x0b, 0x09};
            for (int i = 0; i < bytes.length; i++) bytes[i] = alphabet[random.nextInt(alphabet.length)];
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int to = from + random.nextInt(bytes.length - from + 1);
            for (byte wanted : new byte[] {'\n', '=', 0, (byte) 0xff}) {
                int expected = -1;
                for (int i = from; i < to; i++) {
                    if (bytes[i] == wanted) {
                        expected = i;
                        break;
                    }
                }
                assertThat(PolicyRequestDecoder.indexOf(bytes, from, to, wanted)).as("round %d", round).isEqualTo(expected);
            }
        }
    }
}
