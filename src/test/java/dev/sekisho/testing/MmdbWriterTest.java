package dev.sekisho.testing;

import com.maxmind.db.Reader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What MmdbWriter writes, read back with MaxMind's own reader. */
class MmdbWriterTest {
    @TempDir
    Path dir;

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 28, 32})
    void everyRecordSizeReadsBackTheNetworksAndNothingOutsideThem(int recordSize) throws Exception {
        Path file = new MmdbWriter("Test-Country").recordSize(recordSize)
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", MmdbWriter.country("DE"))
                .network("2001:db8::/32", MmdbWriter.country("FR"))
                .write(dir.resolve("t.mmdb"));
        try (Reader reader = new Reader(file.toFile())) {
            assertThat(reader.getMetadata().getDatabaseType()).isEqualTo("Test-Country");
            assertThat(reader.getMetadata().getIpVersion()).isEqualTo(6);
            assertThat(reader.getMetadata().getBinaryFormatMajorVersion()).isEqualTo(2);
            assertThat(country(reader, "192.0.2.1")).isEqualTo("JP");
            assertThat(country(reader, "192.0.2.255")).isEqualTo("JP");
            assertThat(country(reader, "198.51.100.77")).isEqualTo("DE");
            assertThat(country(reader, "2001:db8:1::5")).isEqualTo("FR");
            assertThat(record(reader, "192.0.3.1")).isNull();
            assertThat(record(reader, "203.0.113.1")).isNull();
            assertThat(record(reader, "2001:db9::1")).isNull();
            assertThat(reader.getRecord(ip("192.0.2.9"), Map.class).getNetwork().toString()).isEqualTo("192.0.2.0/24");
        }
    }

    @Test
    void aMoreSpecificNetworkOverridesTheWiderOneOnlyForItsAddresses() throws Exception {
        Path file = new MmdbWriter("Test-ASN")
                .network("203.0.113.128/25", MmdbWriter.asn(64_501, "Inner Net"))
                .network("203.0.113.0/24", MmdbWriter.asn(64_500, "Outer Net"))
                .network("203.0.113.7", MmdbWriter.asn(64_502, "One Host"))
                .write(dir.resolve("asn.mmdb"));
        try (Reader reader = new Reader(file.toFile())) {
            assertThat(record(reader, "203.0.113.1")).containsEntry("autonomous_system_number", 64_500L)
                    .containsEntry("autonomous_system_organization", "Outer Net");
            assertThat(record(reader, "203.0.113.7")).containsEntry("autonomous_system_number", 64_502L);
            assertThat(record(reader, "203.0.113.8")).containsEntry("autonomous_system_number", 64_500L);
            assertThat(record(reader, "203.0.113.200")).containsEntry("autonomous_system_number", 64_501L);
            assertThat(reader.getRecord(ip("203.0.113.200"), Map.class).getNetwork().toString()).isEqualTo("203.0.113.128/25");
        }
    }

    @Test
    void everyDataTypeAndEverySizeFormReadsBackAsWritten() throws Exception {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("short", "JP");
        record.put("29-byte", "x".repeat(29));
        record.put("300-byte", "y".repeat(300));
        record.put("70000-byte", "z".repeat(70_000));
        record.put("uint16", new MmdbWriter.Uint16(65_535));
        record.put("uint32", Integer.MAX_VALUE);
        record.put("zero", 0);
        record.put("int32", -5);
        record.put("uint64", Long.MAX_VALUE);
        record.put("uint128", BigInteger.ONE.shiftLeft(100));
        record.put("double", 35.5);
        record.put("float", 1.5f);
        record.put("true", true);
        record.put("false", false);
        record.put("bytes", new byte[]{1, 2, 3});
        record.put("array", List.of("a", 1, List.of()));
        record.put("map", Map.of("inner", Map.of("deeper", "yes")));
        Path file = new MmdbWriter("Types").network("2001:db8::/32", record).write(dir.resolve("types.mmdb"));
        try (Reader reader = new Reader(file.toFile())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> read = reader.get(ip("2001:db8::1"), Map.class);
            assertThat(read).containsEntry("short", "JP").containsEntry("29-byte", "x".repeat(29))
                    .containsEntry("300-byte", "y".repeat(300)).containsEntry("70000-byte", "z".repeat(70_000))
                    .containsEntry("uint16", 65_535).containsEntry("uint32", (long) Integer.MAX_VALUE).containsEntry("zero", 0L)
                    .containsEntry("int32", -5).containsEntry("uint64", BigInteger.valueOf(Long.MAX_VALUE))
                    .containsEntry("uint128", BigInteger.ONE.shiftLeft(100)).containsEntry("double", 35.5)
                    .containsEntry("float", 1.5f).containsEntry("true", true).containsEntry("false", false)
                    .containsEntry("array", List.of("a", 1L, List.of())).containsEntry("map", Map.of("inner", Map.of("deeper", "yes")));
            assertThat((byte[]) read.get("bytes")).containsExactly(1, 2, 3);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> record(Reader reader, String address) throws Exception {
        return reader.get(ip(address), Map.class);
    }

    private static String country(Reader reader, String address) throws Exception {
        Map<?, ?> record = reader.get(ip(address), Map.class);
        return (String) ((Map<?, ?>) record.get("country")).get("iso_code");
    }
}
