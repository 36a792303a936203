package dev.sekisho.audit.posture;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing the posture audit has to say about a domain.
 *
 * @param severity how much it matters
 * @param area     SPF, DMARC, MX, ...
 * @param code     a stable identifier for programs ("spf-too-many-lookups"); docs/audits.md lists them
 * @param message  one human sentence, citing the RFC section where one applies
 * @param publish  the record to publish that fixes it, where there is one
 */
public record DomainFinding(Severity severity, Area area, String code, String message, Optional<RecordToPublish> publish) {
    /** Severity first, then area, in the order the audit runs them. */
    public static final Comparator<DomainFinding> RANKING = Comparator.comparing(DomainFinding::severity).thenComparing(DomainFinding::area);

    public DomainFinding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(area, "area");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(publish, "publish");
    }

    static DomainFinding of(Severity severity, Area area, String code, String message) {
        return new DomainFinding(severity, area, code, message, Optional.empty());
    }

    static DomainFinding of(Severity severity, Area area, String code, String message, RecordToPublish publish) {
        return new DomainFinding(severity, area, code, message, Optional.of(publish));
    }

    /** A lookup that failed temporarily: "could not check SPF: timeout at example.com TXT after 2000 ms". */
    static DomainFinding couldNotCheck(Area area, String what, String reason) {
        return of(Severity.COULD_NOT_CHECK, area, area.label() + "-could-not-check", "could not check " + what + ": " + reason);
    }

    @Override
    public String toString() {
        return severity.label() + " " + code + ": " + message + publish.map(p -> " (publish: " + p.zoneLine() + ")").orElse("");
    }
}
