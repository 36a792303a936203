package dev.sekisho.config;

import dev.sekisho.engine.Action;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, validated. Built only by {@link ConfigLoader}; see docs/configuration.md.
 *
 * @param source          the file it was read from, null for the embedded defaults
 * @param dataDir         where embedded state lives; null means the command line's choice
 * @param policyListeners Postfix policy delegation listeners
 * @param http            the HTTP listener (health, metrics, admin API)
 * @param defaultService  the service for requests whose listener and policy_context name none
 * @param networks        prefix lengths that make a client address a "client network"
 * @param services        each service's checks, by name
 * @param allow           the allow list (used by allow-list checks)
 * @param deny            the deny list (used by deny-list checks)
 * @param state           where counters live
 * @param limits          protocol limits of the policy server
 * @param dns             how DNS is asked (SPF, DMARC, audits)
 * @param logins          password-failure counting and lockouts, and the Dovecot auth policy endpoint
 */
public record SekishoConfig(Path source, Path dataDir, List<PolicyListener> policyListeners, InetSocketAddress http,
                            String defaultService, NetworkPrefixes networks, Map<String, ServiceConfig> services,
                            ListConfig allow, ListConfig deny, StateConfig state, PolicyLimits limits, DnsConfig dns,
                            LoginsConfig logins) {

    public SekishoConfig {
        policyListeners = List.copyOf(policyListeners);
        services = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(services));
    }

    /** @param service the service every request on this listener belongs to; "" to go by policy_context */
    public record PolicyListener(InetSocketAddress address, String service) {
    }

    public record NetworkPrefixes(int ipv4, int ipv6) {
    }

    /** @param failureVerdict what to answer when a check cannot answer within {@code deadline} */
    public record ServiceConfig(String name, Duration deadline, Action failureVerdict, List<CheckConfig> checks) {
        public ServiceConfig {
            checks = List.copyOf(checks);
        }
    }

    /** @param capacity at most this many counters and triplets are held; the nearest to expiry go first */
    public record StateConfig(String type, long capacity) {
    }

    /**
     * @param maxLineBytes    longest attribute line accepted
     * @param maxRequestBytes largest request accepted
     * @param idleTimeout     how long a connection may wait between requests
     * @param requestTimeout  how long a started request may take to arrive in full
     * @param maxConnections  most policy connections open at once, per listener
     */
    public record PolicyLimits(int maxLineBytes, int maxRequestBytes, Duration idleTimeout, Duration requestTimeout,
                               int maxConnections) {
    }

    /**
     * @param resolvers   recursive resolvers to ask, in order; empty for the system's (/etc/resolv.conf)
     * @param timeout     deadline of one lookup
     * @param maxInFlight most lookups waiting for an answer at once
     */
    public record DnsConfig(List<InetSocketAddress> resolvers, Duration timeout, int maxInFlight) {
        public DnsConfig {
            resolvers = List.copyOf(resolvers);
        }
    }
}
