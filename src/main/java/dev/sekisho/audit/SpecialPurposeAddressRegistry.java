package dev.sekisho.audit;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressNetwork.IPAddressGenerator;
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
import java.util.Set;
import java.util.stream.Stream;

/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890), read from the CSV exports bundled
 * in {@code src/main/resources/audit/} (IANA_NOTICE.txt there says where they come from and how to update
 * them), and the classification Zonemaster's ADDRESS01 makes from them: documentation, local use,
 * otherwise not globally reachable, or globally reachable. The most specific row holding an address decides.
 */
public final class SpecialPurposeAddressRegistry {

    /** What an address is fit for, by the most specific registry row that contains it. */
    public enum Category {
        /** In no row, or in a row whose "Globally Reachable" column is True. */
        GLOBALLY_REACHABLE,
        /** Documentation ranges (RFC 5737, RFC 3849, RFC 9637). */
        DOCUMENTATION,
        /** Private-use, loopback, link-local, unique-local and shared address space (Zonemaster's local-use list). */
        LOCAL_USE,
        /** Any other row not registered as globally reachable (reserved, benchmarking, 6to4, deprecated rows...). */
        NOT_GLOBALLY_REACHABLE
    }

    /** One row of a registry: the block, its name and RFC, and the "Globally Reachable" column as written. */
    public record Row(String registry, String block, String name, String rfc, String globallyReachable) {
        /** The row as evidence names it, e.g. {@code 10.0.0.0/8 "Private-Use" [RFC1918] (IANA IPv4 Special-Purpose Address Registry, Globally Reachable: False)}. */
        public String describe() {
            return block + " \"" + name + "\" " + rfc + " (" + registry + ", Globally Reachable: "
                    + (globallyReachable.isEmpty() ? "not given" : globallyReachable) + ")";
        }
    }

    /** The category of an address and the registry row that decided it (empty for an address in no row). */
    public record Classification(InetAddress address, Category category, Optional<Row> row) {
        public boolean globallyReachable() {
            return category == Category.GLOBALLY_REACHABLE;
        }
    }

    // ADDRESS01 step 4.2: the rows Zonemaster counts as "local use", by registry name.
    private static final Set<String> LOCAL_USE_NAMES = Set.of("private-use", "loopback", "loopback address", "link local",
            "link-local unicast", "unique-local", "shared address space");

    private static final SpecialPurposeAddressRegistry BUNDLED = new SpecialPurposeAddressRegistry(Stream.concat(
            read("IANA IPv4 Special-Purpose Address Registry", "/audit/iana-ipv4-special-registry.csv").stream(),
            read("IANA IPv6 Special-Purpose Address Registry", "/audit/iana-ipv6-special-registry.csv").stream()).toList());

    /** A row's block as a prefix block of the IPAddress library, to test containment with. */
    private record Entry(IPAddress block, Row row) {
    }

    private final List<Entry> entries;

    private SpecialPurposeAddressRegistry(List<Entry> entries) {
        // Most specific first: 192.0.0.9/32 is reachable inside 192.0.0.0/24, which is not.
        this.entries = entries.stream().sorted(Comparator.comparingInt((Entry e) -> e.block().getNetworkPrefixLength()).reversed()).toList();
    }

    /** The registries bundled with Sekisho. */
    public static SpecialPurposeAddressRegistry bundled() {
        return BUNDLED;
    }

    /** A registry read from CSV text with the IANA export's header (Address Block, Name, RFC, ..., Globally Reachable, ...). */
    static SpecialPurposeAddressRegistry fromCsv(String registryName, String csv) {
        return new SpecialPurposeAddressRegistry(parse(registryName, csv));
    }

    public Classification classify(InetAddress address) {
        // From the bytes: an IPv6 scope is no part of the address, and no name service is consulted.
        IPAddress ip = new IPAddressGenerator().from(address.getAddress());
        for (Entry entry : entries) {
            if (entry.block().getIPVersion() == ip.getIPVersion() && entry.block().contains(ip)) {
                return new Classification(address, category(entry.row()), Optional.of(entry.row()));
            }
        }
        return new Classification(address, Category.GLOBALLY_REACHABLE, Optional.empty());
    }

