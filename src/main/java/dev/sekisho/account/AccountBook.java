package dev.sekisho.account;

import dev.sekisho.engine.Subject;
import dev.sekisho.state.StateStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and changes accounts' settings and recent logins in the state store: one record of fields
 * ({@code account:NAME}) and one bounded list ({@code logins:NAME}) per account. Account names are compared in
 * lower case, as restrictions compare them. The settings are kept for good (an operator set them); the logins of an
 * account expire a retention after its last one, so accounts that stopped logging in leave the store.
 */
public final class AccountBook {
    private final StateStore store;
    private final int historySize;
    private final Duration historyRetention;

    /**
     * @param historySize      most logins kept per account
     * @param historyRetention how long an account's logins are kept after its last one; positive
     */
    public AccountBook(StateStore store, int historySize, Duration historyRetention) {
        this.store = Objects.requireNonNull(store, "store");
        if (historySize < 1) throw new IllegalArgumentException("historySize must be at least 1, was " + historySize);
        Objects.requireNonNull(historyRetention, "historyRetention");
        if (historyRetention.isNegative() || historyRetention.isZero()) {
            throw new IllegalArgumentException("historyRetention must be positive, was " + historyRetention);
        }
        this.historySize = historySize;
        this.historyRetention = historyRetention;
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

    /** Keeps the login; the account's whole history then expires the retention after {@code login.at()}. */
    public void recordLogin(String account, LoginRecord login) {
        // A unit (joined when the caller runs one): log lines push to the same list in units, see StateStore.atomically
        store.atomically(() -> {
            store.push(loginsKey(account), login.encode(), historySize, login.at(), historyRetention);
            return null;
        });
    }

    /** Recent logins as of {@code at}, newest first; none once the retention after the last one has passed. */
    public List<LoginRecord> logins(String account, Instant at) {
        return store.recent(loginsKey(account), at).stream().map(LoginRecord::decode).flatMap(Optional::stream).toList();
    }

    private static String settingsKey(String account) {
        return "account:" + canonical(account);
    }

    private static String loginsKey(String account) {
        return "logins:" + canonical(account);
    }
}
