package dev.sekisho.engine;

import java.time.Instant;
import java.util.Objects;

/**
 * A time-bound block on an IP, network, account, sender or domain, with who imposed it and why.
 *
 * @param id        stable identifier, used to lift it
 * @param subject   what is blocked
 * @param reason    the human reason shown to support staff (and, shortened, in the SMTP reply)
 * @param imposedBy the rule or the person that imposed it ("cli:alice", "rule:per-account-limit")
 * @param evidence  what the rule saw (counter values), "" for manual restrictions
 * @param createdAt when it was imposed
 * @param expiresAt when it ends by itself
 * @param liftedAt  when someone lifted it early, null while in force
 * @param liftedBy  who lifted it, "" while in force
 */
public record Restriction(String id, Subject subject, String reason, String imposedBy, String evidence,
                          Instant createdAt, Instant expiresAt, Instant liftedAt, String liftedBy) {
    public Restriction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        reason = reason == null ? "" : reason;
        imposedBy = imposedBy == null ? "" : imposedBy;
        evidence = evidence == null ? "" : evidence;
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        liftedBy = liftedBy == null ? "" : liftedBy;
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("restriction must end after it starts: " + createdAt + " .. " + expiresAt);
        }
    }

    /** A fresh id ("r-" and 12 hex digits) for a restriction about to be imposed. */
    public static String newId() {
        byte[] bytes = new byte[6];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
        return "r-" + java.util.HexFormat.of().formatHex(bytes);
    }

    public boolean activeAt(Instant now) {
        return liftedAt == null && now.isBefore(expiresAt) && !now.isBefore(createdAt);
    }

    public Restriction lifted(Instant at, String by) {
        return new Restriction(id, subject, reason, imposedBy, evidence, createdAt, expiresAt, at, by);
    }
}
