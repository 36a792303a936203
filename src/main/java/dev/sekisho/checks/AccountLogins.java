package dev.sekisho.checks;

import dev.sekisho.account.AccountBook;
import dev.sekisho.account.LoginRecord;
import dev.sekisho.engine.AddressText;
import dev.sekisho.engine.LoginAttempt;
import dev.sekisho.engine.LoginDecision;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The per-account side of logins. Before the password is checked: an account that refuses use from abroad is
 * refused from an address abroad (after the lockouts had their say; a refusal of theirs stands). After a successful
 * login: it goes into the account's recent logins and counts as a sighting in its country. Only successful logins
 * and refusals of an account that refuses use from abroad are kept, so names that were merely guessed fill nothing.
 * The state failing never refuses a login here (the lockouts' fail-open choice covers the counters); it is logged.
 */
public final class AccountLogins {
    private final AbroadRule abroad;
    private final SeveralCountries several;
    private final AccountBook book;
    private final ClientCountry countries;
    private final Consumer<String> faults;

    /** @param faults where a failure to read or write account state is reported */
    public AccountLogins(AbroadRule abroad, SeveralCountries several, AccountBook book, ClientCountry countries, Consumer<String> faults) {
        this.abroad = Objects.requireNonNull(abroad, "abroad");
        this.several = Objects.requireNonNull(several, "several");
        this.book = Objects.requireNonNull(book, "book");
        this.countries = Objects.requireNonNull(countries, "countries");
        this.faults = Objects.requireNonNull(faults, "faults");
    }

    /**
     * @param lockout what the lockouts answered for this attempt
     * @return a refusal when the account refuses use from abroad and the address is abroad, else {@code lockout}
     */
    public LoginDecision decide(LoginDecision lockout, String account, InetAddress remote, String protocol, Instant at) {
        if (lockout.outcome() == LoginDecision.Outcome.REJECT || account.isBlank()) return lockout;
        try {
            AbroadRule.Judgement judgement = abroad.judge(account, remote, at);
            if (!judgement.refused()) return lockout;
            book.recordLogin(account, new LoginRecord(at, AddressText.of(remote), judgement.country().code(), protocol, "refused: abroad"));
            return LoginDecision.reject(AbroadRule.REFUSAL, judgement.explanation());
        } catch (RuntimeException e) {
            faults.accept("account settings of " + account + " unavailable, login not judged by country: " + e);
            return lockout;
        }
    }

    /** A password check a server made: a success is remembered and counted as a sighting. */
    public void observe(LoginAttempt attempt) {
        if (attempt.failed() || attempt.account().isBlank()) return;
        try {
            ClientCountry.Answer country = countries.of(attempt.remote());
            book.recordLogin(attempt.account(), new LoginRecord(attempt.at(), AddressText.of(attempt.remote()), country.code(),
                    attempt.protocol(), "ok"));
            several.sighted(attempt.account(), attempt.remote(), country, attempt.protocol(), attempt.at());
        } catch (RuntimeException e) {
            faults.accept("login of " + attempt.account() + " not recorded: " + e);
        }
    }
}
