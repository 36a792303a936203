package dev.sekisho.account;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One account's settings.
 *
 * @param refuseAbroad  refuse logins and submission from addresses outside the home countries
 * @param travelUntil   a temporary lift of {@code refuseAbroad} until this instant (travel); null when none
 * @param setBy         who made the last change ("cli:alice", "api:desk"); "" when never set
 * @param setAt         when; null when never set
 */
public record AccountSettings(boolean refuseAbroad, Instant travelUntil, String setBy, Instant setAt) {
    static final String REFUSE_ABROAD = "refuse-abroad";
    static final String TRAVEL_UNTIL = "travel-until";
    static final String SET_BY = "set-by";
    static final String SET_AT = "set-at";

    public static final AccountSettings NONE = new AccountSettings(false, null, "", null);

    public AccountSettings {
        setBy = setBy == null ? "" : setBy;
    }

    /** Whether use from abroad is refused at {@code now}: the switch is on and no travel lift runs. */
    public boolean refusesAbroadAt(Instant now) {
        return refuseAbroad && !travelingAt(now);
    }

    public boolean travelingAt(Instant now) {
        return travelUntil != null && now.isBefore(travelUntil);
    }

    /** From the stored fields; a field that does not parse reads as unset (the record stays usable). */
    static AccountSettings fromFields(Map<String, String> fields) {
        if (fields.isEmpty()) return NONE;
        return new AccountSettings("on".equals(fields.get(REFUSE_ABROAD)), instant(fields.get(TRAVEL_UNTIL)),
                fields.getOrDefault(SET_BY, ""), instant(fields.get(SET_AT)));
    }

    static Map<String, String> changedBy(String by, Instant at) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(SET_BY, by);
        fields.put(SET_AT, at.toString());
        return fields;
    }

    private static Instant instant(String text) {
        if (text == null || text.isEmpty()) return null;
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
