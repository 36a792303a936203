package dev.sekisho.account;

import dev.sekisho.engine.Subject;
import dev.sekisho.state.StateStore;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and changes accounts' settings and recent logins in the state store: one record of fields
 * ({@code account:NAME}) and one bounded list ({@code logins:NAME}) per account. Account names are compared in
 * lower case, as restrictions compare them.
 */
public final class AccountBook {
    private final StateStore store;
    private final int historySize;

    /** @param historySize most logins kept per account */
    public AccountBook(StateStore store, int historySize) {
        this.store = Objects.requireNonNull(store, "store");
        if (historySize < 1) throw new IllegalArgumentException("historySize must be at least 1, was " + historySize);
        this.historySize = historySize;
    }

    /** The canonical form of an account name; throws naming the problem for an empty one. */
    public static String canonical(String account) {
        return Subject.parse(Subject.Kind.ACCOUNT, account).value();
    }

    public AccountSettings settings(String account) {
        return AccountSettings.fromFields(store.fields(settingsKey(account)));
    }

    /** Turn "refuse use from abroad" on or off; turning it off also ends a travel lift. */
    public AccountSettings refuseAbroad(String account, boolean on, String by, Instant at) {
        Map<String, String> fields = AccountSettings.changedBy(by, at);
        fields.put(AccountSettings.REFUSE_ABROAD, on ? "on" : "");
        if (!on) fields.put(AccountSettings.TRAVEL_UNTIL, "");
        return AccountSettings.fromFields(store.putFields(settingsKey(account), fields));
    }

    /** Lift "refuse use from abroad" until {@code until} (travel); an instant not after {@code at} ends a lift. */
    public AccountSettings travel(String account, Instant until, String by, Instant at) {
        Map<String, String> fields = AccountSettings.changedBy(by, at);
        fields.put(AccountSettings.TRAVEL_UNTIL, until.isAfter(at) ? until.toString() : "");
        return AccountSettings.fromFields(store.putFields(settingsKey(account), fields));
    }

    public void recordLogin(String account, LoginRecord login) {
        store.push(loginsKey(account), login.encode(), historySize);
    }

    /** Recent logins, newest first. */
    public List<LoginRecord> logins(String account) {
        return store.recent(loginsKey(account)).stream().map(LoginRecord::decode).flatMap(Optional::stream).toList();
    }

    private static String settingsKey(String account) {
        return "account:" + canonical(account);
    }

    private static String loginsKey(String account) {
        return "logins:" + canonical(account);
    }
}
