package dev.sekisho.engine;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides: runs a service's checks in order and combines their answers into one verdict.
 *
 * <p>The first decisive answer wins. A check that cannot answer, or the deadline passing, gives
 * the service's failure verdict (fail-open DUNNO unless configured otherwise). What passing checks
 * count stays counted only when the final verdict accepts the mail; refused mail gets it back. A check's doubt
 * ({@link CheckResult#doubt}) is handed to the checks after it; a route ({@link CheckResult#route})
 * becomes the verdict unless a later check decides something other than DUNNO, so a later
 * refusal always wins over routing the mail. The engine is immutable; a reload
 * builds a new one.
 */
public final class Engine {

    /** Told about every decision (logging, metrics); must not throw and must be quick. */
    public interface Listener {
        Listener NONE = new Listener() { };

        default void decided(Transaction transaction, Verdict verdict) { }

        default void checkFailed(Transaction transaction, Check check, RuntimeException cause) { }

        /** Deciding failed outside any check (counting an accepted mail's charges, a bug); the failure verdict was given. */
        default void decisionFailed(Transaction transaction, RuntimeException cause) { }
    }

    private final Map<String, ServicePolicy> services;
    private final InstantSource clock;
    private final Listener listener;

    public Engine(Map<String, ServicePolicy> services, InstantSource clock, Listener listener) {
        this.services = Map.copyOf(services);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public boolean knowsService(String name) {
        return services.containsKey(name);
    }


    /**
     * Decide, counting what the checks count. A failure outside the checks (a charge that cannot be counted when the
     * state store fails) gets the service's failure verdict, as a failing check does: the operator chose how to fail.
     */
    public Verdict decide(Transaction transaction) {
        ServicePolicy policy = policyFor(transaction.service());
        Verdict verdict;
        try {
            verdict = run(policy, transaction, false);
        } catch (RuntimeException e) {
            listener.decisionFailed(transaction, e);
            Explanation why = new Explanation("engine", "failure-verdict", "", "could not decide: " + e.getMessage(), Map.of());
            verdict = new Verdict(stageSafe(policy.failureVerdict(), transaction.stage()), why, List.of(why), List.of(), true);
        }
        listener.decided(transaction, verdict);
        return verdict;
    }

    /**
     * What every check of the service would answer, counting nothing: for {@code sekisho explain}.
     * Unlike {@link #decide}, it does not stop at the first decisive check.
     */
    public List<CheckResult> explain(Transaction transaction) {
        ServicePolicy policy = policyFor(transaction.service());
        Instant now = clock.instant();
        EvaluationContext context = new EvaluationContext(now, now.plus(policy.deadline()), true);
        List<CheckResult> results = new ArrayList<>();
        for (Check check : policy.checks()) {
            try {
                CheckResult result = check.evaluate(transaction, context);
                results.add(result);
                if (result.doubtful()) context = context.withDoubt(result.explanation());
            } catch (RuntimeException e) {
                results.add(CheckResult.decide(policy.failureVerdict(),
                        Explanation.of(check.name(), "could not answer: " + e.getMessage())));
            }
        }
        return results;
    }

    /**
     * The verdict {@link #decide} would give, counting nothing and telling no listener: for {@code sekisho explain}.
     * In a dry run the checks hand out no charges, so nothing is committed either.
     */
    public Verdict verdictWithoutCounting(Transaction transaction) {
        return run(policyFor(transaction.service()), transaction, true);
    }

    private Verdict run(ServicePolicy policy, Transaction transaction, boolean dryRun) {
        Instant now = clock.instant();
        Instant deadline = now.plus(policy.deadline());
        // Checked after every check: the clock's milliseconds, not an Instant, cost a fraction of a full reading.
        long deadlineMillis = epochMillisAtMost(deadline);
        EvaluationContext context = new EvaluationContext(now, deadline, dryRun);
        List<Explanation> trail = new ArrayList<>(policy.checks().size());
        List<Charge> charges = new ArrayList<>(2);
        List<Explanation> notes = List.of();
        CheckResult route = null;
        for (Check check : policy.checks()) {
            CheckResult result;
            try {
                result = check.evaluate(transaction, context);
            } catch (RuntimeException e) {
                if (!dryRun) listener.checkFailed(transaction, check, e); // explain counts nothing, failures neither
                Explanation why = new Explanation(check.name(), "failure-verdict", "", "could not answer: " + e.getMessage(), Map.of());
                return conclude(transaction, new Verdict(failureVerdict(policy, route), why, append(trail, why), notes, true), charges);
            }
            trail.add(result.explanation());
            if (result.charge() != Charge.NONE) charges.add(result.charge());
            if (result.decisive()) {
                if (route != null && result.action().kind() == Action.Kind.DUNNO) result = route; // an allow list does not undo a route
                return conclude(transaction, new Verdict(result.action(), result.explanation(), trail, notes, false), charges);
            }
            if (result.doubtful()) context = context.withDoubt(result.explanation());
            if (result.routes() && route == null) route = result;
            if (result.notable()) {
                if (notes.isEmpty()) notes = new ArrayList<>(1);
                notes.add(result.explanation());
            }
            if (clock.millis() > deadlineMillis) {
                Explanation why = new Explanation(check.name(), "failure-verdict", "",
                        "deadline of " + policy.deadline().toMillis() + " ms passed", Map.of());
                return conclude(transaction, new Verdict(failureVerdict(policy, route), why, append(trail, why), notes, true), charges);
            }
        }
        if (route != null) return conclude(transaction, new Verdict(route.action(), route.explanation(), trail, notes, false), charges);
        return conclude(transaction, new Verdict(Action.DUNNO, null, trail, notes, false), charges);
    }

    /**
     * Make the verdict safe for the stage and settle what the passing checks counted: when the verdict accepts the
     * mail, commit it; a commit that answers a refusal (what it would count no longer fits) turns the verdict into
     * that check's refusal. Mail refused either way gets back everything counted for it.
     */
    private Verdict conclude(Transaction transaction, Verdict verdict, List<Charge> charges) {
        Action action = stageSafe(verdict.action(), transaction.stage());
        if (!action.accepts()) {
            cancel(charges);
        } else {
            for (Charge charge : charges) {
                var refusal = charge.commit();
                if (refusal.isPresent()) {
                    cancel(charges);
                    CheckResult r = refusal.get();
                    List<Explanation> trail = append(new ArrayList<>(verdict.trail()), r.explanation());
                    return new Verdict(stageSafe(r.action(), transaction.stage()), r.explanation(), trail, verdict.notes(), false);
                }
            }
        }
        return action == verdict.action() ? verdict
                : new Verdict(action, verdict.decidedBy(), verdict.trail(), verdict.notes(), verdict.fault());
    }

    private static void cancel(List<Charge> charges) {
        for (Charge charge : charges) charge.cancel();
    }

    /** The instant's milliseconds, or the largest there are for a deadline further away than they reach (a configured century). */
    private static long epochMillisAtMost(Instant instant) {
        return instant.getEpochSecond() >= Long.MAX_VALUE / 1000 - 1 ? Long.MAX_VALUE : instant.toEpochMilli();
    }

    /** Fail-open (DUNNO) still routes mail that an earlier check routed: passing it is what DUNNO means. */
    private static Action failureVerdict(ServicePolicy policy, CheckResult route) {
        Action failure = policy.failureVerdict();
        return route != null && failure.kind() == Action.Kind.DUNNO ? route.action() : failure;
    }

    private static List<Explanation> append(List<Explanation> trail, Explanation last) {
        trail.add(last);
        return trail;
    }

    /** Never hand Postfix an action it forbids at this stage (access(5)); DUNNO is always allowed. */
    private static Action stageSafe(Action action, Stage stage) {
        return action.allowedAt(stage) ? action : Action.DUNNO;
    }

    private ServicePolicy policyFor(String service) {
        ServicePolicy policy = services.get(service);
        if (policy == null) throw new IllegalArgumentException("no such service: " + service + " (known: " + services.keySet() + ")");
        return policy;
    }
}
