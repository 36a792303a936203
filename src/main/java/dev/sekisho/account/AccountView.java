package dev.sekisho.account;

import dev.sekisho.engine.Restriction;

import java.util.List;

/**
 * Everything support staff see of one account: its settings, its restrictions (in force and ended ones the store
 * still holds, each with reason and evidence), and its recent logins, newest first.
 */
public record AccountView(String account, AccountSettings settings, boolean refusesAbroadNow, List<String> homeCountries,
                          List<Restriction> active, List<Restriction> ended, List<LoginRecord> logins) {
    public AccountView {
        homeCountries = List.copyOf(homeCountries);
        active = List.copyOf(active);
        ended = List.copyOf(ended);
        logins = List.copyOf(logins);
    }
}
