package dev.sekisho.spf;

import java.util.List;
import java.util.Optional;

/**
 * The result of one SPF check with everything that led to it.
 *
 * @param result      the check_host() result
 * @param domain      the domain whose record decided (after redirects), or the checked domain
 * @param explanation for a {@link SpfResult#FAIL}: the expanded exp= text, or the configured default
 * @param mechanism   the mechanism that matched, as written, when one did
 * @param problem     why the result is temperror, permerror or none, in words
 * @param dnsLookups  terms that cost a DNS lookup (RFC 7208 4.6.4, at most 10)
 * @param voidLookups lookups that found nothing (RFC 7208 4.6.4, at most 2)
 * @param trail       every record read, lookup made and term evaluated, in order
 */
public record SpfEvaluation(SpfResult result, String domain, Optional<String> explanation, Optional<String> mechanism,
                            Optional<String> problem, int dnsLookups, int voidLookups, List<Step> trail) {

    public SpfEvaluation {
        trail = List.copyOf(trail);
    }

    /** One step of an evaluation; {@code depth} is 0 for the checked domain and grows by one per include or redirect. */
    public record Step(int depth, String domain, StepKind kind, String detail) {
        @Override
        public String toString() {
            return "  ".repeat(depth) + domain + " " + kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
        }
    }

    public enum StepKind {
        /** the SPF record found at the domain */
        RECORD,
        /** a DNS query and what it found */
        LOOKUP,
        /** a term that matched */
        MATCH,
        /** a term that did not match */
        NO_MATCH,
        /** evaluation continues at an included or redirected domain */
        ENTER,
        /** the reason for an error result */
        ERROR,
        /** the explanation of a fail */
        EXPLANATION
    }
}
