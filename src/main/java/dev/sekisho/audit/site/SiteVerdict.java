package dev.sekisho.audit.site;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The judgement of one domain or host name. {@code reasons} say why it is broken (empty when it is not);
 * {@code problems} say what could not be checked, e.g. the recursive resolver timed out: a verdict
 * with problems and no reasons is {@link Judgement#UNDETERMINED}, never "broken". {@link SiteJudge}
 * also gives UNDETERMINED, with the reasons, while faults that rest only on silence are not yet
 * confirmed as lasting.
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
        if (judgement == Judgement.BROKEN && reasons.isEmpty() || judgement == Judgement.WELL_RUN && !(reasons.isEmpty() && problems.isEmpty())) {
            throw new IllegalArgumentException("a broken verdict has reasons and a well-run one neither reasons nor problems: " + judgement
                    + " with " + reasons + " and " + problems);
        }
    }

    /** The verdict the reasons and problems found lead to. */
    static SiteVerdict of(String domain, List<Reason> reasons, List<String> problems, Instant checkedAt) {
        Judgement judgement = !reasons.isEmpty() ? Judgement.BROKEN : problems.isEmpty() ? Judgement.WELL_RUN : Judgement.UNDETERMINED;
        return new SiteVerdict(domain, judgement, reasons, problems, checkedAt);
    }

    /** Broken only by servers or MX hosts that did not answer (see {@link ReasonCode#silence()}). */
    public boolean brokenBySilenceOnly() {
        return judgement == Judgement.BROKEN && reasons.stream().allMatch(r -> r.code().silence());
    }

    /** This verdict held back as undetermined, with a problem saying why and until when. */
    SiteVerdict unconfirmed(String why) {
        List<String> withWhy = new java.util.ArrayList<>(problems);
        withWhy.add(why);
        return new SiteVerdict(domain, Judgement.UNDETERMINED, reasons, withWhy, checkedAt);
    }

    public boolean wellRun() {
        return judgement == Judgement.WELL_RUN;
    }

    public boolean broken() {
        return judgement == Judgement.BROKEN;
    }
}
