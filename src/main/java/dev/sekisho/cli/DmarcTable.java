package dev.sekisho.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows with named columns, printed as an aligned table, CSV (RFC 4180) or JSON objects. */
final class DmarcTable {
    enum Format { TABLE, JSON, CSV }

    private final List<String> columns;
    private final List<List<Object>> rows = new ArrayList<>();

    DmarcTable(String... columns) {
        this.columns = List.of(columns);
    }

    DmarcTable row(Object... values) {
        if (values.length != columns.size()) throw new IllegalArgumentException(values.length + " values for " + columns.size() + " columns");
        List<Object> row = new ArrayList<>();
        for (Object v : values) row.add(v);
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Columns padded to their widest cell; numbers right-aligned; an absent value is "-". */
    void printTable(PrintWriter out) {
        int[] widths = new int[columns.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = columns.get(c).length();
            for (List<Object> row : rows) widths[c] = Math.max(widths[c], text(row.get(c), "-", true).length());
        }
        StringBuilder header = new StringBuilder();
        for (int c = 0; c < widths.length; c++) header.append(pad(columns.get(c).toUpperCase(java.util.Locale.ROOT), widths[c], false, c == widths.length - 1));
        out.println(header.toString().stripTrailing());
        for (List<Object> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < widths.length; c++) {
                Object v = row.get(c);
                line.append(pad(text(v, "-", true), widths[c], v instanceof Number, c == widths.length - 1));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    void printCsv(PrintWriter out, boolean header) {
        if (header) out.print(csvLine(new ArrayList<>(columns)));
        for (List<Object> row : rows) out.print(csvLine(row));
    }

    /** The rows as JSON objects keyed by column name; absent values are null. */
    List<Map<String, Object>> objects() {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (List<Object> row : rows) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (int c = 0; c < columns.size(); c++) {
                Object v = row.get(c);
                object.put(columns.get(c), v instanceof Double d ? Math.round(d * 10_000) / 10_000.0 : v);
            }
            objects.add(object);
        }
        return objects;
    }

    static String json(Object value) {
        try {
            return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static String csvLine(List<Object> values) {
        return Csv.line(values.stream().map(v -> text(v, "", false)).toList());
    }

    /** A Double is a share of 0 to 1: a percentage in a table, a fraction with four decimals elsewhere. */
    private static String text(Object value, String absent, boolean table) {
        if (value == null) return absent;
        if (value instanceof Double d) return table ? String.format(java.util.Locale.ROOT, "%.1f%%", d * 100) : String.format(java.util.Locale.ROOT, "%.4f", d);
        return value.toString();
    }

    private static String pad(String text, int width, boolean right, boolean last) {
        String padding = " ".repeat(width - text.length());
        if (right) return padding + text + (last ? "" : "  ");
        return text + (last ? "" : padding + "  ");
    }
}
