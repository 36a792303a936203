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
     */
    record RateLimit(String name, RateKey key, RateUnit count, List<RateWindow> windows, Action action, ListConfig exempt,
                     CountryCondition countries) implements CheckConfig {
        public RateLimit {
            windows = List.copyOf(windows);
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
