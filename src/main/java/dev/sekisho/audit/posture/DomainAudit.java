package dev.sekisho.audit.posture;

import dev.sekisho.audit.BoundedConcurrency;
import dev.sekisho.audit.SpecialPurposeAddressRegistry;
import dev.sekisho.dmarc.DnsTxtLookup;
import dev.sekisho.dmarc.DomainName;
import dev.sekisho.dns.DnsNames;
import dev.sekisho.dns.DnsResolver;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The domain posture audit: SPF, DMARC, MX, MTA-STS, TLS-RPT and BIMI of a domain, with findings ranked by
 * severity and the record to publish where there is one. A domain without mail (no MX and no A/AAAA, or a
 * null MX) gets the parked-domain advice: {@code v=spf1 -all}, {@code v=DMARC1; p=reject;}, null MX {@code 0 .}.
 * Temporary DNS failures are {@link Severity#COULD_NOT_CHECK} findings, never "missing".
 */
public final class DomainAudit {
    private final DnsResolver resolver;
    private final Optional<MtaStsPolicyFetcher> policyFetcher;
    private final SpecialPurposeAddressRegistry addressRegistry;

    /**
     * @param resolver      every DNS question goes through it (share one {@code CachingResolver} across domains)
     * @param policyFetcher fetches MTA-STS policies; empty to check only the TXT record
     */
    public DomainAudit(DnsResolver resolver, Optional<MtaStsPolicyFetcher> policyFetcher) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.policyFetcher = Objects.requireNonNull(policyFetcher, "policyFetcher");
        this.addressRegistry = SpecialPurposeAddressRegistry.bundled();
    }

    /** Audits one domain; never throws for anything the DNS does. A value that is not a domain name gives a posture with {@code error}. */
    public DomainPosture audit(String domain) {
        Optional<String> normalized = DomainName.tryNormalize(domain.strip());
        if (normalized.isEmpty() || DnsNames.problem(normalized.get()).isPresent()) {
            return DomainPosture.notChecked(domain, "not a domain name: \"" + domain + "\"");
        }
        String d = normalized.get();
        if (!d.contains(".")) return DomainPosture.notChecked(domain, "not a domain name: \"" + domain + "\" has a single label");
        List<DomainFinding> findings = new ArrayList<>();
        MxPosture.Result mx = new MxPosture(resolver, addressRegistry).check(d);
        findings.addAll(mx.findings());
        if (mx.status() == DomainPosture.MailStatus.NO_SUCH_DOMAIN) return new DomainPosture(domain, mx.status(), findings, Optional.empty());
        boolean parked = mx.status() == DomainPosture.MailStatus.NO_MAIL || mx.status() == DomainPosture.MailStatus.NULL_MX;
        if (parked) {
            findings.add(DomainFinding.of(Severity.INFO, Area.DOMAIN, "no-mail-domain",
                    d + " has no mail (" + (mx.status() == DomainPosture.MailStatus.NULL_MX ? "null MX" : "no MX, no A/AAAA")
                            + "): it should publish v=spf1 -all, a DMARC record with p=reject and a null MX, so that nobody can send as it"));
        }
        findings.addAll(new SpfPosture(resolver).check(d, mx.status()));
        DmarcPosture.Result dmarc = new DmarcPosture(new DnsTxtLookup(resolver)).check(d, parked);
        findings.addAll(dmarc.findings());
        if (!parked) {
            // Transport security and brand records only matter for a domain that receives or sends mail.
            findings.addAll(new MtaStsPosture(resolver, policyFetcher).check(d, mx.hosts()));
            findings.addAll(new TlsRptPosture(resolver).check(d));
            findings.addAll(new BimiPosture(resolver).check(d, dmarc.policy()));
        }
        return new DomainPosture(domain, mx.status(), findings, Optional.empty());
    }

    /** Audits the domains at most {@code concurrency} at a time; results in input order. */
    public List<DomainPosture> auditAll(List<String> domains, BoundedConcurrency concurrency, IntConsumer progress) {
        return concurrency.run(domains, this::audit,
                (domain, e) -> DomainPosture.notChecked(domain, "audit failed: " + e), progress);
    }
}
