package dev.sekisho.dmarc;

import java.util.List;
import java.util.Objects;

/**
 * The organisational domain of a domain, by one of two methods: the Public Suffix List
 * (RFC 7489 3.2) or the DNS tree walk (RFC 9989 4.10.2). The tree walk can fail temporarily;
 * the list cannot.
 */
public sealed interface OrganizationalDomain {
    /** The domain asked about, normalised. */
    String domain();

    enum Method { PUBLIC_SUFFIX_LIST, DNS_TREE_WALK }

    /**
     * The organisational domain was determined.
     *
     * @param evidence how: the public suffix and its section, or the _dmarc records found and names queried
     */
    record Determined(String domain, String organizationalDomain, Method method, String evidence) implements OrganizationalDomain {
        public Determined {
            Objects.requireNonNull(organizationalDomain, "organizationalDomain");
        }
    }

    /** The tree walk hit a temporary DNS failure at {@code name}; nothing may be concluded. */
    record TemporaryFailure(String domain, String name, String reason) implements OrganizationalDomain {
    }

    /** Finds organisational domains by one method. */
    @FunctionalInterface
    interface Finder {
        /**
         * @throws IllegalArgumentException naming the value when {@code domain} is not a domain name
         */
        OrganizationalDomain find(String domain);
    }

    /** RFC 7489 3.2 with the bundled Public Suffix List. */
    static Finder byPublicSuffixList() {
        return byPublicSuffixList(PublicSuffixList.bundled());
    }

    /** RFC 7489 3.2 with the given list. */
    static Finder byPublicSuffixList(PublicSuffixList list) {
        Objects.requireNonNull(list, "list");
        return domain -> {
            PublicSuffixList.Match m = list.match(domain);
            return new Determined(m.domain(), m.registrableDomain(), Method.PUBLIC_SUFFIX_LIST,
                    "public suffix " + m.publicSuffix() + " (" + m.section().name().toLowerCase(java.util.Locale.ROOT) + ")");
        };
    }

    /** RFC 9989 4.10.2 over the given lookup. */
    static Finder byTreeWalk(TxtLookup lookup) {
        TreeWalk walk = new TreeWalk(lookup);
        return domain -> switch (walk.walk(domain)) {
            case TreeWalk.Result.TemporaryFailure f -> new TemporaryFailure(f.start(), f.name(), f.reason());
            case TreeWalk.Result.Completed c -> new Determined(c.start(), c.organizationalDomain(), Method.DNS_TREE_WALK, evidence(c));
        };
    }

    private static String evidence(TreeWalk.Result.Completed c) {
        List<String> found = c.records().stream()
                .map(f -> f.domain() + (f.record().psd() == PsdFlag.UNSPECIFIED ? "" : " (psd=" + (f.record().psd() == PsdFlag.YES ? "y" : "n") + ")"))
                .toList();
        return (found.isEmpty() ? "no DMARC records" : "DMARC records at " + String.join(", ", found))
                + "; queried " + String.join(", ", c.queried());
    }
}
