package dev.sekisho.reports.analysis;

import dev.sekisho.dmarc.DomainName;
import dev.sekisho.store.RecordGroup;
import dev.sekisho.store.StoredPolicy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a domain can move from p=none to quarantine and then to reject (RFC 7489 6.3), which legitimate
 * sources would lose mail and why, and for a domain that sends no legitimate mail the records that park it.
 *
 * @param domain             the From domain asked about
 * @param published          the policy the latest report saw published, when any report had one for the domain
 * @param messages           all messages with this From domain (and its subdomains)
 * @param legitimateMessages messages from authorised and forwarded sources
 * @param legitimateFailing  of those, the messages that failed DMARC: what quarantine or reject would hit
 * @param spoofingMessages   messages from spoofing sources
 * @param spoofingSources    spoofing source addresses
 * @param quarantine         the step to p=quarantine
 * @param reject             the step to p=reject
 * @param findings           what fails and how, most messages first
 * @param parkedRecords      the DNS records for a domain that sends no mail; empty when it sends some
 */
public record PolicyAdvice(String domain, Optional<StoredPolicy> published, long messages, long legitimateMessages,
                           long legitimateFailing, long spoofingMessages, long spoofingSources, Step quarantine, Step reject,
                           List<Finding> findings, List<String> parkedRecords) {
    public PolicyAdvice {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(published, "published");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(reject, "reject");
        findings = List.copyOf(findings);
        parkedRecords = List.copyOf(parkedRecords);
    }

    /**
     * One step to a stricter policy.
     *
     * @param policy "quarantine" or "reject"
     * @param ready  whether the domain can take it now
     * @param reason one sentence saying why
     */
    public record Step(String policy, boolean ready, String reason) {
    }

    /** What a finding is about. */
    public enum Kind {
        /** An authorised or forwarded source whose messages fail DMARC: a stricter policy would lose them. */
        LEGITIMATE_FAILING,
        /**
         * A source that fails DMARC for this domain but authenticates as another domain: an email service that was never
         * set up to sign or send as this domain, or a spammer with a domain of its own. The owner must say which.
         */
        AUTHENTICATES_AS_OTHER_DOMAIN;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * @param kind        what it is about
     * @param ip          the source address
     * @param sourceClass the source's class
     * @param messages    the failing messages
     * @param problem     how they fail, e.g. "SPF not aligned: envelope domain bounce.esp.example; not DKIM-signed"
     */
    public record Finding(Kind kind, String ip, SourceClass sourceClass, long messages, String problem) {
    }

    /**
     * @param groups             the record groups of the domain (and its subdomains)
     * @param maxFailingFraction the share of legitimate mail that may fail DMARC for a step to be ready, 0 to 1
     */
    public static PolicyAdvice of(String domain, List<RecordGroup> groups, Optional<StoredPolicy> published,
                                  SourceClassifier classifier, double maxFailingFraction) {
        String d = DomainName.normalize(domain);
        if (!(maxFailingFraction >= 0 && maxFailingFraction <= 1)) {
            throw new IllegalArgumentException("the failing share must be between 0 and 1, was " + maxFailingFraction);
        }
        Map<String, SourceClass> classOfIp = new LinkedHashMap<>();
        for (Source s : Source.of(groups, classifier)) classOfIp.put(s.ip(), s.sourceClass());

        long messages = 0, legitimate = 0, failing = 0, spoofing = 0;
        Map<List<Object>, Long> findingMessages = new LinkedHashMap<>();
        for (RecordGroup g : groups) {
            messages += g.messages();
            SourceClass c = classOfIp.get(g.sourceIp());
            if (c == SourceClass.SPOOFING) {
                spoofing += g.messages();
                if (!g.dmarcPass() && (g.spfPass() || g.dkimPass())) {
                    findingMessages.merge(List.of(Kind.AUTHENTICATES_AS_OTHER_DOMAIN, g.sourceIp(), c, problem(g)), g.messages(), Long::sum);
                }
                continue;
            }
            legitimate += g.messages();
            if (!g.dmarcPass()) {
                failing += g.messages();
                findingMessages.merge(List.of(Kind.LEGITIMATE_FAILING, g.sourceIp(), c, problem(g)), g.messages(), Long::sum);
            }
        }
        List<Finding> findings = new ArrayList<>();
        findingMessages.forEach((key, n) -> findings.add(new Finding((Kind) key.get(0), (String) key.get(1), (SourceClass) key.get(2), n,
                (String) key.get(3))));
        findings.sort(Comparator.comparing(Finding::kind).thenComparing(Comparator.comparingLong(Finding::messages).reversed())
                .thenComparing(Finding::ip).thenComparing(Finding::problem));
        long spoofingSources = classOfIp.values().stream().filter(SourceClass.SPOOFING::equals).count();

        String current = published.map(StoredPolicy::p).orElse("none");
        Step quarantine, reject;
        List<String> parked = List.of();
        if (messages == 0) {
            quarantine = new Step("quarantine", false, "no aggregate reports about " + d + ": nothing to judge by");
            reject = new Step("reject", false, quarantine.reason());
        } else if (legitimate == 0) {
            // Only spoofed mail uses the domain: nothing legitimate can be lost, so it can be parked at once.
            parked = parkedRecords(d);
            quarantine = new Step("quarantine", true, "no legitimate source sends as " + d + ": publish the parked-domain records");
            reject = new Step("reject", true, quarantine.reason());
        } else {
            double share = (double) failing / legitimate;
            String measured = percent(share) + " of legitimate mail (" + failing + " of " + legitimate
                    + " messages) fails DMARC; the limit is " + percent(maxFailingFraction);
            boolean healthy = share <= maxFailingFraction;
            if (current.equals("quarantine") || current.equals("reject")) {
                quarantine = new Step("quarantine", true, "p=" + current + " is already published");
            } else {
                quarantine = new Step("quarantine", healthy, healthy ? measured : measured + ": fix the sources listed first");
            }
            Optional<Integer> pct = published.flatMap(StoredPolicy::pct);
            if (current.equals("reject")) {
                reject = new Step("reject", true, "p=reject is already published");
            } else if (!healthy) {
                reject = new Step("reject", false, measured + ": fix the sources listed first");
            } else if (!current.equals("quarantine")) {
                reject = new Step("reject", false, "publish p=quarantine first and watch a few weeks of reports for legitimate mail that fails");
            } else if (pct.isPresent() && pct.get() < 100) {
                // RFC 7489 6.3: pct applies the policy to that share of failing mail only; the rest is treated as p=none.
                reject = new Step("reject", false, "p=quarantine applies to pct=" + pct.get() + "% of failing mail: raise pct to 100 first");
            } else {
                reject = new Step("reject", true, measured + " under p=quarantine");
            }
        }
        return new PolicyAdvice(d, published, messages, legitimate, failing, spoofing, spoofingSources, quarantine, reject, findings, parked);
    }

    /**
     * The records that say a domain sends no mail: SPF authorising nobody (RFC 7208 5.1 "-all"), a DMARC policy that
     * rejects what fails (RFC 7489 6.3), and a null MX so nobody sends mail to it either (RFC 7505 3).
     */
    static List<String> parkedRecords(String domain) {
        return List.of(domain + ". TXT \"v=spf1 -all\"",
                "_dmarc." + domain + ". TXT \"v=DMARC1; p=reject; sp=reject\"",
                domain + ". MX 0 .");
    }

    /** How a group fails, in the owner's terms: first SPF, then DKIM (RFC 7489 3.1 alignment of each). */
    static String problem(RecordGroup g) {
        String spf;
        if (g.spfAligned()) {
            spf = "SPF passes aligned";
        } else if (g.spfPass()) {
            spf = "SPF not aligned: envelope domain " + g.spfDomain().or(g::envelopeFrom).filter(s -> !s.isEmpty()).orElse("(unknown)");
        } else if (g.spfResult().isPresent()) {
            spf = "SPF " + g.spfResult().get() + g.spfDomain().filter(s -> !s.isEmpty()).map(s -> " for " + s).orElse("");
        } else {
            spf = "no SPF result";
        }
        String dkim;
        if (g.dkimAligned()) {
            dkim = "DKIM passes aligned";
        } else if (g.dkimPass()) {
            dkim = "DKIM not aligned: signed by d=" + g.dkimDomain().orElse("");
        } else if (g.dkimResult().isPresent()) {
            dkim = "DKIM " + g.dkimResult().get() + g.dkimDomain().filter(s -> !s.isEmpty()).map(s -> " for d=" + s).orElse("");
        } else {
            dkim = "not DKIM-signed";
        }
        return spf + "; " + dkim;
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }
}
