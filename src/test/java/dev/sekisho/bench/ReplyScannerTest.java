package dev.sekisho.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ReplyScannerTest {

    private final ActionCounts actions = new ActionCounts();
    private final ReplyScanner scanner = new ReplyScanner(actions, false);

    @Test
    void findsTheActionWordOfEachReply() throws Exception {
        assertThat(reply("action=DUNNO\n\n")).isEqualTo("DUNNO");
        assertThat(reply("action=DEFER_IF_PERMIT Greylisted, see http://postgrey.schweikert.ch/help/example.test.html\n\n"))
                .isEqualTo("DEFER_IF_PERMIT");
        assertThat(reply("action=450 4.7.1 sorry, max 100 requests per hour\n\n")).isEqualTo("450");
        assertThat(reply("action=prepend X-Seen: yes\r\n\r\n")).isEqualTo("PREPEND");
        assertThat(reply("reason=ignored\naction=OK\n\n")).isEqualTo("OK");
        assertThat(reply("action= \tHOLD\t\n\n")).as("stripped").isEqualTo("HOLD");
        assertThat(reply("action=DUNNO\naction=REJECT no\n\n")).as("the last action line wins").isEqualTo("REJECT");
    }

    @Test
    void wordsThatDifferOnlyInCaseAreOneWord() throws Exception {
        ActionCounts.Word upper = scan("action=DUNNO\n\n");
        ActionCounts.Word lower = scan("action=dunno\n\n");
        ActionCounts.Word other = scan("action=Defer_If_Permit x\n\n");
        upper.count += 2;
        other.count++;

        assertThat(lower).isSameAs(upper);
        assertThat(actions.counts()).containsExactly(Map.entry("DEFER_IF_PERMIT", 1L), Map.entry("DUNNO", 2L));
    }

    @Test
    void aReplyMayArriveInAnyPieces() throws Exception {
        String reply = "reason=long\r\naction=DEFER_IF_PERMIT greylisted\r\n\r\n";
        for (int split = 1; split < reply.length(); split++) {
            assertThat(feed(reply.substring(0, split))).as("after %d bytes", split).isNull();
            assertThat(feed(reply.substring(split))).as("split at %d", split).isNotNull()
                    .extracting(word -> word.name).isEqualTo("DEFER_IF_PERMIT");
        }
        for (char c : "action=OK\n".toCharArray()) assertThat(feed(String.valueOf(c))).isNull();
        assertThat(feed("\n").name).isEqualTo("OK");
    }

    @Test
    void longRepliesAreReadThroughTheBufferWhileEachLineFits() throws Exception {
        // Many lines, more than the buffer holds, arriving in pieces: earlier lines are dropped as they are read.
        String attributes = ("x-info=" + "y".repeat(1000) + "\n").repeat(20);
        String reply = attributes + "action=" + "WARN " + "z".repeat(ReplyScanner.MAX_LINE_BYTES - 12) + "\n\n";
        ActionCounts.Word word = null;
        for (int at = 0; at < reply.length(); at += 700) {
            assertThat(word).isNull();
            word = feed(reply.substring(at, Math.min(reply.length(), at + 700)));
        }
        assertThat(word).isNotNull().extracting(w -> w.name).isEqualTo("WARN");
    }

    @Test
    void refusesWhatIsNotOnePolicyReply() {
        assertThatThrownBy(() -> scan("\n")).isInstanceOf(MalformedReplyException.class).hasMessageContaining("without an action");
        scanner.reset();
        assertThatThrownBy(() -> scan("220 mail.example.test ESMTP\n\n")).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("without an action");
        scanner.reset();
        assertThatThrownBy(() -> scan("action=\n\n")).isInstanceOf(MalformedReplyException.class).hasMessageContaining("empty action");
        scanner.reset();
        assertThatThrownBy(() -> scan("action=  \n\n")).isInstanceOf(MalformedReplyException.class).hasMessageContaining("empty action");
        scanner.reset();
        assertThatThrownBy(() -> scan("action=DUNNO\n\naction=DUNNO\n\n")).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("14 bytes after the reply's empty line");
        scanner.reset();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 3; i++) feed("action=" + "x".repeat(2000));
        }).isInstanceOf(MalformedReplyException.class).hasMessageContaining("longer than 4096 bytes");
        scanner.reset();
        assertThatThrownBy(() -> scan("action=" + "x".repeat(5000) + "\n\n")).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("longer than 4096 bytes");
    }

    @Test
    void knowsWhenAReplyHasBegun() throws Exception {
        assertThat(scanner.inReply()).isFalse();
        feed("action=DUN");
        assertThat(scanner.inReply()).isTrue();
        feed("NO\n\n");
        assertThat(scanner.inReply()).isFalse();
    }

    private String reply(String bytes) throws MalformedReplyException {
        return scan(bytes).name;
    }

    /** The whole reply in one piece: it must be complete. */
    private ActionCounts.Word scan(String bytes) throws MalformedReplyException {
        ActionCounts.Word word = feed(bytes);
        assertThat(word).as("a complete reply in '%s'", bytes).isNotNull();
        return word;
    }

    /** As the generator reads: as much as the buffer has room for, then a scan, until all is in or a reply is complete. */
    private ActionCounts.Word feed(String text) throws MalformedReplyException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int at = 0;
        ActionCounts.Word word;
        do {
            int length = Math.min(scanner.buffer().remaining(), bytes.length - at);
            scanner.buffer().put(bytes, at, length);
            at += length;
            word = scanner.scan();
        } while (at < bytes.length && word == null);
        return word;
    }
}
