package dev.sekisho.config;

import dev.sekisho.engine.Action;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * @param notifications   who hears about new restrictions (webhooks, mail)
 * @param logs            log files and syslog listeners read for login attempts
 * @param geoip           the MaxMind-format databases for country and ASN
 * @param logins          password-failure counting and lockouts, and the Dovecot auth policy endpoint
 * @param accounts        per-account rules: refuse use from abroad, accounts seen from several countries
 */
public record SekishoConfig(Path source, Path dataDir, List<PolicyListener> policyListeners, InetSocketAddress http,
                            String defaultService, NetworkPrefixes networks, Map<String, ServiceConfig> services,
                            ListConfig allow, ListConfig deny, StateConfig state, PolicyLimits limits, DnsConfig dns,
                            NotifyConfig notifications, LogsConfig logs, GeoipConfig geoip, LoginsConfig logins,
                            AccountsConfig accounts) {

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

    /**
     * Where login attempts are read from when the mail servers cannot report them (docs/log-sources.md).
     *
     * @param files        log files followed like tail -F
     * @param syslog       syslog listeners
     * @param timezone     the zone of timestamps that carry none (BSD syslog, Postfix's and Dovecot's own files)
     * @param pollInterval how often the files are checked for new lines
     * @param maxLineBytes longest line or syslog message read; longer ones are skipped
     */
    public record LogsConfig(List<LogFile> files, List<SyslogSource> syslog, java.time.ZoneId timezone, Duration pollInterval,
                             int maxLineBytes) {
        public LogsConfig {
            files = List.copyOf(files);
            syslog = List.copyOf(syslog);
        }

        public boolean isEmpty() {
            return files.isEmpty() && syslog.isEmpty();
        }
    }

    /** What writes a log file, which says how its lines look and which of them record logins. */
    public enum LogFormat {
        /** Postfix: maillog_file, or a syslog file of Postfix's lines ("Mmm dd hh:mm:ss host postfix/smtpd[pid]: ..."). */
        POSTFIX,
        /** Dovecot's own log_path ("Mmm dd hh:mm:ss imap-login: Info: ..."). */
        DOVECOT,
        /** A syslog file holding both (e.g. /var/log/mail.log): Postfix's and Dovecot's lines are both read. */
        SYSLOG
    }

    public record LogFile(Path path, LogFormat format) {
    }

    public enum SyslogProtocol {
        UDP,
        TCP
    }

    public record SyslogSource(SyslogProtocol protocol, InetSocketAddress address) {
    }

    /**
     * Where country and ASN come from.
     *
     * @param countryDatabase a country or city database, checked at load to be a MaxMind database; empty for none
     * @param asnDatabase     an ASN database, checked likewise; empty for none
     * @param reloadCheck     how often, at most, the files are checked for a change
     */
    public record GeoipConfig(Optional<Path> countryDatabase, Optional<Path> asnDatabase, Duration reloadCheck) {
        public GeoipConfig {
            java.util.Objects.requireNonNull(countryDatabase, "countryDatabase");
            java.util.Objects.requireNonNull(asnDatabase, "asnDatabase");
            java.util.Objects.requireNonNull(reloadCheck, "reloadCheck");
        }
    }
}
