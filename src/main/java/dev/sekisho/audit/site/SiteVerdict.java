package dev.sekisho.audit.site;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The judgement of one domain or host name. {@code reasons} say why it is broken (empty when it is not);
 * {@code problems} say what could not be checked, e.g. the recursive resolver timed out: a verdict
 * with problems and no reasons is {@link Judgement#UNDETERMINED}, never "broken".
 */
public record SiteVerdict(String domain, Judgement judgement, List<Reason> reasons, List<String> problems, Instant checkedAt) {

    public enum Judgement {
        WELL_RUN("well run"), BROKEN("broken"), UNDETERMINED("undetermined");

        private final String label;

        Judgement(String label) {
            this.label = label;
        }

        /** As printed: "well run", "broken", "undetermined". */
        public String label() {
            return label;
        }
    }

    public SiteVerdict {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(judgement, "judgement");
        reasons = List.copyOf(reasons);
        problems = List.copyOf(problems);
        Objects.requireNonNull(checkedAt, "checkedAt");
        if ((judgement == Judgement.BROKEN) != !reasons.isEmpty()) {
            throw new IllegalArgumentException("a verdict is broken exactly when it has reasons: " + judgement + " with " + reasons);
        }
    }

    /** The verdict the reasons and problems found lead to. */
    static SiteVerdict of(String domain, List<Reason> reasons, List<String> problems, Instant checkedAt) {
        Judgement judgement = !reasons.isEmpty() ? Judgement.BROKEN : problems.isEmpty() ? Judgement.WELL_RUN : Judgement.UNDETERMINED;
        return new SiteVerdict(domain, judgement, reasons, problems, checkedAt);
    }

    public boolean wellRun() {
        return judgement == Judgement.WELL_RUN;
    }

    public boolean broken() {
        return judgement == Judgement.BROKEN;
    }
}
