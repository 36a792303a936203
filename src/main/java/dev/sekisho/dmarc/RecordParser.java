package dev.sekisho.dmarc;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The validator behind {@link DmarcRecord#parse(String)}: one instance per record. */
final class RecordParser {
    /** RFC 7489 6.3 and RFC 9989 4.7, the tags both specifications (or either) define. */
    private static final Set<String> KNOWN = Set.of("v", "p", "sp", "np", "adkim", "aspf", "pct", "rua", "ruf", "fo", "rf", "ri", "psd", "t");
    /** RFC 7489 6.2: receivers MAY limit the URIs they report to, but must support at least two. */
    private static final int URIS_EVERY_RECEIVER_USES = 2;

    private final String text;
    private final List<Finding> findings = new ArrayList<>();
    private int dropped;

    private boolean recognized;
    private Optional<Policy> p = Optional.empty();
    private Optional<Policy> sp = Optional.empty();
    private Optional<Policy> np = Optional.empty();
    private boolean pInvalid;
    private boolean subPolicyInvalid;
    private AlignmentMode adkim = AlignmentMode.RELAXED;
    private AlignmentMode aspf = AlignmentMode.RELAXED;
    private int pct = 100;
    private final List<ReportUri> rua = new ArrayList<>();
    private final List<ReportUri> ruf = new ArrayList<>();
    private Set<FailureOption> fo = Set.of(FailureOption.ALL_FAIL);
    private List<String> rf = List.of("afrf");
    private long ri = 86_400;
    private PsdFlag psd = PsdFlag.UNSPECIFIED;
    private boolean testing;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private int pPosition = -1;
    private boolean firstWasVersion;

    RecordParser(String text) {
        this.text = text;
    }

    DmarcRecord parse() {
        if (text.length() > DmarcRecord.MAX_LENGTH) {
            add(Severity.ERROR, "too-long", "", "the record is " + text.length()
                    + " characters long, more than any DNS TXT record can hold (65535); it was not parsed");
            return build();
        }
        if (Text.trimWsp(text).isEmpty()) {
            add(Severity.ERROR, "missing-version", "", "the record is empty; a DMARC record starts with v=DMARC1");
            return build();
        }
        if (Text.isWsp(text.charAt(0))) {
            // RFC 9989 4.10 step 2: records that do not start with a "v" tag are discarded.
            add(Severity.WARNING, "leading-whitespace", "", "the record starts with white space; receivers that require it to start with \"v=\" will discard it");
        }
        // RFC 9989 4.8: dmarc-value excludes ";" (%x3B), so splitting on ";" finds every dmarc-sep.
        String[] parts = text.split(";", -1);
        int position = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = Text.trimWsp(parts[i]);
            if (part.isEmpty()) {
                // RFC 9989 4.8: dmarc-record = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep]: one trailing ";" is allowed.
                if (i == parts.length - 1 && i > 0) continue;
                if (i == 0) {
                    add(Severity.ERROR, "missing-version", "", "the record starts with \";\"; a DMARC record starts with v=DMARC1");
                    position++;
                } else {
                    add(Severity.WARNING, "empty-tag", "", "an empty tag between two \";\" (tag " + (i + 1)
                            + "); the grammar does not allow it and strict receivers may reject the record");
                }
                continue;
            }
            tag(part, position++);
        }
        finish();
        return build();
    }

    private void tag(String part, int position) {
        int eq = part.indexOf('=');
        if (eq < 0) {
            add(Severity.ERROR, "malformed-tag", "", "\"" + Text.quote(part) + "\" is not a tag=value pair; receivers ignore it");
            if (position == 0) versionMissing();
            return;
        }
        String rawName = Text.trimWsp(part.substring(0, eq));
        String value = Text.trimWsp(part.substring(eq + 1));
        // RFC 9989 4.8: dmarc-tag = 1*ALPHA equals 1*dmarc-value
        if (rawName.isEmpty() || !rawName.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            add(Severity.ERROR, "malformed-tag", "", "\"" + Text.quote(rawName) + "\" is not a tag name (letters only); receivers ignore the tag");
            if (position == 0) versionMissing();
            return;
        }
        String name = rawName.toLowerCase(Locale.ROOT);
        if (position == 0) {
            version(rawName, name, value);
            return;
        }
        if (name.equals("v")) {
            // Already reported as version-not-first when the record did not start with v.
            if (firstWasVersion) {
                add(Severity.ERROR, "duplicate-tag", "v", "v appears again after the first tag; a record has one version, first");
            }
            return;
        }
        if (!KNOWN.contains(name)) {
            // RFC 9989 4.7: unknown tags MUST be ignored. RFC 7489 6.3 says the same.
            add(Severity.WARNING, "unknown-tag", name, "unknown tag \"" + Text.quote(rawName) + "\"; receivers ignore it");
            return;
        }
        if (tags.containsKey(name)) {
            // RFC 7489 6.3: DMARC uses DKIM's tag-list syntax; RFC 6376 3.2: a duplicate tag makes the tag-list invalid.
            add(Severity.ERROR, "duplicate-tag", name, name + " appears more than once; under RFC 6376 3.2 the whole record is invalid, "
                    + "and receivers that accept it may use either value (this one, \"" + Text.quote(value) + "\", is ignored here)");
            return;
        }
        if (value.isEmpty()) {
            add(Severity.ERROR, "empty-value", name, name + " has no value; receivers ignore it");
            tags.put(name, value);
            return;
        }
        // RFC 9989 4.8: dmarc-value = %x20-3A / %x3C-7E, printing characters only.
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                add(Severity.ERROR, "invalid-character", name, name + " contains a control or non-ASCII character ("
                        + Text.quote(String.valueOf(c)) + ") in \"" + Text.quote(value) + "\"; receivers ignore the tag");
                tags.put(name, value);
                if (name.equals("p")) pInvalid = true;
                if (name.equals("sp") || name.equals("np")) subPolicyInvalid = true;
                return;
            }
        }
        if (!rawName.equals(name)) {
            add(Severity.WARNING, "upper-case", name, "tag name \"" + rawName + "\" is not lower case; the grammar allows it, "
                    + "but some receivers only match lower-case tag names");
        }
        tags.put(name, value);
        switch (name) {
            case "p" -> {
                pPosition = position;
                p = policy(name, value);
                pInvalid = p.isEmpty();
            }
            case "sp" -> {
                sp = policy(name, value);
                subPolicyInvalid |= sp.isEmpty();
            }
            case "np" -> {
                np = policy(name, value);
                subPolicyInvalid |= np.isEmpty();
                // RFC 9989 4.7: np is new; RFC 7489 receivers ignore it and apply sp (or p) to non-existent subdomains.
                add(Severity.INFO, "dmarcbis-tag", name, "np is defined by DMARCbis (RFC 9989); RFC 7489 receivers ignore it and apply sp or p instead");
            }
            case "adkim" -> adkim = alignment(name, value, adkim);
            case "aspf" -> aspf = alignment(name, value, aspf);
            case "pct" -> percent(value);
            case "rua" -> uris(name, value, rua);
            case "ruf" -> uris(name, value, ruf);
            case "fo" -> failureOptions(value);
            case "rf" -> reportFormats(value);
            case "ri" -> reportInterval(value);
            case "psd" -> psd(value);
            case "t" -> testing(value);
            default -> throw new IllegalStateException("unhandled known tag " + name);
        }
    }

    private void versionMissing() {
        add(Severity.ERROR, "missing-version", "v", "the record does not start with v=DMARC1; receivers ignore the whole record");
    }

    private void version(String rawName, String name, String value) {
        firstWasVersion = name.equals("v");
        if (!firstWasVersion) {
            // RFC 7489 6.3 / RFC 9989 4.7: v is REQUIRED and MUST be the first tag; otherwise the record MUST be ignored.
            boolean later = false;
            for (String part : text.split(";", -1)) {
                String t = Text.trimWsp(part);
                int eq = t.indexOf('=');
                if (eq > 0 && Text.trimWsp(t.substring(0, eq)).equalsIgnoreCase("v")) later = true;
            }
            if (later) {
                add(Severity.ERROR, "version-not-first", "v", "v=DMARC1 must be the first tag, but the record starts with \""
                        + Text.quote(rawName) + "\"; receivers ignore the whole record");
            } else {
                versionMissing();
            }
            // Validate the rest anyway, so one round of fixes suffices; the record stays unrecognised.
            tagAfterMissingVersion(rawName, value);
            return;
        }
        tags.put("v", value);
        // RFC 7489 6.3 / RFC 9989 4.7: the value MUST be "DMARC1" and match precisely (RFC 9989 4.8: %s"DMARC1").
        if (value.equals("DMARC1")) {
            recognized = true;
            if (!rawName.equals("v")) {
                add(Severity.WARNING, "upper-case", "v", "the version tag is written \"V\"; the grammar allows it, but receivers that "
                        + "look for a record starting with \"v=DMARC1\" will discard this one");
            }
            return;
        }
        if (value.equalsIgnoreCase("DMARC1")) {
            add(Severity.ERROR, "invalid-version", "v", "the version is \"" + Text.quote(value) + "\"; it must be exactly \"DMARC1\" "
                    + "(case-sensitive), so receivers ignore the whole record");
        } else {
            add(Severity.ERROR, "invalid-version", "v", "the version is \"" + Text.quote(value) + "\", not \"DMARC1\"; receivers ignore the whole record");
        }
    }

    /** The first tag was not v: treat it like any later tag for the findings. */
    private void tagAfterMissingVersion(String rawName, String value) {
        String part = rawName + "=" + value;
        tag(part, 1);
    }

    private Optional<Policy> policy(String name, String value) {
        Optional<Policy> policy = Policy.parse(value);
        if (policy.isEmpty()) {
            add(Severity.ERROR, "invalid-value", name, name + "=" + Text.quote(value) + " is not none, quarantine or reject; " + invalidPolicyConsequence());
        } else {
            lowerCase(name, value);
        }
        return policy;
    }

    private static String invalidPolicyConsequence() {
        // RFC 7489 6.6.3 and RFC 9989 4.10.1: an invalid p, sp or np makes receivers act as if p=none when rua has a
        // valid URI, and apply no DMARC processing otherwise.
        return "receivers then act as if p=none when rua holds a valid URI, and ignore the record otherwise";
    }

    private AlignmentMode alignment(String name, String value, AlignmentMode fallback) {
        // RFC 9989 4.8: dmarc-rors = "r" / "s"
        if (value.equalsIgnoreCase("r")) {
            lowerCase(name, value);
            return AlignmentMode.RELAXED;
        }
        if (value.equalsIgnoreCase("s")) {
            lowerCase(name, value);
            add(Severity.INFO, "strict-alignment", name, name + "=s asks for strict alignment: mail authenticated only by a subdomain "
                    + "or parent of the From domain fails DMARC");
            return AlignmentMode.STRICT;
        }
        add(Severity.ERROR, "invalid-value", name, name + "=" + Text.quote(value) + " is not r or s; receivers use the default, r (relaxed)");
        return fallback;
    }

    private void percent(String value) {
        // RFC 7489 6.4: dmarc-percent = "pct" *WSP "=" *WSP 1*3DIGIT, an integer from 0 to 100 (6.3).
        if (!value.matches("[0-9]{1,3}") || Integer.parseInt(value) > 100) {
            add(Severity.ERROR, "invalid-value", "pct", "pct=" + Text.quote(value) + " is not an integer from 0 to 100; "
                    + "RFC 7489 receivers use the default, 100");
            return;
        }
        pct = Integer.parseInt(value);
        // RFC 9989 removed pct (its appendix on the removal of the pct tag); t=y replaces pct=0.
        if (pct == 100) {
            add(Severity.WARNING, "removed-tag", "pct", "pct was removed by DMARCbis (RFC 9989) and is ignored by its receivers; "
                    + "pct=100 is the RFC 7489 default, so remove the tag");
        } else {
            add(Severity.WARNING, "removed-tag", "pct", "pct=" + pct + ": RFC 7489 receivers apply the policy to only " + pct
                    + "% of failing mail, but DMARCbis (RFC 9989) removed pct and its receivers apply the policy to all of it; "
                    + "use t=y to test a policy");
        }
    }

    private void uris(String name, String value, List<ReportUri> into) {
        // RFC 9989 4.8: dmarc-urilist = dmarc-uri *(*WSP "," *WSP dmarc-uri)
        String[] items = value.split(",", -1);
        int count = 0;
        for (String item : items) {
            String uriText = Text.trimWsp(item);
            ReportUri.Parsed parsed = ReportUri.parse(uriText);
            if (parsed.uri().isEmpty()) {
                add(Severity.ERROR, "invalid-uri", name, "\"" + Text.quote(uriText) + "\" in " + name + ": " + parsed.problem() + "; receivers ignore it");
                continue;
            }
            ReportUri uri = parsed.uri().get();
            count++;
            into.add(uri);
            if (!uri.isMailto()) {
                // RFC 9989 4.7: receivers MUST support mailto:, and MUST ignore URIs with schemes they do not support.
                add(Severity.WARNING, "unsupported-uri", name, "\"" + Text.quote(uriText) + "\" in " + name + " is not a mailto: URI; "
                        + "receivers need only support mailto: and ignore the rest");
            }
            if (uri.sizeLimit().isPresent()) {
                // RFC 7489 6.2 size limit; RFC 9989 4.8 requires "!" to be encoded, and the reporting documents drop the limit.
                add(Severity.INFO, "size-limit", name, "\"" + Text.quote(uriText) + "\" in " + name + " carries an RFC 7489 size limit; "
                        + "DMARCbis receivers ignore it");
            }
        }
        if (count > URIS_EVERY_RECEIVER_USES) {
            // RFC 7489 6.2: a receiver MAY limit the number of URIs, but MUST support at least two.
            add(Severity.WARNING, "too-many-uris", name, name + " lists " + count + " URIs; receivers need only report to the first two");
        }
    }

    private void failureOptions(String value) {
        // RFC 7489 6.4: dmarc-fo = "fo" *WSP "=" *WSP ("0" / "1" / "d" / "s") *(*WSP ":" *WSP ("0" / "1" / "d" / "s"))
        Set<FailureOption> options = EnumSet.noneOf(FailureOption.class);
        for (String token : value.split(":", -1)) {
            FailureOption option = FailureOption.parse(Text.trimWsp(token));
            if (option == null) {
                add(Severity.ERROR, "invalid-value", "fo", "fo=" + Text.quote(value) + " is not a colon-separated list of 0, 1, d and s; "
                        + "receivers use the default, 0");
                return;
            }
            options.add(option);
        }
        lowerCase("fo", value);
        fo = options;
    }

    private void reportFormats(String value) {
        // RFC 7489 6.4: dmarc-rfmt = "rf" *WSP "=" *WSP Keyword *(*WSP ":" Keyword); 6.3: only "afrf" is defined.
        List<String> formats = new ArrayList<>();
        for (String token : value.split(":", -1)) {
            String format = Text.trimWsp(token).toLowerCase(Locale.ROOT);
            if (!format.equals("afrf")) {
                add(Severity.ERROR, "invalid-value", "rf", "rf=" + Text.quote(value) + ": \"" + Text.quote(format) + "\" is not a report format "
                        + "(only afrf is defined); RFC 7489 receivers use afrf");
                return;
            }
            formats.add(format);
        }
        rf = formats;
        // RFC 9989 removed rf and ri; the failure and aggregate reporting documents fix the format and interval.
        add(Severity.WARNING, "removed-tag", "rf", "rf was removed by DMARCbis (RFC 9989) and is ignored by its receivers; remove it");
    }

    private void reportInterval(String value) {
        // RFC 7489 6.3: ri is a 32-bit unsigned integer (seconds), 6.4: 1*DIGIT.
        if (!value.matches("[0-9]{1,10}") || Long.parseLong(value) > 0xFFFF_FFFFL) {
            add(Severity.ERROR, "invalid-value", "ri", "ri=" + Text.quote(value) + " is not a 32-bit unsigned number of seconds; "
                    + "RFC 7489 receivers use the default, 86400");
            return;
        }
        ri = Long.parseLong(value);
        add(Severity.WARNING, "removed-tag", "ri", "ri was removed by DMARCbis (RFC 9989) and is ignored by its receivers, "
                + "which send aggregate reports at least daily; remove it");
    }

    private void psd(String value) {
        // RFC 9989 4.8: dmarc-psd = "y" / "n" / "u"
        switch (value.toLowerCase(Locale.ROOT)) {
            case "y" -> {
                psd = PsdFlag.YES;
                add(Severity.WARNING, "public-suffix-domain", "psd", "psd=y declares this domain a public suffix domain: only a public "
                        + "suffix operator publishes it (RFC 9989 5.2), and each subdomain becomes an organisational domain of its own");
            }
            case "n" -> psd = PsdFlag.NO;
            case "u" -> psd = PsdFlag.UNSPECIFIED;
            default -> {
                add(Severity.ERROR, "invalid-value", "psd", "psd=" + Text.quote(value) + " is not y, n or u; receivers use the default, u");
                return;
            }
        }
        lowerCase("psd", value);
        add(Severity.INFO, "dmarcbis-tag", "psd", "psd is defined by DMARCbis (RFC 9989); RFC 7489 receivers ignore it");
    }

    private void testing(String value) {
        // RFC 9989 4.8: dmarc-yorn = "y" / "n"
        switch (value.toLowerCase(Locale.ROOT)) {
            case "y" -> testing = true; // the finding waits for p, sp and np: see finish()
            case "n" -> testing = false;
            default -> {
                add(Severity.ERROR, "invalid-value", "t", "t=" + Text.quote(value) + " is not y or n; receivers use the default, n");
                return;
            }
        }
        lowerCase("t", value);
        if (!testing) add(Severity.INFO, "dmarcbis-tag", "t", "t is defined by DMARCbis (RFC 9989); RFC 7489 receivers ignore it");
    }

    private void lowerCase(String name, String value) {
        if (!value.equals(value.toLowerCase(Locale.ROOT))) {
            add(Severity.WARNING, "upper-case", name, name + "=" + Text.quote(value) + " is not lower case; the grammar allows it, "
                    + "but some receivers only match lower-case values");
        }
    }

    /** Checks across tags, once every tag is read. */
    private void finish() {
        if (!recognized) return;
        boolean validRua = !rua.isEmpty();
        if (!tags.containsKey("p") || pInvalid) {
            if (!tags.containsKey("p")) {
                // RFC 7489 6.3: p is REQUIRED for policy records; RFC 9989 4.7: RECOMMENDED, absent means p=none.
                // RFC 7489 6.6.3: without a valid p, a receiver acts as if p=none only when rua has a valid URI.
                if (validRua) {
                    add(Severity.WARNING, "missing-policy", "p", "there is no p tag: receivers act as if p=none (RFC 7489 requires p)");
                } else {
                    add(Severity.ERROR, "missing-policy", "p", "there is no p tag and no valid rua: RFC 7489 receivers ignore the record, "
                            + "DMARCbis receivers act as if p=none");
                }
            } else if (!validRua) {
                add(Severity.ERROR, "record-ignored", "p", "with an invalid p and no valid rua, receivers apply no DMARC processing at all");
            }
        } else if (subPolicyInvalid && !validRua) {
            add(Severity.ERROR, "record-ignored", tags.containsKey("np") && np.isEmpty() ? "np" : "sp",
                    "with an invalid sp or np and no valid rua, receivers apply no DMARC processing at all");
        }
        if (pPosition > 1) {
            // RFC 7489 6.4's ABNF puts p directly after v; RFC 9989 4.8 allows any order.
            add(Severity.WARNING, "policy-not-second", "p", "p is not the tag right after v; RFC 7489's grammar puts it there and "
                    + "some receivers still expect it");
        }
        Policy effective = p.orElse(Policy.NONE);
        if (p.isPresent() && effective == Policy.NONE) {
            add(Severity.WARNING, "policy-none", "p", "p=none only monitors: receivers deliver mail that fails DMARC as if there were no policy");
        }
        if (sp.isPresent() && sp.get().weakerThan(effective)) {
            add(Severity.WARNING, "weaker-subdomain-policy", "sp", "sp=" + sp.get().token() + " is weaker than p=" + effective.token()
                    + ": mail from made-up subdomains gets less protection than the domain itself");
        }
        Policy subdomain = sp.orElse(effective);
        if (np.isPresent() && np.get().weakerThan(subdomain)) {
            add(Severity.WARNING, "weaker-nonexistent-policy", "np", "np=" + np.get().token() + " is weaker than the policy for existing subdomains ("
                    + subdomain.token() + "): mail from subdomains that do not even exist gets less protection");
        }
        if (testing) {
            // RFC 9989 4.7: t=y asks receivers to apply one level less than p, sp or np; it has no effect on "none".
            if (effective == Policy.NONE && subdomain == Policy.NONE && np.orElse(subdomain) == Policy.NONE) {
                add(Severity.INFO, "test-mode", "t", "t=y has no effect when every policy is none");
            } else {
                add(Severity.WARNING, "test-mode", "t", "t=y: the policy is being tested; DMARCbis receivers apply one level less "
                        + "(reject as quarantine, quarantine as none), RFC 7489 receivers ignore t and apply it in full");
            }
        }
        if (!validRua) {
            // RFC 9989 4.7: without rua, receivers MUST NOT send aggregate reports.
            add(Severity.WARNING, "no-aggregate-reports", "rua", "no valid rua: no receiver will send aggregate reports, so you will not "
                    + "see who sends mail as this domain");
        }
        if (tags.containsKey("fo") && ruf.isEmpty()) {
            // RFC 7489 6.3 / RFC 9989 4.7: fo MUST be ignored when there is no ruf.
            add(Severity.WARNING, "fo-without-ruf", "fo", "fo has no effect without a valid ruf; receivers ignore it");
        }
        if (!ruf.isEmpty()) {
            add(Severity.INFO, "failure-reports", "ruf", "few receivers send failure reports, and those they send may carry "
                    + "personal data from the failing messages");
        }
    }

    private void add(Severity severity, String code, String tag, String message) {
        if (findings.size() >= DmarcRecord.MAX_FINDINGS) {
            dropped++;
            return;
        }
        findings.add(new Finding(severity, code, tag, message));
    }

    private DmarcRecord build() {
        List<Finding> all = findings;
        if (dropped > 0) {
            all = new ArrayList<>(findings);
            all.add(new Finding(Severity.INFO, "findings-truncated", "", dropped + " more findings were dropped"));
        }
        return new DmarcRecord(text, recognized, p, sp, np, adkim, aspf, pct, rua, ruf, fo, rf, ri, psd, testing, tags, all);
    }
}
