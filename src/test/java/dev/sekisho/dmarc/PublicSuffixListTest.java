package dev.sekisho.dmarc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublicSuffixListTest {
    /** A small list in the publicsuffix.org format with each kind of rule. */
    private static final PublicSuffixList SMALL = PublicSuffixList.parse("""
            // VERSION: test
            // ===BEGIN ICANN DOMAINS===
            com
            uk
            co.uk
            jp
            *.kawasaki.jp
            !city.kawasaki.jp
            *.ck
            !www.ck
            // 日本 (IDN TLD, written in Unicode as the list does)
            日本
            東京.jp
            // ===END ICANN DOMAINS===
            // ===BEGIN PRIVATE DOMAINS===
            blogspot.com
            github.io trailing text is ignored
            // ===END PRIVATE DOMAINS===
            """);

    @Test
    void plainRules() {
        assertThat(SMALL.organizationalDomain("example.com")).isEqualTo("example.com");
        assertThat(SMALL.organizationalDomain("a.b.example.com")).isEqualTo("example.com");
        assertThat(SMALL.organizationalDomain("mail.example.co.uk")).isEqualTo("example.co.uk");
        assertThat(SMALL.organizationalDomain("example.uk")).isEqualTo("example.uk");
        PublicSuffixList.Match m = SMALL.match("news.example.co.uk");
        assertThat(m.publicSuffix()).isEqualTo("co.uk");
        assertThat(m.registrableDomain()).isEqualTo("example.co.uk");
        assertThat(m.section()).isEqualTo(PublicSuffixList.Section.ICANN);
    }

    @Test
    void aPublicSuffixIsItsOwnOrganizationalDomain() {
        assertThat(SMALL.match("com").isPublicSuffix()).isTrue();
        assertThat(SMALL.organizationalDomain("com")).isEqualTo("com");
        assertThat(SMALL.organizationalDomain("co.uk")).isEqualTo("co.uk");
        assertThat(SMALL.match("example.com").isPublicSuffix()).isFalse();
    }

    @Test
    void unlistedTopLevelDomainsUseTheDefaultRule() {
        PublicSuffixList.Match m = SMALL.match("a.b.example.unlisted");
        assertThat(m.publicSuffix()).isEqualTo("unlisted");
        assertThat(m.registrableDomain()).isEqualTo("example.unlisted");
        assertThat(m.section()).isEqualTo(PublicSuffixList.Section.DEFAULT);
    }

    @Test
    void wildcardsAndExceptions() {
        assertThat(SMALL.match("www.example.kawasaki.jp").publicSuffix()).isEqualTo("example.kawasaki.jp");
        assertThat(SMALL.organizationalDomain("www.example.kawasaki.jp")).isEqualTo("www.example.kawasaki.jp");
        assertThat(SMALL.organizationalDomain("a.city.kawasaki.jp")).isEqualTo("city.kawasaki.jp");
        assertThat(SMALL.match("city.kawasaki.jp").publicSuffix()).isEqualTo("kawasaki.jp");
        assertThat(SMALL.organizationalDomain("www.ck")).isEqualTo("www.ck");
        assertThat(SMALL.organizationalDomain("a.b.ck")).isEqualTo("a.b.ck");
        assertThat(SMALL.match("b.ck").isPublicSuffix()).isTrue();
        assertThat(SMALL.match("ck").publicSuffix()).isEqualTo("ck");
    }

    @Test
    void privateSectionCountsUnlessRestrictedToIcann() {
        PublicSuffixList.Match m = SMALL.match("someone.blogspot.com");
        assertThat(m.registrableDomain()).isEqualTo("someone.blogspot.com");
        assertThat(m.section()).isEqualTo(PublicSuffixList.Section.PRIVATE);
        assertThat(SMALL.organizationalDomain("me.github.io")).isEqualTo("me.github.io");
        PublicSuffixList icann = SMALL.icannOnly();
        assertThat(icann.organizationalDomain("someone.blogspot.com")).isEqualTo("blogspot.com");
        assertThat(icann.match("someone.blogspot.com").section()).isEqualTo(PublicSuffixList.Section.ICANN);
    }

    @Test
    void internationalizedNamesMatchAsALabels() {
        // 日本 is xn--wgv71a, 東京 is xn--1lqs71d
        assertThat(SMALL.organizationalDomain("例え.日本")).isEqualTo("xn--r8jz45g.xn--wgv71a");
        assertThat(SMALL.organizationalDomain("www.xn--r8jz45g.xn--wgv71a")).isEqualTo("xn--r8jz45g.xn--wgv71a");
        assertThat(SMALL.organizationalDomain("a.b.東京.jp")).isEqualTo("b.xn--1lqs71d.jp");
        assertThat(SMALL.match("東京.jp").isPublicSuffix()).isTrue();
    }

    @Test
    void caseAndTrailingDotDoNotMatter() {
        assertThat(SMALL.organizationalDomain("Mail.Example.CO.UK.")).isEqualTo("example.co.uk");
    }

    @Test
    void invalidNamesAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> SMALL.match("a..example.com")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a..example.com");
        assertThatThrownBy(() -> SMALL.match("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SMALL.match("exa mple.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SMALL.match("a".repeat(64) + ".com")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBundledListLoadsWhole() {
        PublicSuffixList list = PublicSuffixList.bundled();
        assertThat(list.version()).isEqualTo("2026-10-06_16-13-12_UTC");
        assertThat(list.unusableEntries()).isZero();
        assertThat(list).isSameAs(PublicSuffixList.bundled());
        assertThat(list.toString()).contains("2026-10-06");
    }

    @Test
    void theBundledListKnowsRealSuffixes() {
        PublicSuffixList list = PublicSuffixList.bundled();
        assertThat(list.organizationalDomain("mail.example.com")).isEqualTo("example.com");
        assertThat(list.organizationalDomain("www.bbc.co.uk")).isEqualTo("bbc.co.uk");
        assertThat(list.organizationalDomain("mx.ntt.co.jp")).isEqualTo("ntt.co.jp");
        assertThat(list.organizationalDomain("a.b.city.kawasaki.jp")).isEqualTo("city.kawasaki.jp");
        assertThat(list.organizationalDomain("www.example.kawasaki.jp")).isEqualTo("www.example.kawasaki.jp");
        assertThat(list.organizationalDomain("foo.blogspot.com")).isEqualTo("foo.blogspot.com");
        assertThat(list.icannOnly().organizationalDomain("foo.blogspot.com")).isEqualTo("blogspot.com");
        assertThat(list.organizationalDomain("a.example.xn--wgv71a")).isEqualTo("example.xn--wgv71a");
        assertThat(list.organizationalDomain("a.例え.日本")).isEqualTo("xn--r8jz45g.xn--wgv71a");
        assertThat(list.match("co.uk").isPublicSuffix()).isTrue();
    }
}
