package dev.sekisho.reports.aggregate;

import dev.sekisho.reports.ReportFormatException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes the bytes of an XML report into characters. The encoding comes from the byte order mark or the
 * XML declaration (XML 1.0 4.3.3, appendix F); bytes that are not valid in it become U+FFFD instead of
 * failing the report, because one bad byte in a header_from should not cost a reporter's whole report.
 */
final class XmlInput {
    private static final int DECLARATION_PEEK = 512;
    private static final Pattern ENCODING = Pattern.compile("^<\\?xml[^>]*?encoding\\s*=\\s*[\"']([A-Za-z0-9._:-]+)[\"']");

    private XmlInput() {
    }

    static Reader reader(InputStream raw) throws IOException {
        BufferedInputStream in = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw);
        in.mark(DECLARATION_PEEK);
        byte[] head = in.readNBytes(DECLARATION_PEEK);
        in.reset();
        Charset charset;
        int bom = 0;
        if (head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            charset = StandardCharsets.UTF_8;
            bom = 3;
        } else if (head.length >= 2 && (head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
            bom = 2;
        } else if (head.length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
            bom = 2;
        } else {
            charset = declared(new String(head, StandardCharsets.ISO_8859_1).stripLeading());
        }
        in.skipNBytes(bom);
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new InputStreamReader(in, decoder);
    }

    private static Charset declared(String head) throws ReportFormatException {
        Matcher m = ENCODING.matcher(head);
        if (!m.find()) return StandardCharsets.UTF_8; // XML 1.0 4.3.3: without a declaration, UTF-8
        String name = m.group(1);
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new ReportFormatException("unsupported-encoding", "line 1",
                    "the XML declaration names the encoding \"" + name + "\", which this JDK cannot decode");
        }
    }
}
