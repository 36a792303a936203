package dev.sekisho.audit;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890), bundled in
 * {@code src/main/resources/audit/} (see IANA_NOTICE.txt there): which blocks are private, loopback,
 * documentation, reserved and so on, and whether addresses in them are globally reachable.
 */
public final class SpecialPurposeAddresses {

    /** One registry entry: the block, its name ("Private-Use"), where it is defined, and RFC 6890's "Globally Reachable". */
    public record Block(String cidr, String name, String rfc, boolean globallyReachable) {
        /** "Private-Use (RFC1918)". */
        public String describe() {
            return name + " (" + rfc + ")";
        }
    }

    private record Entry(IPAddress block, Block description) {
    }

    private static final SpecialPurposeAddresses BUNDLED = new SpecialPurposeAddresses(
            load("/audit/iana-ipv4-special-registry.csv"), load("/audit/iana-ipv6-special-registry.csv"));

    private final List<Entry> entries;

    private SpecialPurposeAddresses(List<Entry> v4, List<Entry> v6) {
        List<Entry> all = new ArrayList<>(v4);
        all.addAll(v6);
        // The most specific block decides (192.0.0.9/32 is reachable although 192.0.0.0/24 is not).
        all.sort(Comparator.comparingInt((Entry e) -> e.block().getNetworkPrefixLength()).reversed());
        this.entries = List.copyOf(all);
    }

    public static SpecialPurposeAddresses bundled() {
        return BUNDLED;
    }

    /** The most specific registry block holding the address, if any. */
    public Optional<Block> find(InetAddress address) {
        IPAddress ip = new IPAddressString(address.getHostAddress()).getAddress();
        for (Entry e : entries) {
            if (e.block().getIPVersion() == ip.getIPVersion() && e.block().contains(ip)) return Optional.of(e.description());
        }
        return Optional.empty();
    }

    /** The block when the address is in one that RFC 6890 marks not globally reachable (private, loopback, documentation, ...). */
    public Optional<Block> unreachable(InetAddress address) {
        return find(address).filter(b -> !b.globallyReachable());
    }

    private static List<Entry> load(String resource) {
        try (InputStream in = SpecialPurposeAddresses.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            List<List<String>> rows = csv(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            List<String> header = rows.getFirst();
            int blockColumn = header.indexOf("Address Block");
            int nameColumn = header.indexOf("Name");
            int rfcColumn = header.indexOf("RFC");
            int reachableColumn = header.indexOf("Globally Reachable");
            if (blockColumn < 0 || nameColumn < 0 || rfcColumn < 0 || reachableColumn < 0) {
                throw new IllegalStateException(resource + ": header lacks Address Block, Name, RFC or Globally Reachable: " + header);
            }
            List<Entry> entries = new ArrayList<>();
            for (List<String> row : rows.subList(1, rows.size())) {
                if (row.size() <= reachableColumn) continue;
                String reachable = row.get(reachableColumn).trim().toLowerCase(Locale.ROOT);
                // Deprecated entries leave the column empty; "N/A" entries (6to4, Teredo) depend on the embedded address.
                if (!reachable.startsWith("true") && !reachable.startsWith("false")) continue;
                String name = row.get(nameColumn).replace("\"", "").trim();
                String rfc = row.get(rfcColumn).replaceAll("\\s+", " ").trim();
                for (String cidr : row.get(blockColumn).split(",")) {
                    String clean = cidr.replaceAll("\\[\\d+]", "").trim(); // footnote markers such as "192.0.0.0/24 [2]"
                    IPAddress block = new IPAddressString(clean).getAddress();
                    if (block == null) throw new IllegalStateException(resource + ": not an address block: " + cidr);
                    entries.add(new Entry(block.toPrefixBlock(), new Block(clean, name, rfc, reachable.startsWith("true"))));
                }
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
    static List<List<String>> csv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                row.add(field.toString());
                field.setLength(0);
                if (!(row.size() == 1 && row.getFirst().isEmpty())) rows.add(row);
                row = new ArrayList<>();
            } else {
                field.append(c);
            }
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
