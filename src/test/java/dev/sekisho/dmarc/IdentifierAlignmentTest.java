package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdentifierAlignmentTest {
    private static final DmarcRecord RELAXED = DmarcRecord.parse("v=DMARC1; p=reject");
    private static final DmarcRecord STRICT = DmarcRecord.parse("v=DMARC1; p=reject; adkim=s; aspf=s");
    private final IdentifierAlignment psl = new IdentifierAlignment(OrganizationalDomain.byPublicSuffixList());

    @Test
    void relaxedAlignsSameOrganizationalDomain() {
        // RFC 9989 4.4 table: foo.example.com and news.example.com are in relaxed alignment.
        IdentifierAlignment.Result r = psl.dkim("news.example.com", "foo.example.com", RELAXED);
        assertThat(r.aligned()).isTrue();
        assertThat(r.fromOrganizationalDomain()).isEqualTo("example.com");
        assertThat(r.authenticatedOrganizationalDomain()).isEqualTo("example.com");
        assertThat(r.detail()).contains("example.com");
        assertThat(psl.spf("payments.example.com", "cbg.bounces.example.com", RELAXED).aligned()).isTrue();
    }

    @Test
    void differentOrganizationalDomainsDoNotAlign() {
        IdentifierAlignment.Result r = psl.spf("news.example.com", "foo.example.net", RELAXED);
        assertThat(r.status()).isEqualTo(IdentifierAlignment.Status.NOT_ALIGNED);
        assertThat(r.detail()).contains("example.net").contains("example.com");
        assertThat(psl.dkim("a.example.co.uk", "b.other.co.uk", RELAXED).aligned()).isFalse();
        // A public suffix never aligns with a registered domain below it.
        assertThat(psl.dkim("example.com", "com", RELAXED).aligned()).isFalse();
    }

    @Test
    void strictNeedsIdenticalDomains() {
        assertThat(psl.dkim("news.example.com", "news.example.com", STRICT).aligned()).isTrue();
        IdentifierAlignment.Result r = psl.dkim("news.example.com", "example.com", STRICT);
        assertThat(r.status()).isEqualTo(IdentifierAlignment.Status.NOT_ALIGNED);
        assertThat(r.mode()).isEqualTo(AlignmentMode.STRICT);
        assertThat(psl.spf("News.Example.COM.", "news.example.com", STRICT).aligned()).isTrue();
    }

    @Test
    void theRecordChoosesTheModePerIdentifier() {
        DmarcRecord mixed = DmarcRecord.parse("v=DMARC1; p=reject; adkim=s");
        assertThat(psl.dkim("example.com", "mail.example.com", mixed).aligned()).isFalse();
        assertThat(psl.spf("example.com", "mail.example.com", mixed).aligned()).isTrue();
        assertThat(psl.spf("example.com", "mail.example.com", mixed).identifier()).isEqualTo(IdentifierAlignment.Identifier.SPF);
    }

    @Test
    void privateSuffixesSeparateOrganizations() {
        assertThat(psl.dkim("alice.blogspot.com", "bob.blogspot.com", RELAXED).aligned()).isFalse();
        IdentifierAlignment icann = new IdentifierAlignment(OrganizationalDomain.byPublicSuffixList(PublicSuffixList.bundled().icannOnly()));
        assertThat(icann.dkim("alice.blogspot.com", "bob.blogspot.com", RELAXED).aligned()).isTrue();
    }

    @Test
    void byTreeWalk() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.example.com", "v=DMARC1; p=reject")
                .txt("_dmarc.dept.example.com", "v=DMARC1; p=none; psd=n");
        IdentifierAlignment walk = new IdentifierAlignment(OrganizationalDomain.byTreeWalk(dns));
        assertThat(walk.dkim("news.example.com", "bounce.example.com", RELAXED).aligned()).isTrue();
        // dept.example.com declared itself an organisational domain: it no longer aligns with example.com.
        IdentifierAlignment.Result r = walk.dkim("a.dept.example.com", "example.com", RELAXED);
        assertThat(r.aligned()).isFalse();
        assertThat(r.fromOrganizationalDomain()).isEqualTo("dept.example.com");
        // The list method cannot see that.
        assertThat(psl.dkim("a.dept.example.com", "example.com", RELAXED).aligned()).isTrue();
    }

    @Test
    void identicalDomainsNeedNoLookup() {
        MapTxtLookup dns = new MapTxtLookup();
        IdentifierAlignment walk = new IdentifierAlignment(OrganizationalDomain.byTreeWalk(dns));
        assertThat(walk.spf("example.com", "EXAMPLE.com", RELAXED).aligned()).isTrue();
        assertThat(walk.spf("example.com", "other.example", STRICT).aligned()).isFalse();
        assertThat(dns.queries()).isEmpty();
    }

    @Test
    void aTemporaryFailureIsNeitherAlignedNorNot() {
        MapTxtLookup dns = new MapTxtLookup().fail("_dmarc.example.com");
        IdentifierAlignment walk = new IdentifierAlignment(OrganizationalDomain.byTreeWalk(dns));
        IdentifierAlignment.Result r = walk.dkim("news.example.com", "bounce.example.com", RELAXED);
        assertThat(r.status()).isEqualTo(IdentifierAlignment.Status.TEMPORARY_FAILURE);
        assertThat(r.aligned()).isFalse();
        assertThat(r.detail()).contains("_dmarc.example.com").contains("SERVFAIL");
    }

    @Test
    void organizationalDomainEvidence() {
        OrganizationalDomain d = OrganizationalDomain.byPublicSuffixList().find("www.bbc.co.uk");
        assertThat(d).isEqualTo(new OrganizationalDomain.Determined("www.bbc.co.uk", "bbc.co.uk",
                OrganizationalDomain.Method.PUBLIC_SUFFIX_LIST, "public suffix co.uk (icann)"));
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.com", "v=DMARC1; p=none; psd=y");
        OrganizationalDomain w = OrganizationalDomain.byTreeWalk(dns).find("a.example.com");
        assertThat(w).isInstanceOfSatisfying(OrganizationalDomain.Determined.class, x -> {
            assertThat(x.organizationalDomain()).isEqualTo("example.com");
            assertThat(x.method()).isEqualTo(OrganizationalDomain.Method.DNS_TREE_WALK);
            assertThat(x.evidence()).isEqualTo("DMARC records at com (psd=y); queried _dmarc.a.example.com, _dmarc.example.com, _dmarc.com");
        });
    }
}
