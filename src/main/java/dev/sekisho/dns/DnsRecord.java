package dev.sekisho.dns;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One resource record's data, already decoded. Host names are written without the final dot and
 * keep the case the server sent (DNS names compare case-insensitively, RFC 4343).
 */
public sealed interface DnsRecord {

    /** An A or AAAA record. */
    record Address(InetAddress address) implements DnsRecord {
    }

    record Mx(int preference, String exchange) implements DnsRecord {
    }

    /**
     * A TXT (or SPF type 99) record: its character-strings as sent. Bytes that are not UTF-8 are
     * decoded as U+FFFD, so a check for 7-bit ASCII still sees them.
     */
    record Txt(List<String> strings) implements DnsRecord {
        public Txt {
            strings = List.copyOf(strings);
        }

        /** The strings joined without separators, as RFC 7208 3.3 reads a record split into several. */
        public String text() {
            return String.join("", strings);
        }

        static Txt fromBytes(List<byte[]> strings) {
            return new Txt(strings.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
        }
    }

    record Ptr(String target) implements DnsRecord {
    }

    record Cname(String target) implements DnsRecord {
    }

    record Ns(String host) implements DnsRecord {
    }

    record Soa(String primaryServer, String responsibleMailbox, long serial, long minimumTtlSeconds) implements DnsRecord {
    }
}
