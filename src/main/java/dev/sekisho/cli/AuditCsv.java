package dev.sekisho.cli;

import java.io.PrintWriter;
import java.util.List;

/** CSV rows as RFC 4180 writes them: fields with commas, quotes or line breaks quoted, quotes doubled, CRLF line ends. */
final class AuditCsv {
    private AuditCsv() {
    }

    static void row(PrintWriter out, List<String> fields) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) line.append(',');
            line.append(field(fields.get(i)));
        }
        out.print(line.append("\r\n"));
    }

    static String field(String value) {
        String v = value == null ? "" : value;
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
        return "\"" + v.replace("\"", "\"\"") + "\"";
    }
}
