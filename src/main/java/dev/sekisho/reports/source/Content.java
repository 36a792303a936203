package dev.sekisho.reports.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** What an input holds, told by its first bytes only: file names and declared MIME types are not trusted. */
enum Content {
    EMPTY, GZIP, ZIP, XML, JSON, MBOX, MAIL, UNKNOWN;

    private static final int PEEK = 1024;

    static Content sniff(BufferedInputStream in) throws IOException {
        in.mark(PEEK);
        byte[] head = in.readNBytes(PEEK);
        in.reset();
        return of(head);
    }

    static Content of(byte[] head) {
        int n = head.length;
        if (n == 0) return EMPTY;
        // RFC 1952 2.3.1: ID1 = 31, ID2 = 139.
        if (n >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) return GZIP;
        // PKWARE APPNOTE 4.3.7 local file header, 4.3.16 end of central directory (an empty archive).
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))) return ZIP;
        int i = 0;
        if (n >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) i = 3;
        else if (n >= 2 && ((head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF || (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE)) return XML;
        int start = i;
        while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) i++;
        if (i < n && head[i] == '<') return XML;
        if (i < n && (head[i] == '{' || head[i] == '[')) return JSON;
        String text = new String(head, start, n - start, StandardCharsets.ISO_8859_1);
        // The mbox "From " separator line (RFC 4155 appendix A).
        if (text.startsWith("From ")) return MBOX;
        // RFC 5322 2.2: field-name = 1*ftext (printable US-ASCII except ":"), then ":".
        int colon = text.indexOf(':');
        if (colon > 0) {
            boolean name = true;
            for (int c = 0; c < colon; c++) {
                char ch = text.charAt(c);
                if (ch < 33 || ch > 126) {
                    name = false;
                    break;
                }
            }
            if (name) return MAIL;
        }
        return UNKNOWN;
    }
}
