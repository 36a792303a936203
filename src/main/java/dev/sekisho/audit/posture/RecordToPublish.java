package dev.sekisho.audit.posture;

import java.util.Objects;

/**
 * A DNS record the domain owner should publish to fix a finding, e.g. {@code example.com. IN TXT "v=spf1 -all"}.
 *
 * @param name  the owner name, without the final dot
 * @param type  "TXT" or "MX"
 * @param value the record data as it reads in a zone file, TXT without quotes ({@code v=spf1 -all}), MX as {@code 0 .}
 */
public record RecordToPublish(String name, String type, String value) {
    public RecordToPublish {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    public static RecordToPublish txt(String name, String value) {
        return new RecordToPublish(name, "TXT", value);
    }

    /** The record in master-file form (RFC 1035 5.1): {@code example.com. IN TXT "v=spf1 -all"}. */
    public String zoneLine() {
        String data = type.equals("TXT") ? "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : value;
        return name + ". IN " + type + " " + data;
    }

    @Override
    public String toString() {
        return zoneLine();
    }
}
