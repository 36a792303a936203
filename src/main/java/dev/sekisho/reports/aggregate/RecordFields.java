package dev.sekisho.reports.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * The texts of one record as the parser streams through it, kept without building an element tree: a record has about
 * twenty elements and a report may have millions of records.
 *
 * <p>It reads what the tree did: the first row, identifiers and auth_results of the record; the first source_ip,
 * count and policy_evaluated of that row; the first of each leaf in its parent; every reason, auth_results/dkim and
 * auth_results/spf, in order. A leaf's text is all its own text (not its children's), without surrounding white space;
 * an empty one counts as absent. Any other element, and everything inside it, is passed over.
 *
 * <p>One instance serves every record of a parser's reports, {@link #clear() cleared} at each record's start.
 */
final class RecordFields {
    // What an open element is. Leaves hold text; the others hold leaves or other elements.
    static final int IGNORED = 0;
    static final int RECORD = 1;
    static final int ROW = 2;
    static final int SOURCE_IP = 3;
    static final int COUNT = 4;
    static final int POLICY_EVALUATED = 5;
    static final int DISPOSITION = 6;
    static final int EVALUATED_DKIM = 7;
    static final int EVALUATED_SPF = 8;
    static final int REASON = 9;
    static final int REASON_TYPE = 10;
    static final int REASON_COMMENT = 11;
    static final int IDENTIFIERS = 12;
    static final int HEADER_FROM = 13;
    static final int ENVELOPE_FROM = 14;
    static final int ENVELOPE_TO = 15;
    static final int AUTH_RESULTS = 16;
    static final int DKIM = 17;
    static final int DKIM_DOMAIN = 18;
    static final int DKIM_SELECTOR = 19;
    static final int DKIM_RESULT = 20;
    static final int DKIM_HUMAN_RESULT = 21;
    static final int SPF = 22;
    static final int SPF_DOMAIN = 23;
    static final int SPF_SCOPE = 24;
    static final int SPF_RESULT = 25;
    private static final int KINDS = 26;

    private static final long LEAVES = bits(SOURCE_IP, COUNT, DISPOSITION, EVALUATED_DKIM, EVALUATED_SPF, REASON_TYPE, REASON_COMMENT,
            HEADER_FROM, ENVELOPE_FROM, ENVELOPE_TO, DKIM_DOMAIN, DKIM_SELECTOR, DKIM_RESULT, DKIM_HUMAN_RESULT, SPF_DOMAIN, SPF_SCOPE, SPF_RESULT);
    /** The elements a parent may hold any number of; of every other kind only the first counts. */
    private static final long REPEATED = bits(REASON, DKIM, SPF);
    private static final long REASON_LEAVES = bits(REASON_TYPE, REASON_COMMENT);
    private static final long DKIM_LEAVES = bits(DKIM_DOMAIN, DKIM_SELECTOR, DKIM_RESULT, DKIM_HUMAN_RESULT);
    private static final long SPF_LEAVES = bits(SPF_DOMAIN, SPF_SCOPE, SPF_RESULT);

    /** The kinds already met in their parent (a later one of the same name is passed over). */
    private long seen;
    /** Each leaf's text, stripped, or null while absent or empty. */
    private final String[] values = new String[KINDS];
    /** The open leaf's text so far: only one leaf is open at a time, since a leaf's children are passed over. */
    private char[] text = new char[INITIAL_TEXT_CHARS];
    private int textLength;
    private static final int INITIAL_TEXT_CHARS = 64;
    /**
     * The most of {@link #text} kept from one report to the next. One leaf may hold up to the parser's bound on an
     * element's text (a million characters, 2 MiB), and the buffer lives as long as the parser, which reads a whole
     * corpus or mailbox: without this one hostile leaf would keep it that size for every report after it. Real leaves
     * are a few dozen characters, so a buffer this small is never given back and regrown.
     */
    static final int KEPT_TEXT_CHARS = 4096;
    /**
     * Leaf texts read recently, each in the slot of its characters' hash (a later text of the same hash takes the slot).
     * Neighbouring records mostly repeat their words (the header_from, the result words, an ESP's domains), so a leaf
     * usually finds its text here instead of making a new String: a fifth of all the import allocated was these texts,
     * and handing on the same instance lets the words after it (the store's word numbers) find it by identity, with its
     * hash already computed. Bounded: {@value #REMEMBERED_TEXTS} texts of at most {@value #REMEMBERED_CHARS} characters.
     */
    private final String[] recent = new String[REMEMBERED_TEXTS];
    static final int REMEMBERED_TEXTS = 1024;
    static final int REMEMBERED_CHARS = 64;
    /** Each reason as {type, comment}, each dkim as {domain, selector, result, human_result}, each spf as {domain, scope, result}. */
    final List<String[]> reasons = new ArrayList<>();
    final List<String[]> dkim = new ArrayList<>();
    final List<String[]> spf = new ArrayList<>();

    void clear() {
        seen = bits(RECORD);
        java.util.Arrays.fill(values, null);
        reasons.clear();
        dkim.clear();
        spf.clear();
    }

    /** A report ends, whole or not: a buffer a long leaf grew is given back, not kept for the reports after it. */
    void endReport() {
        if (text.length > KEPT_TEXT_CHARS) text = new char[INITIAL_TEXT_CHARS];
        textLength = 0;
    }

