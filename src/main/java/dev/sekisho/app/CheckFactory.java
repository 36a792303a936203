package dev.sekisho.app;

import dev.sekisho.checks.ListCheck;
import dev.sekisho.checks.ClientNetworks;
import dev.sekisho.checks.GreylistCheck;
import dev.sekisho.checks.ListMatcher;
import dev.sekisho.checks.RateLimitCheck;
import dev.sekisho.checks.RestrictionCheck;
import dev.sekisho.checks.SenderLoginMismatchCheck;
import dev.sekisho.config.CheckConfig;
import dev.sekisho.config.SekishoConfig;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.Engine;
import dev.sekisho.engine.ServicePolicy;
import dev.sekisho.state.StateStore;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds an engine from the configuration: one place where every check type meets its dependencies. */
final class CheckFactory {
    private CheckFactory() {
    }

    static Engine engine(SekishoConfig config, StateStore store, InstantSource clock, Engine.Listener listener) {
        ClientNetworks networks = new ClientNetworks(config.networks().ipv4(), config.networks().ipv6());
        ListMatcher allow = new ListMatcher(config.allow());
        ListMatcher deny = new ListMatcher(config.deny());
        Map<String, ServicePolicy> services = new LinkedHashMap<>();
        for (SekishoConfig.ServiceConfig service : config.services().values()) {
            List<Check> checks = new ArrayList<>();
            for (CheckConfig c : service.checks()) {
                checks.add(switch (c) {
                    case CheckConfig.Restrictions r -> new RestrictionCheck(r.name(), store, r.action());
                    case CheckConfig.AllowList a -> ListCheck.allow(a.name(), allow);
                    case CheckConfig.DenyList d -> ListCheck.deny(d.name(), deny, d.action());
                    case CheckConfig.RateLimit r -> new RateLimitCheck(r, networks, store);
                    case CheckConfig.Greylist g -> new GreylistCheck(g, networks, store);
                    case CheckConfig.SenderLoginMismatch m -> new SenderLoginMismatchCheck(m);
                });
            }
            services.put(service.name(), new ServicePolicy(service.name(), checks, service.deadline(), service.failureVerdict()));
        }
        return new Engine(services, clock, listener);
    }
}
