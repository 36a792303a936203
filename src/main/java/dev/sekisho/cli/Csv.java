package dev.sekisho.cli;

import java.io.PrintWriter;
import java.util.List;

/** CSV rows as RFC 4180 writes them: fields with commas, quotes or line breaks quoted, quotes doubled, CRLF line ends. */
final class Csv {
    private Csv() {
    }

    static void row(PrintWriter out, List<String> fields) {
        out.print(line(fields));
    }

    /** One row with its CRLF. */
    static String line(List<String> fields) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) line.append(',');
            line.append(field(fields.get(i)));
        }
        return line.append("\r\n").toString();
    }

    /** RFC 4180 2.6-2.7: a field holding a comma, quote or line break is quoted, its quotes doubled; null is empty. */
    static String field(String value) {
        String v = value == null ? "" : value;
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
        return "\"" + v.replace("\"", "\"\"") + "\"";
    }
}
