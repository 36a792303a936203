package dev.sekisho.web;

import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the admin API can ask of the running application; the composition root implements it. */
public interface AdminOperations {

    /** Restrictions in force; with includeEnded also lifted and expired ones the store still holds. */
    List<Restriction> restrictions(boolean includeEnded);

    Restriction impose(Subject subject, Duration duration, String reason, String by);

    Optional<Restriction> lift(String id, String by);

    /** An account's settings, restrictions and recent logins. */
    dev.sekisho.account.AccountView account(String account);

    /** Turn an account's "refuse use from abroad" on or off. */
    dev.sekisho.account.AccountView refuseAbroad(String account, boolean on, String by);

    /** Lift an account's "refuse use from abroad" for {@code days} days (travel); 0 ends a lift. */
    dev.sekisho.account.AccountView travel(String account, int days, String by);

    /** Lift every restriction in force on the account; returns those lifted. */
    List<Restriction> liftAccount(String account, String by, String why);

    /** Re-read the configuration file; returns a message, or throws with the reason it was refused. */
    String reload();

    /** What every check of the service would answer to these policy attributes, counting nothing. */
    List<Map<String, Object>> explain(Map<String, String> policyAttributes);

    /** Readiness: listeners bound and state open. */
    boolean ready();
}
