package dev.sekisho.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Replies counted by their action word (DUNNO, DEFER_IF_PERMIT, 450, ...). A run sees a
 * handful of words, so each is kept once, with its bytes, and a reply's word is found by
 * comparing bytes: counting a reply allocates nothing. access(5) actions are
 * case-insensitive, so "dunno" and "DUNNO" are one word, named in upper case. Not thread safe:
 * the generator's event loop owns one.
 */
final class ActionCounts {

    /** One action word and the measured replies that carried it. */
    static final class Word {
        final String name;
        /** The name's bytes when it is ASCII, for comparing without decoding; null otherwise. */
        private final byte[] asciiName;
        long count;

        private Word(String name, byte[] asciiName) {
            this.name = name;
            this.asciiName = asciiName;
        }
    }

    private Word[] words = new Word[8];
    private int size;

    /** The word held in bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code buffer}, absolute. */
    Word find(ByteBuffer buffer, int from, int to) {
        if (isAscii(buffer, from, to)) {
            for (int i = 0; i < size; i++) {
                if (equalsIgnoringAsciiCase(words[i].asciiName, buffer, from, to)) return words[i];
            }
            byte[] raw = new byte[to - from];
            buffer.get(from, raw);
            String name = new String(raw, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            return add(new Word(name, name.getBytes(StandardCharsets.US_ASCII)));
        }
        // Not ASCII: not an access(5) action, but still counted under its own name, as sent.
        byte[] raw = new byte[to - from];
        buffer.get(from, raw);
        String name = new String(raw, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
        for (int i = 0; i < size; i++) {
            if (words[i].name.equals(name)) return words[i];
        }
        return add(new Word(name, null));
    }

    /** Every word with its count, words that were seen only outside the measured period left out. */
    SortedMap<String, Long> counts() {
        SortedMap<String, Long> counts = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            if (words[i].count > 0) counts.merge(words[i].name, words[i].count, Long::sum);
        }
        return counts;
    }

    private Word add(Word word) {
        if (size == words.length) words = Arrays.copyOf(words, size * 2);
        words[size++] = word;
        return word;
    }

    private static boolean isAscii(ByteBuffer buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer.get(i) < 0) return false;
        }
        return true;
    }

    private static boolean equalsIgnoringAsciiCase(byte[] upperCase, ByteBuffer buffer, int from, int to) {
        if (upperCase == null || upperCase.length != to - from) return false;
        for (int i = 0; i < upperCase.length; i++) {
            int b = buffer.get(from + i);
            if (b >= 'a' && b <= 'z') b -= 'a' - 'A';
            if (b != upperCase[i]) return false;
        }
        return true;
    }
}
