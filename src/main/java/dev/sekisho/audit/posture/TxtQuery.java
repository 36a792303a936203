package dev.sekisho.audit.posture;

import dev.sekisho.dns.DnsOutcome;
import dev.sekisho.dns.DnsRecord;
import dev.sekisho.dns.DnsResolver;
import dev.sekisho.dns.RecordType;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The TXT records at one name, or why there are none, with the temporary failures kept apart. */
sealed interface TxtQuery {

    /** The records (possibly none) whose joined text starts with {@code prefix} (case-insensitive), as RFC 7208 4.5 and RFC 8461 3.1 select them. */
    default List<DnsRecord.Txt> startingWith(String prefix) {
        if (!(this instanceof Records r)) return List.of();
        return r.records().stream().filter(t -> startsWith(t.text(), prefix)).toList();
    }

    /** Records found. */
    record Records(String name, List<DnsRecord.Txt> records) implements TxtQuery {
        /**
         * The size of the DNS answer carrying them in octets: header, question and one resource record per
         * TXT record with a compressed owner name (RFC 1035 4.1); RFC 7208 3.4 asks that it fit in 512.
         */
        int answerOctets() {
            int nameOctets = 1;
            for (String label : name.split("\\.")) nameOctets += 1 + label.getBytes(StandardCharsets.UTF_8).length;
            int size = 12 + nameOctets + 4;
            for (DnsRecord.Txt txt : records) {
                size += 2 + 10;
                for (String s : txt.strings()) size += 1 + s.getBytes(StandardCharsets.UTF_8).length;
            }
            return size;
        }
    }

    /** NODATA or NXDOMAIN: nothing published. */
    record Nothing(String name, boolean nameExists) implements TxtQuery {
    }

    /** A timeout or server failure; {@code reason} reads "timeout at NAME TXT after 2000 ms". */
    record Failed(String name, String reason) implements TxtQuery {
    }

    static TxtQuery ask(DnsResolver resolver, String name) {
        DnsOutcome outcome = resolver.lookup(name, RecordType.TXT);
        return switch (outcome) {
            case DnsOutcome.Answer a -> new Records(name, a.records(DnsRecord.Txt.class));
            case DnsOutcome.NoData n -> new Nothing(name, true);
            case DnsOutcome.NoSuchDomain n -> new Nothing(name, false);
            default -> new Failed(name, failure(outcome));
        };
    }

    /** "timeout at NAME TYPE after N ms", "server failure at NAME TYPE: SERVFAIL from ...". */
    static String failure(DnsOutcome outcome) {
        return switch (outcome) {
            case DnsOutcome.Timeout t -> "timeout at " + t.name() + " " + t.type() + " after " + t.waited().toMillis() + " ms";
            case DnsOutcome.ServerFailure f -> "server failure at " + f.name() + " " + f.type() + ": " + f.reason();
            default -> "unexpected answer at " + outcome.name() + " " + outcome.type();
        };
    }

    static boolean startsWith(String text, String prefix) {
        if (!text.regionMatches(true, 0, prefix, 0, prefix.length())) return false;
        return text.length() == prefix.length() || text.charAt(prefix.length()) == ' ' || text.charAt(prefix.length()) == ';';
    }
}
