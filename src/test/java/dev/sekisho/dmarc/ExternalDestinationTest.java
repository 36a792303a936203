package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 7489 7.1 over an in-memory {@link TxtLookup}; the resolver path is tested once it is wired to the seam. */
class ExternalDestinationTest {
    private static ReportUri uri(String text) {
        return ReportUri.parse(text).uri().orElseThrow();
    }

    @Test
    void sameOrganizationalDomainNeedsNoAuthorisation() {
        MapTxtLookup dns = new MapTxtLookup();
        ExternalDestination.Check c = new ExternalDestination(dns).check("mail.example.com", uri("mailto:dmarc@reports.example.com"), true);
        assertThat(c).isEqualTo(new ExternalDestination.Check.Internal(uri("mailto:dmarc@reports.example.com"), "example.com"));
        assertThat(dns.queries()).isEmpty();
    }

    @Test
    void anExternalDestinationWithARecordIsAuthorised() {
        MapTxtLookup dns = new MapTxtLookup().txt("example.com._report._dmarc.vendor.example.net", "v=DMARC1");
        ExternalDestination.Check c = new ExternalDestination(dns).check("example.com", uri("mailto:rua@vendor.example.net"), true);
        assertThat(c).isInstanceOfSatisfying(ExternalDestination.Check.Authorized.class, a -> {
            assertThat(a.recordName()).isEqualTo("example.com._report._dmarc.vendor.example.net");
            assertThat(a.overrides()).isEmpty();
        });
        assertThat(dns.queries()).containsExactly("example.com._report._dmarc.vendor.example.net");
    }

    @Test
    void theAuthorisingRecordMayOverrideOnlyWithinTheSameHost() {
        MapTxtLookup dns = new MapTxtLookup().txt("example.com._report._dmarc.vendor.example.net",
                "v=DMARC1; rua=mailto:other@vendor.example.net,mailto:evil@elsewhere.example; ruf=mailto:f@vendor.example.net");
        ExternalDestination.Check c = new ExternalDestination(dns).check("example.com", uri("mailto:rua@vendor.example.net"), true);
        assertThat(((ExternalDestination.Check.Authorized) c).overrides()).extracting(ReportUri::address).containsExactly("other@vendor.example.net");
        ExternalDestination.Check f = new ExternalDestination(dns).check("example.com", uri("mailto:ruf@vendor.example.net"), false);
        assertThat(((ExternalDestination.Check.Authorized) f).overrides()).extracting(ReportUri::address).containsExactly("f@vendor.example.net");
    }

    @Test
    void withoutAValidRecordTheDestinationIsNotAuthorised() {
        ExternalDestination nx = new ExternalDestination(new MapTxtLookup());
        assertThat(nx.check("example.com", uri("mailto:a@vendor.example.net"), true))
                .isInstanceOfSatisfying(ExternalDestination.Check.NotAuthorized.class, n -> assertThat(n.reason()).contains("does not exist"));
        ExternalDestination nodata = new ExternalDestination(new MapTxtLookup().noRecords("example.com._report._dmarc.vendor.example.net"));
        assertThat(nodata.check("example.com", uri("mailto:a@vendor.example.net"), true))
                .isInstanceOfSatisfying(ExternalDestination.Check.NotAuthorized.class, n -> assertThat(n.reason()).contains("no TXT"));
        ExternalDestination wrong = new ExternalDestination(new MapTxtLookup()
                .txt("example.com._report._dmarc.vendor.example.net", "v=DMARC2", "p=none; v=DMARC1"));
        assertThat(wrong.check("example.com", uri("mailto:a@vendor.example.net"), true))
                .isInstanceOfSatisfying(ExternalDestination.Check.NotAuthorized.class, n -> assertThat(n.reason()).contains("none starts with v=DMARC1"));
    }

    @Test
    void severalValidRecordsStillAuthorise() {
        ExternalDestination d = new ExternalDestination(new MapTxtLookup()
                .txt("example.com._report._dmarc.vendor.example.net", "v=DMARC1", "v=DMARC1; rua=mailto:x@vendor.example.net"));
        assertThat(d.check("example.com", uri("mailto:a@vendor.example.net"), true)).isInstanceOf(ExternalDestination.Check.Authorized.class);
    }

    @Test
    void aTemporaryFailureCouldNotBeChecked() {
        ExternalDestination d = new ExternalDestination(new MapTxtLookup().fail("example.com._report._dmarc.vendor.example.net"));
        assertThat(d.check("example.com", uri("mailto:a@vendor.example.net"), true))
                .isInstanceOfSatisfying(ExternalDestination.Check.CouldNotCheck.class, c -> assertThat(c.reason()).isEqualTo("SERVFAIL"));
        // A tree-walk finder that fails is also "could not check", never "not authorised".
        MapTxtLookup dns = new MapTxtLookup().fail("_dmarc.vendor.example.net");
        ExternalDestination walk = new ExternalDestination(dns, OrganizationalDomain.byTreeWalk(dns));
        assertThat(walk.check("example.com", uri("mailto:a@vendor.example.net"), true)).isInstanceOf(ExternalDestination.Check.CouldNotCheck.class);
    }

    @Test
    void onlyMailtoIsChecked() {
        ExternalDestination d = new ExternalDestination(new MapTxtLookup());
        assertThat(d.check("example.com", uri("https://vendor.example.net/r"), true)).isInstanceOf(ExternalDestination.Check.NotApplicable.class);
    }

    @Test
    void internationalisedPolicyDomainsAreALabelsInTheName() {
        MapTxtLookup dns = new MapTxtLookup().txt("xn--r8jz45g.xn--wgv71a._report._dmarc.vendor.example.net", "v=DMARC1");
        assertThat(new ExternalDestination(dns).check("例え.日本", uri("mailto:a@vendor.example.net"), true))
                .isInstanceOf(ExternalDestination.Check.Authorized.class);
        assertThat(ExternalDestination.recordName("例え.日本", "Vendor.Example.NET"))
                .hasValue("xn--r8jz45g.xn--wgv71a._report._dmarc.vendor.example.net");
    }

    @Test
    void aNameTooLongCannotAuthorise() {
        String policy = "a".repeat(60) + "." + "b".repeat(60) + "." + "c".repeat(60) + "." + "d".repeat(60) + ".com";
        ExternalDestination d = new ExternalDestination(new MapTxtLookup());
        assertThat(d.check(policy, uri("mailto:a@vendor.example.net"), true))
                .isInstanceOfSatisfying(ExternalDestination.Check.NotAuthorized.class, n -> assertThat(n.reason()).contains("longer"));
        assertThat(ExternalDestination.recordName(policy, "vendor.example.net")).isEmpty();
    }

    @Test
    void checkAllCoversRuaThenRuf() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@vendor.example.net; ruf=mailto:c@vendor.example.net");
        MapTxtLookup dns = new MapTxtLookup().txt("example.com._report._dmarc.vendor.example.net", "v=DMARC1");
        List<ExternalDestination.Check> checks = new ExternalDestination(dns).checkAll("example.com", r);
        assertThat(checks).extracting(c -> c.getClass().getSimpleName()).containsExactly("Internal", "Authorized", "Authorized");
        assertThat(checks).extracting(c -> c.uri().address()).containsExactly("a@example.com", "b@vendor.example.net", "c@vendor.example.net");
    }
}
