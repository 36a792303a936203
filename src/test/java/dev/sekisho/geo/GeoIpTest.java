package dev.sekisho.geo;

import dev.sekisho.testing.MmdbWriter;
import dev.sekisho.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeoIpTest {
    private static final Duration CHECK = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-12-01T00:00:00Z");
    private final List<String> notices = new ArrayList<>();

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    private Path countryDb() {
        return new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", MmdbWriter.country("JP"))
                .network("198.51.100.0/24", Map.of("registered_country", Map.of("iso_code", "de"))) // no country: registered one
                .network("2001:db8::/32", MmdbWriter.country("FR"))
                .write(dir.resolve("country.mmdb"));
    }

    private Path asnDb() {
        return new MmdbWriter("GeoLite2-ASN")
                .network("192.0.2.0/24", MmdbWriter.asn(64_496, "Example Transit"))
                .network("2001:db8::/32", MmdbWriter.asn(4_200_000_001L, "Thirty-Two Bit AS"))
                .write(dir.resolve("asn.mmdb"));
    }

    private GeoIp open(Optional<Path> country, Optional<Path> asn) {
        return GeoIp.open(new GeoIp.Databases(country, asn, CHECK), clock, notices::add);
    }

    @Test
    void countryAndAsnComeFromTheirOwnDatabases() throws Exception {
        GeoIp geo = open(Optional.of(countryDb()), Optional.of(asnDb()));

        assertThat(geo.lookup(ip("192.0.2.10"))).isEqualTo(new GeoAnswer(GeoAnswer.Status.FOUND, Optional.of("JP"),
                GeoAnswer.Status.FOUND, Optional.of(64_496L), Optional.of("Example Transit")));
        assertThat(geo.lookup(ip("2001:db8::25"))).isEqualTo(new GeoAnswer(GeoAnswer.Status.FOUND, Optional.of("FR"),
                GeoAnswer.Status.FOUND, Optional.of(4_200_000_001L), Optional.of("Thirty-Two Bit AS")));
        assertThat(geo.describe()).isEqualTo("country GeoLite2-Country (" + dir.resolve("country.mmdb") + "), ASN GeoLite2-ASN ("
                + dir.resolve("asn.mmdb") + ")");
        assertThat(notices).isEmpty();
    }

    @Test
    void withoutCountryTheRegisteredCountryAnswersUpperCased() throws Exception {
        GeoIp geo = open(Optional.of(countryDb()), Optional.of(asnDb()));
        GeoAnswer answer = geo.lookup(ip("198.51.100.20"));
        assertThat(answer.country()).contains("DE");
        assertThat(answer.asStatus()).isEqualTo(GeoAnswer.Status.NOT_IN_DATABASE);
        assertThat(answer.asn()).isEmpty();
    }

    @Test
    void anAddressOutsideEveryNetworkIsNotInTheDatabase() throws Exception {
        GeoIp geo = open(Optional.of(countryDb()), Optional.of(asnDb()));
        assertThat(geo.lookup(ip("203.0.113.5"))).isEqualTo(new GeoAnswer(GeoAnswer.Status.NOT_IN_DATABASE, Optional.empty(),
                GeoAnswer.Status.NOT_IN_DATABASE, Optional.empty(), Optional.empty()));
    }

    @Test
    void withoutAnyDatabaseEveryAnswerSaysNoDatabaseAndTheFeatureSaysSoOnce() throws Exception {
        GeoIp geo = open(Optional.empty(), Optional.empty());
        assertThat(geo.hasDatabase()).isFalse();
        assertThat(geo.lookup(ip("192.0.2.10"))).isEqualTo(GeoAnswer.noDatabase());
        assertThat(geo.lookup(ip("2001:db8::1"))).isEqualTo(GeoAnswer.noDatabase());
        assertThat(notices).containsExactly("GeoIP: no database configured (geoip.country-database, geoip.asn-database): country and ASN are unknown");
    }

    @Test
    void withOnlyACountryDatabaseTheAsnIsUnknownForWantOfADatabaseUnlessTheRecordsCarryIt() throws Exception {
        Path combined = new MmdbWriter("GeoIP2-Enterprise")
                .network("203.0.113.0/24", Map.of("country", Map.of("iso_code", "US"),
                        "traits", Map.of("autonomous_system_number", 64_511, "autonomous_system_organization", "Combined Net")))
                .write(dir.resolve("enterprise.mmdb"));
        GeoIp fromCombined = open(Optional.of(combined), Optional.empty());
        assertThat(fromCombined.lookup(ip("203.0.113.9"))).isEqualTo(new GeoAnswer(GeoAnswer.Status.FOUND, Optional.of("US"),
                GeoAnswer.Status.FOUND, Optional.of(64_511L), Optional.of("Combined Net")));
        assertThat(notices).isEmpty();

        GeoIp countryOnly = open(Optional.of(countryDb()), Optional.empty());
        assertThat(countryOnly.country(ip("192.0.2.1")).country()).contains("JP");
        assertThat(notices).as("asking for the country alone does not miss the ASN database").isEmpty();
        GeoAnswer answer = countryOnly.lookup(ip("192.0.2.1"));
        countryOnly.lookup(ip("192.0.2.2"));
        assertThat(answer.country()).contains("JP");
        assertThat(answer.asStatus()).isEqualTo(GeoAnswer.Status.NO_DATABASE);
        assertThat(notices).containsExactly("GeoIP: no ASN database configured (geoip.asn-database): AS numbers are unknown");
    }

    @Test
    void aMissingOrBrokenDatabaseIsRefusedAtOpenNamingTheFile() throws Exception {
        Path missing = dir.resolve("nope.mmdb");
        assertThatThrownBy(() -> open(Optional.of(missing), Optional.empty())).isInstanceOf(GeoDatabaseException.class)
                .hasMessage("cannot open the country database " + missing + ": no such file");
        Path garbage = Files.writeString(dir.resolve("garbage.mmdb"), "this is not a database\n");
        assertThatThrownBy(() -> open(Optional.empty(), Optional.of(garbage))).isInstanceOf(GeoDatabaseException.class)
                .hasMessageStartingWith("cannot open the ASN database " + garbage + ": ");
        assertThat(GeoIp.problem(garbage).orElseThrow()).startsWith(garbage + " is not a MaxMind database: ");
        assertThat(GeoIp.problem(missing)).contains("no such file: " + missing);
        assertThat(GeoIp.problem(dir)).contains("not a file: " + dir);
        assertThat(GeoIp.problem(countryDb())).isEmpty();
    }

    @Test
    void aChangedFileIsReadAtTheNextCheckAndNotBefore() throws Exception {
        Path file = countryDb();
        GeoIp geo = open(Optional.of(file), Optional.empty());
        assertThat(geo.lookup(ip("192.0.2.1")).country()).contains("JP");

        new MmdbWriter("GeoLite2-Country").network("192.0.2.0/24", MmdbWriter.country("KR")).write(file);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        clock.advance(CHECK.minusSeconds(1));
        assertThat(geo.lookup(ip("192.0.2.1")).country()).as("before the check is due").contains("JP");
        clock.advance(Duration.ofSeconds(1));
        assertThat(geo.lookup(ip("192.0.2.1")).country()).as("at the check").contains("KR");
        assertThat(geo.lookup(ip("2001:db8::1")).countryStatus()).isEqualTo(GeoAnswer.Status.NOT_IN_DATABASE);
    }

    @Test
    void aBrokenNewFileKeepsTheOldCopyAndIsReportedOnceThenAFixedFileIsRead() throws Exception {
        Path file = countryDb();
        GeoIp geo = open(Optional.of(file), Optional.of(asnDb()));
        notices.clear();

        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2)); // cut short: no metadata
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        clock.advance(CHECK);
        assertThat(geo.lookup(ip("192.0.2.1")).country()).contains("JP");
        clock.advance(CHECK);
        assertThat(geo.lookup(ip("192.0.2.1")).country()).contains("JP");
        assertThat(notices).hasSize(1);
        assertThat(notices.getFirst()).startsWith("GeoIP: the changed country database " + file + " cannot be read (")
                .contains("still using the copy read at");

        new MmdbWriter("GeoLite2-Country").network("192.0.2.0/24", MmdbWriter.country("BR")).write(file);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-02T00:00:00Z")));
        clock.advance(CHECK);
        assertThat(geo.lookup(ip("192.0.2.1")).country()).contains("BR");
        assertThat(notices).hasSize(1);
    }

    @Test
    void aDeletedFileKeepsTheCopyInUseAndIsReportedOnce() throws Exception {
        Path file = countryDb();
        GeoIp geo = open(Optional.of(file), Optional.of(asnDb()));
        Files.delete(file);
        clock.advance(CHECK);
        assertThat(geo.lookup(ip("192.0.2.1")).country()).contains("JP");
        clock.advance(CHECK);
        assertThat(geo.lookup(ip("192.0.2.1")).country()).contains("JP");
        assertThat(notices).singleElement().asString().startsWith("GeoIP: the country database " + file + " is gone (");
    }

    @Test
    void dataThatCannotBeDecodedIsADatabaseErrorReportedOnceAndOtherAddressesStillAnswer() throws Exception {
        byte[] bytes = new MmdbWriter("GeoLite2-Country")
                .network("192.0.2.0/24", Map.of("country", Map.of("iso_code", "JP")))
                .network("198.51.100.0/24", MmdbWriter.country("DE")).bytes();
        // The first record of the data section is the 192.0.2.0/24 map: {"country": ...}, a map of one pair (0xE1) whose key
        // is a 7-byte string (0x47). Make its control byte an extended type that does not exist (0x00, then 7 + 255).
        int key = indexOf(bytes, new byte[]{0x47, 'c', 'o', 'u', 'n', 't', 'r', 'y'});
        assertThat(bytes[key - 1]).isEqualTo((byte) 0xE1);
        bytes[key - 1] = 0x00;
        bytes[key] = (byte) 0xFF;
        Path damaged = Files.write(dir.resolve("damaged.mmdb"), bytes);
        GeoIp geo = open(Optional.of(damaged), Optional.of(asnDb()));

        GeoAnswer broken = geo.lookup(ip("192.0.2.1"));
        geo.lookup(ip("192.0.2.2"));
        assertThat(broken.countryStatus()).isEqualTo(GeoAnswer.Status.DATABASE_ERROR);
        assertThat(broken.asn()).contains(64_496L);
        assertThat(geo.lookup(ip("198.51.100.1")).country()).contains("DE");
        assertThat(notices).singleElement().asString().startsWith("GeoIP: the country database " + damaged + " cannot be read at an address (");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void answersKeepTheirInvariants() {
        assertThatThrownBy(() -> new GeoAnswer(GeoAnswer.Status.FOUND, Optional.empty(), GeoAnswer.Status.NO_DATABASE,
                Optional.empty(), Optional.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GeoAnswer(GeoAnswer.Status.NO_DATABASE, Optional.empty(), GeoAnswer.Status.NOT_IN_DATABASE,
                Optional.empty(), Optional.of("Org without number"))).isInstanceOf(IllegalArgumentException.class);
    }
}
