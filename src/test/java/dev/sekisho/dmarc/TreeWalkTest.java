package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RFC 9989 4.10 tree walk over an in-memory {@link TxtLookup}. The real resolver path is
 * covered once dev.sekisho.dns is wired to the seam, against the in-process DNS server.
 */
class TreeWalkTest {
    private static final String REC = "v=DMARC1; p=reject; rua=mailto:d@example.com";

    private static TreeWalk.Result.Completed walk(MapTxtLookup dns, String domain) {
        return (TreeWalk.Result.Completed) new TreeWalk(dns).walk(domain);
    }

    @Test
    void targetsWalkUpOneLabelAtATime() {
        assertThat(TreeWalk.targets("a.mail.example.com")).containsExactly("a.mail.example.com", "mail.example.com", "example.com", "com");
        assertThat(TreeWalk.targets("com")).containsExactly("com");
    }

    @Test
    void longNamesAreShortenedToSevenLabelsAfterTheFirstQuery() {
        // RFC 9989 4.10's own example: eight queries for a thirteen-label name.
        assertThat(TreeWalk.targets("a.b.c.d.e.f.g.h.i.j.mail.example.com")).containsExactly(
                "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
                "i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com");
        assertThat(TreeWalk.targets("a.b.c.d.e.f.g.h")).hasSize(8).element(1).isEqualTo("b.c.d.e.f.g.h");
        assertThat(TreeWalk.targets("b.c.d.e.f.g.h")).hasSize(7);
        String many = "x.".repeat(100) + "example.com";
        assertThat(TreeWalk.targets(many)).hasSize(TreeWalk.MAX_QUERIES);
    }

    @Test
    void noRecordsMeansTheStartIsTheOrganizationalDomain() {
        MapTxtLookup dns = new MapTxtLookup();
        TreeWalk.Result.Completed r = walk(dns, "a.mail.example.com");
        assertThat(r.records()).isEmpty();
        assertThat(r.organizationalDomain()).isEqualTo("a.mail.example.com");
        assertThat(r.queried()).containsExactly("_dmarc.a.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com");
        assertThat(dns.queries()).isEqualTo(r.queried());
    }

    @Test
    void theRecordWithFewestLabelsWins() {
        // RFC 9989 4.10.2 first example: records at mail.example.com and example.com, org domain example.com.
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.mail.example.com", REC).txt("_dmarc.example.com", REC);
        TreeWalk.Result.Completed r = walk(dns, "a.mail.example.com");
        assertThat(r.records()).extracting(TreeWalk.Found::domain).containsExactly("mail.example.com", "example.com");
        assertThat(r.organizationalDomain()).isEqualTo("example.com");
    }

    @Test
    void psdNoStopsTheWalkAndNamesTheOrganizationalDomain() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.mail.example.com", REC + "; psd=n").txt("_dmarc.example.com", REC);
        TreeWalk.Result.Completed r = walk(dns, "a.mail.example.com");
        assertThat(r.organizationalDomain()).isEqualTo("mail.example.com");
        assertThat(dns.queries()).containsExactly("_dmarc.a.mail.example.com", "_dmarc.mail.example.com");
    }

    @Test
    void psdYesMakesTheDomainOneLabelBelowTheOrganizationalDomain() {
        // RFC 9989 4.10.2 last example: only _dmarc.com, with psd=y: example.com.
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.com", REC + "; psd=y");
        assertThat(walk(dns, "a.mail.example.com").organizationalDomain()).isEqualTo("example.com");
        // and the draft's other example: psd=y at example.com makes mail.example.com the organisational domain.
        MapTxtLookup dns2 = new MapTxtLookup().txt("_dmarc.example.com", REC + "; psd=y").txt("_dmarc.com", REC);
        TreeWalk.Result.Completed r = walk(dns2, "mail.example.com");
        assertThat(r.organizationalDomain()).isEqualTo("mail.example.com");
        assertThat(dns2.queries()).doesNotContain("_dmarc.com");
    }

    @Test
    void psdYesAtTheStartDoesNotCountAndStopsTheWalk() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.example.com", REC + "; psd=y").txt("_dmarc.com", REC);
        TreeWalk.Result.Completed r = walk(dns, "example.com");
        assertThat(r.organizationalDomain()).isEqualTo("example.com");
        assertThat(dns.queries()).containsExactly("_dmarc.example.com");
    }

    @Test
    void aRecordAtTheStartWithoutPsdStillLetsTheWalkGoOn() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.mail.example.com", REC).txt("_dmarc.example.com", REC);
        assertThat(walk(dns, "mail.example.com").organizationalDomain()).isEqualTo("example.com");
    }

    @Test
    void multipleRecordsAtOneNameAreDiscarded() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.mail.example.com", REC + "; psd=n", "v=DMARC1; p=none")
                .txt("_dmarc.example.com", REC);
        TreeWalk.Result.Completed r = walk(dns, "a.mail.example.com");
        assertThat(r.organizationalDomain()).isEqualTo("example.com");
    }

    @Test
    void nonDmarcTxtAndNodataAreNoRecord() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.mail.example.com", "v=spf1 -all", "hello").noRecords("_dmarc.example.com");
        TreeWalk.Result.Completed r = walk(dns, "mail.example.com");
        assertThat(r.records()).isEmpty();
        assertThat(r.organizationalDomain()).isEqualTo("mail.example.com");
    }

    @Test
    void aTemporaryFailureIsNeverReadAsNoRecord() {
        MapTxtLookup dns = new MapTxtLookup().fail("_dmarc.mail.example.com").txt("_dmarc.example.com", REC);
        TreeWalk.Result r = new TreeWalk(dns).walk("a.mail.example.com");
        assertThat(r).isInstanceOf(TreeWalk.Result.TemporaryFailure.class);
        TreeWalk.Result.TemporaryFailure f = (TreeWalk.Result.TemporaryFailure) r;
        assertThat(f.name()).isEqualTo("_dmarc.mail.example.com");
        assertThat(f.reason()).isEqualTo("SERVFAIL");
        assertThat(f.queried()).containsExactly("_dmarc.a.mail.example.com", "_dmarc.mail.example.com");
    }

    @Test
    void aFailureAfterTheWalkStoppedDoesNotMatter() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.mail.example.com", REC + "; psd=n").fail("_dmarc.example.com");
        assertThat(walk(dns, "a.mail.example.com").organizationalDomain()).isEqualTo("mail.example.com");
    }

    @Test
    void namesTooLongForDmarcAreSkippedNotQueried() {
        String label = "a".repeat(60);
        String start = String.join(".", List.of(label, label, label, label)) + ".com"; // 248 characters
        MapTxtLookup dns = new MapTxtLookup();
        TreeWalk.Result.Completed r = walk(dns, start);
        assertThat(r.queried()).first().isEqualTo("_dmarc." + start.substring(61));
        assertThat(dns.queries()).allSatisfy(q -> assertThat(q.length()).isLessThanOrEqualTo(253));
    }

    @Test
    void theStartIsNormalised() {
        MapTxtLookup dns = new MapTxtLookup().txt("_dmarc.example.com", REC);
        TreeWalk.Result.Completed r = walk(dns, "Mail.EXAMPLE.com.");
        assertThat(r.start()).isEqualTo("mail.example.com");
        assertThat(r.organizationalDomain()).isEqualTo("example.com");
    }
}