    /** How many characters of leaf text are held without growing (for tests: what a report leaves behind). */
    int textCapacity() {
        return text.length;
    }

    /** Whether an element of this kind was met (present, whatever it holds). */
    boolean has(int kind) {
        return (seen & 1L << kind) != 0;
    }

    /** The leaf's text, or null when it was absent or empty. */
    String value(int kind) {
        return values[kind];
    }

    static boolean isLeaf(int kind) {
        return (LEAVES & 1L << kind) != 0;
    }

    /** An element named {@code name} starts inside an element of kind {@code parent}: returns its kind. */
    int enter(int parent, String name) {
        int kind = switch (parent) {
            case RECORD -> switch (name) {
                case "row" -> ROW;
                case "identifiers" -> IDENTIFIERS;
                case "auth_results" -> AUTH_RESULTS;
                default -> IGNORED;
            };
            case ROW -> switch (name) {
                case "source_ip" -> SOURCE_IP;
                case "count" -> COUNT;
                case "policy_evaluated" -> POLICY_EVALUATED;
                default -> IGNORED;
            };
            case POLICY_EVALUATED -> switch (name) {
                case "disposition" -> DISPOSITION;
                case "dkim" -> EVALUATED_DKIM;
                case "spf" -> EVALUATED_SPF;
                case "reason" -> REASON;
                default -> IGNORED;
            };
            case REASON -> switch (name) {
                case "type" -> REASON_TYPE;
                case "comment" -> REASON_COMMENT;
                default -> IGNORED;
            };
            case IDENTIFIERS -> switch (name) {
                case "header_from" -> HEADER_FROM;
                case "envelope_from" -> ENVELOPE_FROM;
                case "envelope_to" -> ENVELOPE_TO;
                default -> IGNORED;
            };
            case AUTH_RESULTS -> switch (name) {
                case "dkim" -> DKIM;
                case "spf" -> SPF;
                default -> IGNORED;
            };
            case DKIM -> switch (name) {
                case "domain" -> DKIM_DOMAIN;
                case "selector" -> DKIM_SELECTOR;
                case "result" -> DKIM_RESULT;
                case "human_result" -> DKIM_HUMAN_RESULT;
                default -> IGNORED;
            };
            case SPF -> switch (name) {
                case "domain" -> SPF_DOMAIN;
                case "scope" -> SPF_SCOPE;
                case "result" -> SPF_RESULT;
                default -> IGNORED;
            };
            default -> IGNORED;
        };
        if (kind == IGNORED) return IGNORED;
        long bit = 1L << kind;
        if ((REPEATED & bit) != 0) {
            // A new reason, dkim or spf: its leaves start over.
            long leaves = kind == REASON ? REASON_LEAVES : kind == DKIM ? DKIM_LEAVES : SPF_LEAVES;
            seen &= ~leaves;
            for (int k = kind + 1; (leaves & 1L << k) != 0; k++) values[k] = null;
            return kind;
        }
        if ((seen & bit) != 0) return IGNORED; // only the first of its name counts
        seen |= bit;
        textLength = 0;
        return kind;
    }

    /** Text inside the open leaf. */
    void append(char[] characters, int start, int length) {
        if (textLength + length > text.length) text = java.util.Arrays.copyOf(text, Math.max(text.length * 2, textLength + length));
        System.arraycopy(characters, start, text, textLength, length);
        textLength += length;
    }

    /** The element of this kind ends. */
    void leave(int kind) {
        if (isLeaf(kind)) {
            values[kind] = stripped();
        } else if (kind == REASON) {
            reasons.add(new String[]{values[REASON_TYPE], values[REASON_COMMENT]});
        } else if (kind == DKIM) {
            dkim.add(new String[]{values[DKIM_DOMAIN], values[DKIM_SELECTOR], values[DKIM_RESULT], values[DKIM_HUMAN_RESULT]});
        } else if (kind == SPF) {
            spf.add(new String[]{values[SPF_DOMAIN], values[SPF_SCOPE], values[SPF_RESULT]});
        }
    }

    /** The open leaf's text without surrounding white space (as String.strip: no surrogate is white space), or null when empty. */
    private String stripped() {
        int start = 0;
        int end = textLength;
        while (start < end && Character.isWhitespace(text[start])) start++;
        while (end > start && Character.isWhitespace(text[end - 1])) end--;
        int length = end - start;
        if (length == 0) return null;
        if (length > REMEMBERED_CHARS) return new String(text, start, length);
        int hash = 0;
        for (int i = start; i < end; i++) hash = 31 * hash + text[i];
        int slot = slot(hash);
        String known = recent[slot];
        if (known != null && known.length() == length) {
            int i = 0;
            while (i < length && known.charAt(i) == text[start + i]) i++;
            if (i == length) return known;
        }
        String read = new String(text, start, length);
        recent[slot] = read;
        return read;
    }

    /** The remembered slot of a text whose String hash is {@code hash} (for tests: which texts share a slot). */
    static int slot(int hash) {
        return (hash ^ hash >>> 16) & (REMEMBERED_TEXTS - 1);
    }

    private static long bits(int... kinds) {
        long bits = 0;
        for (int kind : kinds) bits |= 1L << kind;
        return bits;
    }
}
