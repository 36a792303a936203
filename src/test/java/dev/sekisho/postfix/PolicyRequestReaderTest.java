package dev.sekisho.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sekisho.engine.Stage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PolicyRequestReaderTest {

    private static final String REQUEST = PolicyRequestTest.minimal("RCPT", "192.0.2.1") + "\n";

    /** Moved by the test stream, never by the wall clock. */
    private long nanos = 1_000_000_000L;
    /** The deadlines the reader announced, as the time left when it did ("none" when it stopped waiting). */
    private final List<String> armedDeadlines = new ArrayList<>();

    private PolicyRequestReader reader(InputStream in, PolicyServerLimits limits) {
        return new PolicyRequestReader(in, limits, deadline -> armedDeadlines.add(
                deadline == PolicyRequestReader.NONE ? "none" : TimeUnit.NANOSECONDS.toMillis(deadline - nanos) + "ms"), () -> nanos);
    }

    private PolicyRequestReader reader(String text) {
        return reader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), PolicyServerLimits.DEFAULTS);
    }

    @Test
    void readsRequestsOneAfterAnotherThenEndOfStream() throws Exception {
        PolicyRequestReader reader = reader(REQUEST + REQUEST.replace("RCPT", "MAIL"));

        assertThat(reader.read().stage()).isEqualTo(Stage.RCPT);
        assertThat(reader.read().stage()).isEqualTo(Stage.MAIL);
        assertThat(reader.read()).isNull();
        // waiting for the first request; both arrived in one read, so none while deciding; waiting for the third
        assertThat(armedDeadlines).containsExactly("330000ms", "none", "330000ms");
    }

    @Test
    void eachRequestKeepsItsOwnValuesWhileTheConnectionReadsTheNextAndTheyAreDecodedAsUtf8() throws Exception {
        String first = REQUEST.replace("\n\n", "\nsender=früh@example.org\nhelo_name=first.example\n\n");
        String second = REQUEST.replace("RCPT", "MAIL").replace("\n\n", "\nsender=spät@example.org\n\n");
        PolicyRequestReader reader = reader(first + second);

        PolicyRequest one = reader.read();
        PolicyRequest two = reader.read();

        // The reader reuses its builder: the first request must not see the second's values.
        assertThat(one.sender()).isEqualTo("früh@example.org");
        assertThat(one.attribute(PolicyRequest.HELO_NAME)).isEqualTo("first.example");
        assertThat(two.sender()).isEqualTo("spät@example.org");
        assertThat(two.attribute(PolicyRequest.HELO_NAME)).as("not sent in the second request").isEmpty();
        assertThat(two.attributes()).doesNotContainKey(PolicyRequest.HELO_NAME);
        assertThat(one.attributes()).containsEntry(PolicyRequest.SENDER, "früh@example.org").hasSize(two.attributes().size() + 1);
    }

    @Test
    void requestsSplitAcrossManySmallReadsAreReassembled() throws Exception {
        PolicyRequestReader reader = reader(new OneByteAtATime(PolicyRequestTest.postfix37Rcpt(), 0), PolicyServerLimits.DEFAULTS);

        PolicyRequest request = reader.read();

        assertThat(request.recipient()).isEqualTo("greylist01@example.test");
        assertThat(reader.read()).isNull();
    }

    @Test
    void linesLongerThanTheBufferAreStillReadUpToTheLimit() throws Exception {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(20_000, 64 * 1024, 256);
        String longValue = "v".repeat(19_000);
        PolicyRequestReader reader = reader(new OneByteAtATime(PolicyRequestTest.minimal("RCPT", "192.0.2.1")
                + "ccert_subject=" + longValue + "\n\n", 0).chunked(3000), limits);

        assertThat(reader.read().attribute("ccert_subject")).isEqualTo(longValue);
    }

    @Test
    void endOfStreamInsideARequestIsAnError() {
        assertThatThrownBy(() -> reader(PolicyRequestTest.minimal("RCPT", "192.0.2.1")).read())
                .isInstanceOf(PolicyProtocolException.class)
                .hasMessage("connection closed in the middle of a request");
        assertThatThrownBy(() -> reader("request=smtpd_acc").read())
                .hasMessage("connection closed in the middle of a request");
    }

    @Test
    void emptyLineWithoutAttributesIsAnError() {
        assertThatThrownBy(() -> reader("\n").read()).hasMessageStartingWith("empty request");
    }

    @Test
    void lineLongerThanTheLimitIsAnError() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(100, 1000, 10);
        String request = PolicyRequestTest.minimal("RCPT", "192.0.2.1") + "sender=" + "a".repeat(100) + "\n\n";

        assertThatThrownBy(() -> reader(bytes(request), limits).read())
                .isInstanceOf(PolicyProtocolException.class)
                .hasMessage("attribute line longer than 100 bytes");
    }

    @Test
    void lineOfExactlyTheLimitWithCrLfIsAccepted() throws Exception {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(100, 1000, 10);
        String sender = "sender=" + "a".repeat(93); // 100 bytes
        String request = (PolicyRequestTest.minimal("RCPT", "192.0.2.1") + sender + "\n\n").replace("\n", "\r\n");

        assertThat(reader(bytes(request), limits).read().sender()).hasSize(93);
    }

    @Test
    void endlessLineWithoutLineFeedIsCutOffAtTheLimit() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(4096, 64 * 1024, 256);
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };

        assertThatThrownBy(() -> reader(endless, limits).read()).hasMessage("attribute line longer than 4096 bytes");
    }

    @Test
    void requestLargerThanTheLimitIsAnError() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(100, 300, 1000);
        StringBuilder request = new StringBuilder(PolicyRequestTest.minimal("RCPT", "192.0.2.1"));
        for (int i = 0; i < 20; i++) request.append("x").append(i).append("=0123456789\n");

        assertThatThrownBy(() -> reader(bytes(request + "\n"), limits).read()).hasMessage("request larger than 300 bytes");
    }

    @Test
    void tooManyAttributesIsAnError() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withSizes(100, 64 * 1024, 5);
        String request = PolicyRequestTest.minimal("RCPT", "192.0.2.1") + "a=1\nb=2\nc=3\n\n";

        assertThatThrownBy(() -> reader(bytes(request), limits).read()).hasMessage("more than 5 attributes");
    }

    @Test
    void aRequestHasOneDeadlineAcrossAllReads() throws Exception {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(10));
        // every read returns one byte and takes 1 s: a per-read timeout would never fire
        OneByteAtATime trickle = new OneByteAtATime(PolicyRequestTest.postfix37Rcpt(), TimeUnit.SECONDS.toNanos(1));
        PolicyRequestReader reader = reader(trickle, limits);

        assertThatThrownBy(reader::read)
                .isInstanceOf(PolicyProtocolException.class)
                .hasMessage("request not complete within 10000 ms");
        assertThat(trickle.reads).isEqualTo(11);
        // the idle timeout while waiting for the first byte; from its arrival on, one deadline for all reads
        assertThat(armedDeadlines).containsExactly("330000ms", "10000ms");
    }

    @Test
    void idleTimeoutBetweenRequestsIsASocketTimeout() throws Exception {
        PolicyRequestReader reader = reader(new TimesOutAfter(REQUEST), PolicyServerLimits.DEFAULTS);

        assertThat(reader.read()).isNotNull();
        assertThatThrownBy(reader::read).isExactlyInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void socketTimeoutInsideARequestIsARequestTimeout() {
        PolicyRequestReader reader = reader(new TimesOutAfter("request=smtpd_access_policy\n"), PolicyServerLimits.DEFAULTS);

        assertThatThrownBy(reader::read)
                .isInstanceOf(PolicyProtocolException.class)
                .hasMessage("request not complete within 10000 ms");
    }

    @Test
    void aReadCutOffAfterTheRequestDeadlineIsARequestTimeout() {
        PolicyServerLimits limits = PolicyServerLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(10));
        // the socket's owner closes the connection once the deadline has passed
        PolicyRequestReader reader = reader(new ClosedAfter("request=smtpd_access_policy\n", TimeUnit.SECONDS.toNanos(11)), limits);

        assertThatThrownBy(reader::read)
                .isInstanceOf(PolicyProtocolException.class)
                .hasMessage("request not complete within 10000 ms");
    }

    @Test
    void aReadCutOffAfterTheIdleDeadlineIsASocketTimeout() throws Exception {
        PolicyRequestReader reader = reader(new ClosedAfter(REQUEST, TimeUnit.SECONDS.toNanos(331)), PolicyServerLimits.DEFAULTS);

        assertThat(reader.read()).isNotNull();
        assertThatThrownBy(reader::read).isExactlyInstanceOf(SocketTimeoutException.class)
                .hasMessage("no request within 330000 ms");
    }

    @Test
    void aConnectionFailingBeforeAnyDeadlineIsReportedAsItIs() {
        PolicyRequestReader reader = reader(new ClosedAfter("request=smtpd_access_policy\n", TimeUnit.SECONDS.toNanos(1)), PolicyServerLimits.DEFAULTS);

        assertThatThrownBy(reader::read).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hands out a few bytes per read and moves the test clock by a fixed step on every read. */
    private final class OneByteAtATime extends InputStream {
        private final byte[] bytes;
        private final long nanosPerRead;
        private int chunk = 1;
        private int next;
        int reads;

        OneByteAtATime(String text, long nanosPerRead) {
            this.bytes = text.getBytes(StandardCharsets.UTF_8);
            this.nanosPerRead = nanosPerRead;
        }

        OneByteAtATime chunked(int bytesPerRead) {
            this.chunk = bytesPerRead;
            return this;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("the reader reads into its buffer");
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            reads++;
            nanos += nanosPerRead;
            if (next == bytes.length) return -1;
            int count = Math.min(Math.min(chunk, length), bytes.length - next);
            System.arraycopy(bytes, next, into, offset, count);
            next += count;
            return count;
        }
    }

    /** Returns the text, then lets time pass and fails like a socket closed under a blocked read. */
    private final class ClosedAfter extends InputStream {
        private final ByteArrayInputStream text;
        private final long nanosBeforeFailing;

        ClosedAfter(String text, long nanosBeforeFailing) {
            this.text = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
            this.nanosBeforeFailing = nanosBeforeFailing;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("the reader reads into its buffer");
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (text.available() > 0) return text.read(into, offset, length);
            nanos += nanosBeforeFailing;
            throw new SocketException(nanosBeforeFailing > TimeUnit.SECONDS.toNanos(5) ? "Socket closed" : "Connection reset");
        }
    }

    /** Returns the text, then times out like a socket with SO_TIMEOUT. */
    private static final class TimesOutAfter extends InputStream {
        private final ByteArrayInputStream text;

        TimesOutAfter(String text) {
            this.text = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("the reader reads into its buffer");
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (text.available() == 0) throw new SocketTimeoutException("Read timed out");
            return text.read(into, offset, length);
        }
    }
}
