package dev.sekisho.reports.aggregate;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One record of an aggregate report (RFC 7489 appendix C RecordType, RFC 9990 2.1.3): the messages from
 * one source IP that shared the same evaluation, identifiers and authentication results.
 *
 * @param index           1-based position among the report's records (skipped ones included)
 * @param line            the line where the record starts in the XML
 * @param sourceIp        row/source_ip
 * @param count           row/count, the number of messages, never negative
 * @param policyEvaluated row/policy_evaluated
 * @param identifiers     identifiers
 * @param dkim            auth_results/dkim, in order
 * @param spf             auth_results/spf, in order
 */
public record AggregateRecord(int index, long line, InetAddress sourceIp, long count, PolicyEvaluated policyEvaluated,
                              Identifiers identifiers, List<DkimAuth> dkim, List<SpfAuth> spf) {
    public AggregateRecord {
        Objects.requireNonNull(sourceIp, "sourceIp");
        if (count < 0) throw new IllegalArgumentException("count must not be negative: " + count);
        Objects.requireNonNull(policyEvaluated, "policyEvaluated");
        Objects.requireNonNull(identifiers, "identifiers");
        dkim = List.copyOf(dkim);
        spf = List.copyOf(spf);
    }

    /**
     * row/policy_evaluated.
     *
     * @param disposition what the receiver did
     * @param dkim        the DMARC-aligned DKIM result
     * @param spf         the DMARC-aligned SPF result
     * @param reasons     why the receiver applied another disposition than the policy's, in order
     */
    public record PolicyEvaluated(Disposition disposition, DmarcResult dkim, DmarcResult spf, List<Reason> reasons) {
        public PolicyEvaluated {
            Objects.requireNonNull(disposition, "disposition");
            Objects.requireNonNull(dkim, "dkim");
            Objects.requireNonNull(spf, "spf");
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * policy_evaluated/reason (RFC 7489 appendix C PolicyOverrideReason).
     *
     * @param type    the override type lower case, e.g. "forwarded", "local_policy", "mailing_list"; kept as
     *                written because reporters use values outside both specifications' lists
     * @param comment the free-text comment, when given
     */
    public record Reason(String type, Optional<String> comment) {
        public Reason {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(comment, "comment");
        }
    }

    /**
     * identifiers (RFC 7489 appendix C IdentifierType); domains lower case.
     *
     * @param headerFrom   the RFC 5322 From domain
     * @param envelopeFrom the RFC 5321 MAIL FROM domain, when given
     * @param envelopeTo   the RFC 5321 RCPT TO domain, when given
     */
    public record Identifiers(String headerFrom, Optional<String> envelopeFrom, Optional<String> envelopeTo) {
        public Identifiers {
            Objects.requireNonNull(headerFrom, "headerFrom");
            Objects.requireNonNull(envelopeFrom, "envelopeFrom");
            Objects.requireNonNull(envelopeTo, "envelopeTo");
        }
    }

    /**
     * auth_results/dkim (RFC 7489 appendix C DKIMAuthResultType).
     *
     * @param domain      the d= domain, lower case ("" when the reporter left it empty)
     * @param selector    the s= selector, when given
     * @param result      the verification result
     * @param humanResult the free-text result, when given
     */
    public record DkimAuth(String domain, Optional<String> selector, DkimResult result, Optional<String> humanResult) {
        public DkimAuth {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(selector, "selector");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(humanResult, "humanResult");
        }
    }

    /**
     * auth_results/spf (RFC 7489 appendix C SPFAuthResultType).
     *
     * @param domain the checked domain, lower case ("" when the reporter left it empty)
     * @param scope  which identity was checked, when given
     * @param result the SPF result
     */
    public record SpfAuth(String domain, Optional<SpfScope> scope, SpfResult result) {
        public SpfAuth {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(result, "result");
        }
    }
}