    /**
     * A CIDR block written {@code ADDRESS/LENGTH} as the registries write them (an IP literal, never a name
     * to resolve; a bare address is a /32 or /128), as the prefix block that contains every address it
     * covers. IllegalArgumentException, naming the text, for anything else.
     */
    public static IPAddress parseBlock(String cidr) {
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        // Only the two usual notations: no names, no inet_aton forms ("10/8"), wildcards, ranges or zones.
        IPAddress address = host.matches("[0-9A-Fa-f:.]+") && (host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
                ? new IPAddressString(host).getAddress() : null;
        if (address == null) throw new IllegalArgumentException("not a CIDR block: '" + cidr + "'");
        int length;
        try {
            length = slash < 0 ? address.getBitCount() : Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR block: '" + cidr + "'", e);
        }
        if (length < 0 || length > address.getBitCount()) {
            throw new IllegalArgumentException("prefix length " + length + " out of range in " + text);
        }
        return address.toPrefixBlock(length);
    }

    private static Category category(Row row) {
        String name = row.name().toLowerCase(Locale.ROOT);
        if (name.startsWith("documentation")) return Category.DOCUMENTATION;
        if (LOCAL_USE_NAMES.contains(name)) return Category.LOCAL_USE;
        // ADDRESS01 4.3: only a row registered as globally reachable (True, footnotes aside) is; N/A and blank are not.
        if (row.globallyReachable().toLowerCase(Locale.ROOT).startsWith("true")) return Category.GLOBALLY_REACHABLE;
        return Category.NOT_GLOBALLY_REACHABLE;
    }

    // ---- CSV -----------------------------------------------------------------------------------

    private static List<Entry> read(String registryName, String resource) {
        try (InputStream in = SpecialPurposeAddressRegistry.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return parse(registryName, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static List<Entry> parse(String registryName, String csv) {
        List<List<String>> rows = csvRows(csv);
        if (rows.isEmpty()) throw new IllegalArgumentException(registryName + ": empty CSV");
        List<String> header = rows.getFirst();
        int blockColumn = column(registryName, header, "Address Block");
        int nameColumn = column(registryName, header, "Name");
        int rfcColumn = column(registryName, header, "RFC");
        int reachableColumn = column(registryName, header, "Globally Reachable");
        List<Entry> entries = new ArrayList<>();
        for (List<String> fields : rows.subList(1, rows.size())) {
            if (fields.size() <= reachableColumn) continue;
            // The IPv4 registry quotes two names ("This network"); the evidence quotes every name itself.
            String name = fields.get(nameColumn).replace("\"", "").trim();
            String rfc = fields.get(rfcColumn).replaceAll("\\s+", " ").trim();
            // A cell may hold several blocks ("192.0.0.170/32, 192.0.0.171/32") and a footnote mark ("2002::/16 [3]").
            for (String cidr : fields.get(blockColumn).replaceAll("\\[\\d+]", "").split(",")) {
                String text = cidr.trim();
                if (text.isEmpty()) continue;
                Row row = new Row(registryName, text, name, rfc, fields.get(reachableColumn).trim());
                try {
                    entries.add(new Entry(parseBlock(text), row));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(registryName + ": " + e.getMessage(), e);
                }
            }
        }
        return entries;
    }

    private static int column(String registryName, List<String> header, String name) {
        int index = header.stream().map(String::trim).toList().indexOf(name);
        if (index < 0) throw new IllegalArgumentException(registryName + ": no column '" + name + "' in " + header);
        return index;
    }

    /** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
    private static List<List<String>> csvRows(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
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
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                fields.add(field.toString());
                field.setLength(0);
                if (!(fields.size() == 1 && fields.getFirst().isEmpty())) rows.add(fields);
                fields = new ArrayList<>();
            } else {
                field.append(c);
            }
        }
        if (!field.isEmpty() || !fields.isEmpty()) {
            fields.add(field.toString());
            rows.add(fields);
        }
        return rows;
    }
}
