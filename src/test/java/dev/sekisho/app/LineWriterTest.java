package dev.sekisho.app;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class LineWriterTest {

    /** Counts writes, so the test can see lines being batched. */
    private static final class CountingStream extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int writes;

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes++;
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyLineFromManyThreadsArrivesWholeAndStamped() throws Exception {
        CountingStream out = new CountingStream();
        LineWriter writer = new LineWriter(out, () -> Instant.parse("2026-11-22T10:00:00Z"));
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 5000; i++) writer.submit(writer.start("sekisho.verdict").append("thread=").append(id).append(" line=").append(i));
            }));
        }
        for (Thread thread : threads) thread.join();
        writer.close();

        String[] lines = out.text().split("\n");
        assertThat(lines).hasSize(40_000);
        assertThat(lines).allSatisfy(line -> assertThat(line).matches("2026-11-22T10:00:00.000Z INFO  sekisho.verdict thread=\\d line=\\d+"));
        assertThat(out.text()).contains("thread=7 line=4999\n");
        assertThat(out.writes).as("lines share writes").isLessThan(40_000);
    }

    @Test
    void linesFromOneThreadStartAfreshAndNonAsciiTextIsUtf8() throws Exception {
        CountingStream out = new CountingStream();
        LineWriter writer = new LineWriter(out, () -> Instant.parse("2026-11-22T10:00:00Z"));
        writer.submit(writer.start("sekisho.verdict").append("sender=<").append("x".repeat(40_000)).append('>'));
        writer.submit(writer.start("sekisho.verdict").append("sender=<ユーザー@例え.jp>"));
        writer.submit(writer.start("sekisho.verdict").append("short"));
        writer.close();

        String[] lines = out.text().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).hasSize("2026-11-22T10:00:00.000Z INFO  sekisho.verdict sender=<>".length() + 40_000);
        assertThat(lines[1]).isEqualTo("2026-11-22T10:00:00.000Z INFO  sekisho.verdict sender=<ユーザー@例え.jp>");
        assertThat(lines[2]).isEqualTo("2026-11-22T10:00:00.000Z INFO  sekisho.verdict short");
    }

    @Test
    void everyLineIsStampedWithItsMillisecondInUtc() throws Exception {
        CountingStream out = new CountingStream();
        AtomicReference<Instant> now = new AtomicReference<>();
        LineWriter writer = new LineWriter(out, now::get);
        // a whole second keeps its ".000"; the next millisecond of the same second, another second, and a day's end
        for (String at : List.of("2026-12-04T07:45:18Z", "2026-12-04T07:45:18.007Z", "2026-12-04T07:45:18.070Z",
                "2026-12-04T07:45:19.999Z", "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00.001Z")) {
            now.set(Instant.parse(at));
            writer.submit(writer.start("sekisho.verdict").append("x"));
        }
        writer.close();

        assertThat(out.text().lines().map(line -> line.substring(0, line.indexOf(' ')))).containsExactly(
                "2026-12-04T07:45:18.000Z", "2026-12-04T07:45:18.007Z", "2026-12-04T07:45:18.070Z",
                "2026-12-04T07:45:19.999Z", "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00.001Z");
    }

    @Test
    void aThreadThatHandsOffHoldsItsLinesUntilItsNextHandOff() throws Exception {
        CountingStream out = new CountingStream();
        LineWriter writer = new LineWriter(out, () -> Instant.parse("2026-11-22T10:00:00Z"));
        writer.handOff(); // this thread works in rounds from now on
        writer.submit(writer.start("sekisho.verdict").append("held 1"));
        writer.submit(writer.start("sekisho.verdict").append("held 2"));
        Thread other = Thread.ofPlatform().start(() -> writer.submit(writer.start("sekisho.verdict").append("not held")));
        other.join();
        writer.handOff();
        writer.close();

        assertThat(out.text().lines().map(line -> line.substring(line.lastIndexOf("verdict ") + 8)))
                .as("the other thread's line went ahead of the held ones").containsExactly("not held", "held 1", "held 2");
    }

    @Test
    void heldLinesGoAheadOfTheRestWhenTheyFillTheBufferOrALineIsTooLongToHold() throws Exception {
        CountingStream out = new CountingStream();
        LineWriter writer = new LineWriter(out, () -> Instant.parse("2026-11-22T10:00:00Z"));
        writer.handOff();
        String body = "y".repeat(1000);
        for (int i = 0; i < 300; i++) writer.submit(writer.start("sekisho.verdict").append(i).append(' ').append(body));
        writer.submit(writer.start("sekisho.verdict").append("long ").append("z".repeat(100_000)));
        writer.submit(writer.start("sekisho.verdict").append("last"));
        writer.handOff();
        writer.close();

        List<String> lines = out.text().lines().toList();
        assertThat(lines).hasSize(302);
        for (int i = 0; i < 300; i++) assertThat(lines.get(i)).endsWith("verdict " + i + " " + body);
        assertThat(lines.get(300)).endsWith("verdict long " + "z".repeat(100_000));
        assertThat(lines.get(301)).endsWith("verdict last");
    }

    @Test
    void aLoneLineIsWrittenWithoutWaitingForMore() throws Exception {
        CountingStream out = new CountingStream();
        try (LineWriter writer = new LineWriter(out, () -> Instant.EPOCH)) {
            writer.submit(writer.start("sekisho.verdict").append("only one"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!out.text().contains("only one") && System.nanoTime() < deadline) Thread.yield();
            assertThat(out.text()).isEqualTo("1970-01-01T00:00:00.000Z INFO  sekisho.verdict only one\n");
        }
    }
}
