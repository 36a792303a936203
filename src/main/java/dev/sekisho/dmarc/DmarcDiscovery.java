package dev.sekisho.dmarc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds DMARC records in the DNS through a {@link TxtLookup}: the record at one domain
 * ({@link #fetch(String)}) and the policy record that applies to an author domain
 * ({@link #discover(String)}, RFC 9989 4.10.1, or {@link #discoverByPublicSuffixList(String)}, RFC 7489 6.6.3).
 */
public final class DmarcDiscovery {
    private final TxtLookup lookup;

    public DmarcDiscovery(TxtLookup lookup) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    /** What was found at one _dmarc name. */
    public sealed interface Fetch {
        /** The domain whose record was asked for. */
        String domain();

        /** The name queried, _dmarc.{domain}. */
        String name();

        /** Exactly one DMARC record was published there. */
        record Found(String domain, String name, DmarcRecord record) implements Fetch {
        }

        /** No DMARC record applies here, for the {@link Reason} given; {@code texts} are the TXT records seen, if any. */
        record NotFound(String domain, String name, Reason reason, List<String> texts) implements Fetch {
            public NotFound {
                texts = List.copyOf(texts);
            }
        }

        /** The DNS could not answer; whether there is a record is unknown. */
        record TemporaryFailure(String domain, String name, String reason) implements Fetch {
        }
    }

    /** Why there is no record. */
    public enum Reason {
        /** The name exists but has no TXT record. */
        NO_TXT_RECORD,
        /** The _dmarc name does not exist (NXDOMAIN). */
        NO_SUCH_DOMAIN,
        /** There are TXT records, but none starts with v=DMARC1. */
        NO_DMARC_RECORD,
        /** RFC 7489 6.6.3 step 5 / RFC 9989 4.10 step 2: several DMARC records, so none applies. */
        MULTIPLE_RECORDS,
        /** _dmarc.{domain} would be longer than a DNS name can be, so it cannot exist. */
        NAME_TOO_LONG
    }

    /**
     * The record at _dmarc.{domain}, exactly (no walk).
     *
     * @throws IllegalArgumentException naming the value when {@code domain} is not a domain name
     */
    public Fetch fetch(String domain) {
        String d = DomainName.normalize(domain);
        Optional<String> name = DomainName.under("_dmarc", d);
        if (name.isEmpty()) return new Fetch.NotFound(d, "_dmarc." + d, Reason.NAME_TOO_LONG, List.of());
        return classify(d, name.get(), lookup.txt(name.get()));
    }

    static Fetch classify(String domain, String name, TxtLookup.Answer answer) {
        return switch (answer) {
            case TxtLookup.Answer.TemporaryFailure f -> new Fetch.TemporaryFailure(domain, name, f.reason());
            case TxtLookup.Answer.NoSuchDomain n -> new Fetch.NotFound(domain, name, Reason.NO_SUCH_DOMAIN, List.of());
            case TxtLookup.Answer.NoRecords n -> new Fetch.NotFound(domain, name, Reason.NO_TXT_RECORD, List.of());
            case TxtLookup.Answer.Records r -> {
                // RFC 7489 6.6.3 step 3 / RFC 9989 4.10 step 2: discard records that do not start with v=DMARC1 ...
                List<String> dmarc = r.texts().stream().filter(DmarcRecord::isDmarcRecord).toList();
                if (dmarc.isEmpty()) yield new Fetch.NotFound(domain, name, Reason.NO_DMARC_RECORD, r.texts());
                // ... and if more than one remains, discard them all (RFC 7489 6.6.3 step 5).
                if (dmarc.size() > 1) yield new Fetch.NotFound(domain, name, Reason.MULTIPLE_RECORDS, dmarc);
                yield new Fetch.Found(domain, name, DmarcRecord.parse(dmarc.getFirst()));
            }
        };
    }

    /** Where the applicable policy record was published. */
    public enum Source {
        /** At the author domain itself: its p applies. */
        AUTHOR_DOMAIN,
        /** At the author domain's organisational domain: its sp (existing) or np (non-existent domains) applies. */
        ORGANIZATIONAL_DOMAIN,
        /** At the public suffix domain above it (psd=y, RFC 9989): its sp or np applies. */
        PUBLIC_SUFFIX_DOMAIN
    }

    /** The policy record that applies to an author domain. */
    public sealed interface Discovery {
        String authorDomain();

        /** Every _dmarc name queried, in order. */
        List<String> queried();

        /** A record applies. */
        record Found(String authorDomain, String policyDomain, Source source, DmarcRecord record, List<String> queried) implements Discovery {
            public Found {
                queried = List.copyOf(queried);
            }

            /**
             * The policy for mail from the author domain (RFC 9989 4.10.1): p at the author domain;
             * otherwise sp for a domain that exists and np for one that does not.
             */
            public Policy applicablePolicy(boolean authorDomainExists) {
                if (source == Source.AUTHOR_DOMAIN) return record.policy();
                return authorDomainExists ? record.subdomainPolicy() : record.nonExistentSubdomainPolicy();
            }
        }

        /** No record applies: receivers MUST NOT apply DMARC (RFC 9989 4.10.1). */
        record None(String authorDomain, List<String> queried) implements Discovery {
            public None {
                queried = List.copyOf(queried);
            }
        }

        /** A query failed; it is unknown whether a record applies. */
        record TemporaryFailure(String authorDomain, String name, String reason, List<String> queried) implements Discovery {
            public TemporaryFailure {
                queried = List.copyOf(queried);
            }
        }
    }

    /**
     * RFC 9989 4.10.1: the record at the author domain, else the record of its organisational domain
     * or of its public suffix domain, found by the DNS tree walk.
     *
     * @throws IllegalArgumentException naming the value when {@code authorDomain} is not a domain name
     */
    public Discovery discover(String authorDomain) {
        String author = DomainName.normalize(authorDomain);
        List<String> queried = new ArrayList<>();
        Fetch first = fetchCounted(author, queried);
        if (first instanceof Fetch.TemporaryFailure f) return new Discovery.TemporaryFailure(author, f.name(), f.reason(), queried);
        if (first instanceof Fetch.Found found) {
            return new Discovery.Found(author, author, Source.AUTHOR_DOMAIN, found.record(), queried);
        }
        // RFC 9989 4.10.1: otherwise walk from the parent (or the shortened name for eight labels or more).
        TreeWalk.Result walk = new TreeWalk(lookup).walkAbove(author);
        queried.addAll(walk.queried());
        if (walk instanceof TreeWalk.Result.TemporaryFailure f) {
            return new Discovery.TemporaryFailure(author, f.name(), f.reason(), queried);
        }
        TreeWalk.Result.Completed done = (TreeWalk.Result.Completed) walk;
        if (done.records().isEmpty()) return new Discovery.None(author, queried);
        String org = done.organizationalDomain();
        for (TreeWalk.Found f : done.records()) {
            if (f.domain().equals(org)) return new Discovery.Found(author, org, Source.ORGANIZATIONAL_DOMAIN, f.record(), queried);
        }
        for (TreeWalk.Found f : done.records()) {
            if (f.record().psd() == PsdFlag.YES) return new Discovery.Found(author, f.domain(), Source.PUBLIC_SUFFIX_DOMAIN, f.record(), queried);
        }
        return new Discovery.None(author, queried);
    }

    /**
     * RFC 7489 6.6.3: the record at the author domain, else the record at its organisational
     * domain by the Public Suffix List.
     *
     * @throws IllegalArgumentException naming the value when {@code authorDomain} is not a domain name
     */
    public Discovery discoverByPublicSuffixList(String authorDomain, PublicSuffixList list) {
        String author = DomainName.normalize(authorDomain);
        List<String> queried = new ArrayList<>();
        Fetch first = fetchCounted(author, queried);
        if (first instanceof Fetch.TemporaryFailure f) return new Discovery.TemporaryFailure(author, f.name(), f.reason(), queried);
        if (first instanceof Fetch.Found found) return new Discovery.Found(author, author, Source.AUTHOR_DOMAIN, found.record(), queried);
        // RFC 7489 6.6.3 step 6: if no record is found at the author domain, query its organisational domain.
        String org = list.organizationalDomain(author);
        if (org.equals(author)) return new Discovery.None(author, queried);
        Fetch second = fetchCounted(org, queried);
        return switch (second) {
            case Fetch.TemporaryFailure f -> new Discovery.TemporaryFailure(author, f.name(), f.reason(), queried);
            case Fetch.Found found -> new Discovery.Found(author, org, Source.ORGANIZATIONAL_DOMAIN, found.record(), queried);
            case Fetch.NotFound n -> new Discovery.None(author, queried);
        };
    }

    /** {@link #discoverByPublicSuffixList(String, PublicSuffixList)} with the bundled list. */
    public Discovery discoverByPublicSuffixList(String authorDomain) {
        return discoverByPublicSuffixList(authorDomain, PublicSuffixList.bundled());
    }

    private Fetch fetchCounted(String domain, List<String> queried) {
        Fetch fetch = fetch(domain);
        if (!(fetch instanceof Fetch.NotFound n && n.reason() == Reason.NAME_TOO_LONG)) queried.add(fetch.name());
        return fetch;
    }
}
