package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Discovery over an in-memory {@link TxtLookup}; the resolver path is tested once it is wired to the seam. */
class DmarcDiscoveryTest {
    private static final String REC = "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@example.com";

    @Test
    void fetchFindsOneRecordAmongOtherTxt() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.example.com", "google-site-verification=abc", REC);
        DmarcDiscovery.Fetch f = new DmarcDiscovery(dns).fetch("Example.COM.");
        assertThat(f).isInstanceOf(DmarcDiscovery.Fetch.Found.class);
        assertThat(f.name()).isEqualTo("_dmarc.example.com");
        assertThat(((DmarcDiscovery.Fetch.Found) f).record().policy()).isEqualTo(Policy.REJECT);
        assertThat(dns.queries()).containsExactly("_dmarc.example.com");
    }

    @Test
    void multipleRecordsMeanNone() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.example.com", REC, "v=DMARC1; p=none");
        DmarcDiscovery.Fetch f = new DmarcDiscovery(dns).fetch("example.com");
        assertThat(f).isInstanceOfSatisfying(DmarcDiscovery.Fetch.NotFound.class, n -> {
            assertThat(n.reason()).isEqualTo(DmarcDiscovery.Reason.MULTIPLE_RECORDS);
            assertThat(n.texts()).hasSize(2);
        });
    }

    @Test
    void eachKindOfAbsenceIsDistinct() {
        MapTxtLookup dns = new MapTxtLookup().noRecords("_dmarc.nodata.example").txt("_dmarc.spf.example", "v=spf1 -all");
        DmarcDiscovery d = new DmarcDiscovery(dns);
        assertThat(((DmarcDiscovery.Fetch.NotFound) d.fetch("nodata.example")).reason()).isEqualTo(DmarcDiscovery.Reason.NO_TXT_RECORD);
        assertThat(((DmarcDiscovery.Fetch.NotFound) d.fetch("spf.example")).reason()).isEqualTo(DmarcDiscovery.Reason.NO_DMARC_RECORD);
        assertThat(((DmarcDiscovery.Fetch.NotFound) d.fetch("nx.example")).reason()).isEqualTo(DmarcDiscovery.Reason.NO_SUCH_DOMAIN);
        String longName = "a".repeat(60) + "." + "b".repeat(60) + "." + "c".repeat(60) + "." + "d".repeat(60) + ".com";
        assertThat(((DmarcDiscovery.Fetch.NotFound) d.fetch(longName)).reason()).isEqualTo(DmarcDiscovery.Reason.NAME_TOO_LONG);
        assertThat(dns.queries()).hasSize(3);
    }

    @Test
    void temporaryFailureIsNotNoRecord() {
        MapTxtLookup dns = new MapTxtLookup().fail("_dmarc.example.com");
        assertThat(new DmarcDiscovery(dns).fetch("example.com")).isInstanceOfSatisfying(DmarcDiscovery.Fetch.TemporaryFailure.class,
                f -> assertThat(f.reason()).isEqualTo("SERVFAIL"));
    }

    @Test
    void fetchRefusesANonDomainNamingIt() {
        assertThatThrownBy(() -> new DmarcDiscovery(new MapTxtLookup()).fetch("bad domain")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad domain");
    }

    @Test
    void discoverPrefersTheAuthorDomain() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.news.example.com", "v=DMARC1; p=none").txt("_dmarc.example.com", REC);
        DmarcDiscovery.Discovery d = new DmarcDiscovery(dns).discover("news.example.com");
        assertThat(d).isInstanceOfSatisfying(DmarcDiscovery.Discovery.Found.class, f -> {
            assertThat(f.source()).isEqualTo(DmarcDiscovery.Source.AUTHOR_DOMAIN);
            assertThat(f.policyDomain()).isEqualTo("news.example.com");
            assertThat(f.applicablePolicy(true)).isEqualTo(Policy.NONE);
        });
        assertThat(dns.queries()).containsExactly("_dmarc.news.example.com");
    }

    @Test
    void discoverWalksToTheOrganizationalDomainAndUsesSpOrNp() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.example.com", REC);
        DmarcDiscovery.Discovery d = new DmarcDiscovery(dns).discover("a.news.example.com");
        assertThat(d).isInstanceOfSatisfying(DmarcDiscovery.Discovery.Found.class, f -> {
            assertThat(f.source()).isEqualTo(DmarcDiscovery.Source.ORGANIZATIONAL_DOMAIN);
            assertThat(f.policyDomain()).isEqualTo("example.com");
            assertThat(f.applicablePolicy(true)).isEqualTo(Policy.QUARANTINE);
            assertThat(f.applicablePolicy(false)).isEqualTo(Policy.REJECT);
            assertThat(f.queried()).containsExactly("_dmarc.a.news.example.com", "_dmarc.news.example.com", "_dmarc.example.com", "_dmarc.com");
        });
    }

    @Test
    void discoverFallsBackToThePublicSuffixDomain() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.bank", "v=DMARC1; p=reject; psd=y; rua=mailto:psd@registry.example");
        DmarcDiscovery.Discovery d = new DmarcDiscovery(dns).discover("mail.example.bank");
        assertThat(d).isInstanceOfSatisfying(DmarcDiscovery.Discovery.Found.class, f -> {
            assertThat(f.source()).isEqualTo(DmarcDiscovery.Source.PUBLIC_SUFFIX_DOMAIN);
            assertThat(f.policyDomain()).isEqualTo("bank");
            assertThat(f.applicablePolicy(true)).isEqualTo(Policy.REJECT);
        });
    }

    @Test
    void discoverOnALongAuthorDomainShortensTheWalk() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.example.com", REC);
        DmarcDiscovery.Discovery d = new DmarcDiscovery(dns).discover("a.b.c.d.e.f.g.h.i.j.mail.example.com");
        assertThat(d).isInstanceOf(DmarcDiscovery.Discovery.Found.class);
        assertThat(d.queried()).containsExactly("_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com", "_dmarc.g.h.i.j.mail.example.com",
                "_dmarc.h.i.j.mail.example.com", "_dmarc.i.j.mail.example.com", "_dmarc.j.mail.example.com",
                "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com");
    }

    @Test
    void discoverUsesTheOrganizationalDomainEvenWhenACloserRecordExists() {
        // RFC 9989 4.10.1/4.10.2: the policy record is the organisational domain's, the one with the fewest labels.
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.news.example.com", "v=DMARC1; p=none").txt("_dmarc.example.com", REC);
        DmarcDiscovery.Discovery d = new DmarcDiscovery(dns).discover("a.news.example.com");
        assertThat(d).isInstanceOfSatisfying(DmarcDiscovery.Discovery.Found.class, f -> assertThat(f.policyDomain()).isEqualTo("example.com"));
        MapTxtLookup psdN = new MapTxtLookup().txt("_dmarc.news.example.com", "v=DMARC1; p=none; psd=n").txt("_dmarc.example.com", REC);
        assertThat(new DmarcDiscovery(psdN).discover("a.news.example.com")).isInstanceOfSatisfying(DmarcDiscovery.Discovery.Found.class,
                f -> assertThat(f.policyDomain()).isEqualTo("news.example.com"));
    }

    @Test
    void discoverFindsNothing() {
        MapTxtLookup dns = new MapTxtLookup();
        DmarcDiscovery.Discovery d = new DmarcDiscovery(dns).discover("mail.example.com");
        assertThat(d).isInstanceOf(DmarcDiscovery.Discovery.None.class);
        assertThat(d.queried()).containsExactly("_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com");
        assertThat(new DmarcDiscovery(new MapTxtLookup()).discover("com")).isInstanceOf(DmarcDiscovery.Discovery.None.class);
    }

    @Test
    void discoverReportsTemporaryFailuresWhereverTheyHappen() {
        DmarcDiscovery.Discovery first = new DmarcDiscovery(new MapTxtLookup().fail("_dmarc.mail.example.com")).discover("mail.example.com");
        assertThat(first).isInstanceOfSatisfying(DmarcDiscovery.Discovery.TemporaryFailure.class,
                f -> assertThat(f.name()).isEqualTo("_dmarc.mail.example.com"));
        DmarcDiscovery.Discovery walk = new DmarcDiscovery(new MapTxtLookup().fail("_dmarc.example.com")).discover("mail.example.com");
        assertThat(walk).isInstanceOfSatisfying(DmarcDiscovery.Discovery.TemporaryFailure.class,
                f -> assertThat(f.queried()).containsExactly("_dmarc.mail.example.com", "_dmarc.example.com"));
    }

    @Test
    void discoverByPublicSuffixListAsksTheAuthorThenTheOrganizationalDomain() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.example.co.uk", REC);
        DmarcDiscovery.Discovery d = new DmarcDiscovery(dns).discoverByPublicSuffixList("a.b.example.co.uk");
        assertThat(d).isInstanceOfSatisfying(DmarcDiscovery.Discovery.Found.class, f -> {
            assertThat(f.source()).isEqualTo(DmarcDiscovery.Source.ORGANIZATIONAL_DOMAIN);
            assertThat(f.policyDomain()).isEqualTo("example.co.uk");
        });
        assertThat(dns.queries()).containsExactly("_dmarc.a.b.example.co.uk", "_dmarc.example.co.uk");
    }

    @Test
    void discoverByPublicSuffixListOutcomes() {
        assertThat(new DmarcDiscovery(new MapTxtLookup()).discoverByPublicSuffixList("example.com")).isInstanceOf(DmarcDiscovery.Discovery.None.class);
        assertThat(new DmarcDiscovery(new MapTxtLookup()).discoverByPublicSuffixList("a.example.com")).isInstanceOf(DmarcDiscovery.Discovery.None.class);
        assertThat(new DmarcDiscovery(new MapTxtLookup().fail("_dmarc.example.com")).discoverByPublicSuffixList("a.example.com"))
                .isInstanceOf(DmarcDiscovery.Discovery.TemporaryFailure.class);
        assertThat(new DmarcDiscovery(new MapTxtLookup().txt("_dmarc.example.com", REC)).discoverByPublicSuffixList("example.com"))
                .isInstanceOfSatisfying(DmarcDiscovery.Discovery.Found.class, f -> assertThat(f.source()).isEqualTo(DmarcDiscovery.Source.AUTHOR_DOMAIN));
    }

    @Test
    void characterStringsOfOneRecordAreJoined() {
        TxtLookup.Answer a = TxtLookup.Answer.ofCharacterStrings(java.util.List.of(java.util.List.of("v=DMARC1; p=re", "ject"), java.util.List.of("other")));
        assertThat(a).isEqualTo(new TxtLookup.Answer.Records(java.util.List.of("v=DMARC1; p=reject", "other")));
        assertThat(TxtLookup.Answer.ofCharacterStrings(java.util.List.of())).isInstanceOf(TxtLookup.Answer.NoRecords.class);
        assertThatThrownBy(() -> new TxtLookup.Answer.Records(java.util.List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
