package dev.sekisho.audit.site;

import java.util.Objects;

/**
 * One reason a site is broken: what is wrong ({@code code}), with what ({@code subject}: a server,
 * host or address) and the evidence (which server was asked which query, and what it answered).
 */
public record Reason(ReasonCode code, String subject, String evidence) {
    public Reason {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(evidence, "evidence");
    }

    @Override
    public String toString() {
        return code + " " + subject + ": " + evidence;
    }
}
