package dev.sekisho.config;

import dev.sekisho.engine.Action;
import dev.sekisho.state.RateWindow;
import inet.ipaddr.IPAddress;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One entry of a service's {@code checks:} list; {@code type} picks the record. */
public sealed interface CheckConfig {

    /** The name in explanations and logs; defaults to the type. */
    String name();

    /** Honour restrictions imposed by rules or by support staff. */
    record Restrictions(String name, Action action) implements CheckConfig {
    }

    /** A hit on the allow list ends the checks with DUNNO (Postfix's own restrictions still apply). */
    record AllowList(String name) implements CheckConfig {
    }

    record DenyList(String name, Action action) implements CheckConfig {
    }

    enum RateKey {
        CLIENT_IP, CLIENT_NETWORK, SASL_USERNAME, SENDER, SENDER_DOMAIN, RECIPIENT_DOMAIN
    }

    enum RateUnit {
        /** charged at END-OF-MESSAGE; RCPT only checks that one more fits */
        MESSAGES,
        /** charged per accepted RCPT */
        RECIPIENTS,
        /** the message size, charged at END-OF-MESSAGE; RCPT checks the SIZE= estimate */
        BYTES
    }

    /**
     * @param countries which clients the limit applies to, by the client address's country; null: every client
     * @param soft      {@code action: doubtful}: over the limit the mail is marked doubtful (for route-doubtful)
     *                  instead of refused; {@code action} is then unused
     */
    record RateLimit(String name, RateKey key, RateUnit count, List<RateWindow> windows, Action action, ListConfig exempt,
                     CountryCondition countries, boolean soft) implements CheckConfig {
        public RateLimit {
            windows = List.copyOf(windows);
        }

        /** A limit that refuses with its action. */
        public RateLimit(String name, RateKey key, RateUnit count, List<RateWindow> windows, Action action, ListConfig exempt,
                         CountryCondition countries) {
            this(name, key, count, windows, action, exempt, countries, false);
        }

        /** A limit for every client, whatever its country. */
        public RateLimit(String name, RateKey key, RateUnit count, List<RateWindow> windows, Action action, ListConfig exempt) {
            this(name, key, count, windows, action, exempt, null);
        }
    }

    /**
     * Which clients a rule applies to by the country of their address: those in {@code countries}, or with
     * {@code notIn} those outside them ("from abroad" is {@code not-in} the home countries).
     *
     * @param countries      ISO 3166-1 alpha-2 codes, upper case; not empty
     * @param notIn          true: the rule applies to clients whose country is not in {@code countries}
     * @param unknownApplies whether the rule applies to a client whose country is unknown (not in the database,
     *                       a private address, a damaged database); without a database it never applies
     */
    record CountryCondition(Set<String> countries, boolean notIn, boolean unknownApplies) {
        public CountryCondition {
            countries = Set.copyOf(countries);
            if (countries.isEmpty()) throw new IllegalArgumentException("a country condition needs at least one country");
        }
    }

    /** What a country check does with a client whose country is unknown. */
    enum UnknownCountry {
        /** no objection */
        PASS,
        /** the check's action, as for a denied country */
        DENY
    }

    /**
     * Allow or deny clients by the country of their address and by network. Networks are judged first (a listed
     * network needs no database), then the country: one in {@code denyCountries}, or, when {@code allowCountries} is
     * not empty, one outside it, gets the action.
     *
     * @param allowCountries ISO 3166-1 alpha-2 codes, upper case; empty: every country not denied is allowed
     * @param denyCountries  likewise; at most one of the two is not empty
     * @param allowNetworks  clients passed whatever their country
     * @param denyNetworks   clients refused whatever their country
     * @param unknown        what a client of unknown country gets
     * @param action         what a refused client gets; null only logs it
     * @param exempt         clients, accounts, senders the check does not judge
     */
    record Country(String name, Set<String> allowCountries, Set<String> denyCountries, List<IPAddress> allowNetworks,
                   List<IPAddress> denyNetworks, UnknownCountry unknown, Action action, ListConfig exempt) implements CheckConfig {
        public Country {
            allowCountries = Set.copyOf(allowCountries);
            denyCountries = Set.copyOf(denyCountries);
            allowNetworks = List.copyOf(allowNetworks);
            denyNetworks = List.copyOf(denyNetworks);
        }
    }

    /**
     * Refuse mail of an account that refuses use from abroad (docs/accounts.md) when the client address is abroad.
     *
     * @param action what such mail gets; null only logs it
     */
    record AccountAbroad(String name, Action action) implements CheckConfig {
    }

    /**
     * postgrey's greylisting. {@code allowClientNames} are Postfix-verified client host names (or
     * ".suffix" patterns) of large senders that retry from many addresses.
     */
    record Greylist(String name, Duration delay, Duration retryWindow, Duration maxAge, int autoAllowAfter,
                    List<String> allowClientNames, boolean skipAuthenticated, Action action) implements CheckConfig {
        public Greylist {
            allowClientNames = List.copyOf(allowClientNames);
        }
    }

    /**
     * Doubtful mail leaves through another transport ({@code FILTER transport:}), so that a listed outbound address
     * does not take the clean mail with it. Mail is doubtful when any configured signal holds.
     *
     * @param transport        the FILTER argument, transport:destination (e.g. "smtp-doubtful:")
     * @param restrictedWithin the account is restricted, or a restriction on it ended or was lifted within this long;
     *                         zero: signal off
     * @param homeCountries    the client's country is not one of these; empty: signal off
     * @param unknownCountry   whether a client of unknown country (with a database) is doubtful
     * @param earlierDoubts    whether doubts of earlier checks (soft limits over, log-only sender mismatch) count
     */
    record RouteDoubtful(String name, String transport, Duration restrictedWithin, Set<String> homeCountries,
                         boolean unknownCountry, boolean earlierDoubts) implements CheckConfig {
        public RouteDoubtful {
            homeCountries = Set.copyOf(homeCountries);
        }
    }

    enum MismatchMatch {
        /** the sender must be the login itself */
        ADDRESS,
        /** the sender must be in the login's domain */
        DOMAIN
    }

    /**
     * @param owners     extra senders (addresses, or "@domain") each login may use
     * @param loginDomain the domain of logins that carry none ("alice" means alice@loginDomain)
     * @param action     what to do with a mismatch; null only logs it
     */
    record SenderLoginMismatch(String name, MismatchMatch match, Map<String, List<String>> owners, String loginDomain,
                               Action action) implements CheckConfig {
        public SenderLoginMismatch {
            owners = Map.copyOf(owners);
        }
    }
}
