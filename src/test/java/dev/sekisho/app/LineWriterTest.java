package dev.sekisho.app;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
        assertThat(lines).allSatisfy(line -> assertThat(line).matches("2026-11-22T10:00:00Z INFO  sekisho.verdict thread=\\d line=\\d+"));
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
        assertThat(lines[0]).hasSize("2026-11-22T10:00:00Z INFO  sekisho.verdict sender=<>".length() + 40_000);
        assertThat(lines[1]).isEqualTo("2026-11-22T10:00:00Z INFO  sekisho.verdict sender=<ユーザー@例え.jp>");
        assertThat(lines[2]).isEqualTo("2026-11-22T10:00:00Z INFO  sekisho.verdict short");
    }

    @Test
    void aLoneLineIsWrittenWithoutWaitingForMore() throws Exception {
        CountingStream out = new CountingStream();
        try (LineWriter writer = new LineWriter(out, () -> Instant.EPOCH)) {
            writer.submit(writer.start("sekisho.verdict").append("only one"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!out.text().contains("only one") && System.nanoTime() < deadline) Thread.yield();
            assertThat(out.text()).isEqualTo("1970-01-01T00:00:00Z INFO  sekisho.verdict only one\n");
        }
    }
}
