package dev.sekisho.app;

import dev.sekisho.account.AccountBook;
import dev.sekisho.checks.AbroadCheck;
import dev.sekisho.checks.AbroadRule;
import dev.sekisho.checks.AccountLogins;
import dev.sekisho.checks.ClientCountry;
import dev.sekisho.checks.SeveralCountries;
import dev.sekisho.checks.ClientNetworks;
import dev.sekisho.checks.CountryCheck;
import dev.sekisho.checks.DoubtfulMailCheck;
import dev.sekisho.checks.ListCheck;
import dev.sekisho.checks.GreylistCheck;
import dev.sekisho.checks.ListMatcher;
import dev.sekisho.checks.RateLimitCheck;
import dev.sekisho.checks.RestrictionCheck;
import dev.sekisho.checks.RestrictionIndex;
import dev.sekisho.checks.SenderLoginMismatchCheck;
import dev.sekisho.checks.OpenTransactions;
import dev.sekisho.config.CheckConfig;
import dev.sekisho.config.SekishoConfig;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.Engine;
import dev.sekisho.engine.ServicePolicy;
import dev.sekisho.geo.GeoIp;
import dev.sekisho.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds an engine from the configuration: one place where every check type meets its dependencies. */
final class CheckFactory {
    private static final Logger LOG = LoggerFactory.getLogger(CheckFactory.class);

    private CheckFactory() {
    }

    /**
     * The databases of the {@code geoip} section, opened once and shared by every engine built from them.
     *
     * @throws dev.sekisho.geo.GeoDatabaseException naming the file when a database cannot be opened
     */
    static GeoIp geoIp(SekishoConfig.GeoipConfig geoip, InstantSource clock) {
        return GeoIp.open(new GeoIp.Databases(geoip.countryDatabase(), geoip.asnDatabase(), geoip.reloadCheck()), clock);
    }

    /** @param geoIp where checks that judge by country look clients up */
    static Engine engine(SekishoConfig config, StateStore store, InstantSource clock, Engine.Listener listener, GeoIp geoIp) {
        ClientCountry countries = new ClientCountry(geoIp, LOG::warn);
        RestrictionIndex restrictions = new RestrictionIndex(store);
        return engine(config, store, restrictions, openTransactions(), clock, listener, countries,
                accounts(config, store, restrictions, countries));
    }

    /**
     * Where rate limits keep the recipients of open transactions: room for 100,000 transactions in flight at once (a
     * fleet of Postfix instances with thousands of smtpd processes has far fewer), each forgotten an hour after it
     * opened if its END-OF-MESSAGE never came.
     */
    static OpenTransactions openTransactions() {
        return new OpenTransactions(100_000, Duration.ofHours(1), LOG::warn);
    }

    /**
     * The per-account rules over one country lookup: settings, recent logins and restrictions all in {@code store}.
     *
     * @param restrictions {@code store}'s restrictions, the one index every reader of that store shares
     */
    static AccountRules accounts(SekishoConfig config, StateStore store, RestrictionIndex restrictions, ClientCountry countries) {
        AccountBook book = new AccountBook(store, config.accounts().history(), config.accounts().historyRetention());
        SeveralCountries several = new SeveralCountries(config.accounts().severalCountries(), store, restrictions);
        AbroadRule abroad = new AbroadRule("account-abroad", config.accounts(), book, countries);
        return new AccountRules(book, abroad, several,
                new AccountLogins(abroad, several, book, countries, LOG::warn));
    }

    /** What the per-account rules are made of, shared by the submission checks and the login path of one configuration. */
    record AccountRules(AccountBook book, AbroadRule abroad, SeveralCountries several, AccountLogins logins) {
    }

    /**
     * @param restrictions {@code store}'s restrictions, the one index every reader of that store shares
     * @param transactions the recipients of open transactions, one for the server so that a reload keeps them
     * @param countries    one per engine: without a country database, "country rules are off" is logged once per configuration
     */
    static Engine engine(SekishoConfig config, StateStore store, RestrictionIndex restrictions, OpenTransactions transactions,
                         InstantSource clock, Engine.Listener listener, ClientCountry countries, AccountRules accounts) {
        ClientNetworks networks = new ClientNetworks(config.networks().ipv4(), config.networks().ipv6());
        ListMatcher allow = new ListMatcher(config.allow());
        ListMatcher deny = new ListMatcher(config.deny());
        Map<String, ServicePolicy> services = new LinkedHashMap<>();
        for (SekishoConfig.ServiceConfig service : config.services().values()) {
            List<Check> checks = new ArrayList<>();
            for (CheckConfig c : service.checks()) {
                checks.add(switch (c) {
                    case CheckConfig.Restrictions r -> new RestrictionCheck(r.name(), restrictions, r.action());
                    case CheckConfig.AllowList a -> ListCheck.allow(a.name(), allow);
                    case CheckConfig.DenyList d -> ListCheck.deny(d.name(), deny, d.action());
                    case CheckConfig.RateLimit r -> new RateLimitCheck(r, service.name(), networks, store, transactions, countries);
                    case CheckConfig.Greylist g -> new GreylistCheck(g, networks, store);
                    case CheckConfig.SenderLoginMismatch m -> new SenderLoginMismatchCheck(m);
                    case CheckConfig.Country c2 -> new CountryCheck(c2, countries);
                    case CheckConfig.AccountAbroad a -> new AbroadCheck(a,
                            new AbroadRule(a.name(), config.accounts(), accounts.book(), countries), accounts.several());
                    case CheckConfig.RouteDoubtful d -> new DoubtfulMailCheck(d, store, countries);
                });
            }
            services.put(service.name(), new ServicePolicy(service.name(), checks, service.deadline(), service.failureVerdict()));
        }
        return new Engine(services, clock, listener);
    }
}
