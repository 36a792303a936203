package dev.sekisho.config;

import dev.sekisho.dns.ResolverAddress;
import dev.sekisho.net.HostPort;
import dev.sekisho.engine.Action;
import dev.sekisho.geo.GeoIp;
import dev.sekisho.state.RateWindow;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads and validates sekisho.yaml. Every problem is reported with file, line and key; nothing
 * half-valid is ever returned. Without a file, the embedded defaults (defaults.yaml) apply.
 */
public final class ConfigLoader {
    private static final String DEFAULTS = "defaults.yaml";
    private static final long MAX_FILE_BYTES = 4 * 1024 * 1024;
    /** ISO 3166-1 alpha-2 codes as MaxMind databases give them, plus XK (Kosovo), which they use though ISO has not assigned it. */
    private static final Set<String> COUNTRY_CODES = countryCodeSet();

    /** Schema paths of every key read so far; lets a test hold docs/configuration.md to the code. */
    private final Set<String> schemaKeys = new TreeSet<>();

    public SekishoConfig load(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) throw new ConfigException(file, 0, "", "larger than " + MAX_FILE_BYTES + " bytes");
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "", "cannot read: " + describe(e));
        }
        return parse(file, text);
    }

    /** An I/O failure in words: NoSuchFileException's message is only the path. */
    static String describe(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "no such file";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            default -> e.getMessage() == null ? e.toString() : e.getMessage();
        };
    }

    public SekishoConfig loadDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
            if (in == null) throw new IllegalStateException("embedded " + DEFAULTS + " missing from the build");
            return parse(null, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read embedded " + DEFAULTS, e);
        }
    }

    /** The embedded defaults as text, for {@code sekisho config defaults}. */
    public static String defaultsText() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("cannot read embedded " + DEFAULTS, e);
        }
    }

    Set<String> schemaKeys() {
        return schemaKeys;
    }

    SekishoConfig parse(Path file, String text) {
        Section root = Section.root(file, new YamlTree(file).parse(text), schemaKeys);

        Path dataDir = root.has("data-dir") ? Path.of(root.string("data-dir", "")) : null;

        Section networksSection = root.section("networks");
        var networks = new SekishoConfig.NetworkPrefixes(
                networksSection.integer("ipv4-prefix", 24, 8, 32),
                networksSection.integer("ipv6-prefix", 64, 16, 128));
        networksSection.rejectUnknownKeys();

        Section listen = root.section("listen");
        List<SekishoConfig.PolicyListener> policyListeners = new ArrayList<>();
        for (Section l : listen.sections("policy", s -> "")) {
            InetSocketAddress address = hostPort(l, "address", null);
            policyListeners.add(new SekishoConfig.PolicyListener(address, l.string("service", "")));
            l.rejectUnknownKeys();
        }
        if (!listen.has("policy")) {
            policyListeners.add(new SekishoConfig.PolicyListener(new InetSocketAddress("127.0.0.1", 10040), ""));
        }
        InetSocketAddress http = hostPort(listen, "http", new InetSocketAddress("127.0.0.1", 8025));
        listen.rejectUnknownKeys();

        Section lists = root.section("lists");
        ListConfig allow = listConfig(lists.section("allow"));
        ListConfig deny = listConfig(lists.section("deny"));
        lists.rejectUnknownKeys();

        // Before the services: their route-doubtful checks take the accounts' home countries unless they name their own.
        AccountsConfig accounts = accounts(root.section("accounts"));

        Map<String, SekishoConfig.ServiceConfig> services = new LinkedHashMap<>();
        for (var entry : root.named("services", "service").entrySet()) {
            services.put(entry.getKey(), service(entry.getKey(), entry.getValue(), accounts));
        }
        if (services.isEmpty()) throw root.error("services", "at least one service is needed");

        String defaultService = root.string("default-service", services.containsKey("mx") ? "mx" : services.keySet().iterator().next());
        if (!services.containsKey(defaultService)) {
            throw root.error("default-service", "no service named \"" + defaultService + "\" (services: " + String.join(", ", services.keySet()) + ")");
        }
        for (int i = 0; i < policyListeners.size(); i++) {
            String service = policyListeners.get(i).service();
            if (!service.isEmpty() && !services.containsKey(service)) {
                throw new ConfigException(file, 0, "listen.policy[" + i + "].service", "no service named \"" + service + "\"");
            }
        }

        Section stateSection = root.section("state");
        String stateType = stateSection.string("type", "memory");
        if (!stateType.equals("memory")) throw stateSection.error("type", "must be memory (Redis comes later), was \"" + stateType + "\"");
        var state = new SekishoConfig.StateConfig(stateType, stateSection.integer("capacity", 2_000_000, 1000, Integer.MAX_VALUE));
        stateSection.rejectUnknownKeys();

        Section limitsSection = root.section("policy-limits");
        var limits = new SekishoConfig.PolicyLimits(
                limitsSection.integer("max-line-bytes", 4096, 256, 1 << 20),
                limitsSection.integer("max-request-bytes", 64 * 1024, 1024, 16 << 20),
                limitsSection.positiveDuration("idle-timeout", Duration.ofSeconds(330)),
                limitsSection.positiveDuration("request-timeout", Duration.ofSeconds(10)),
                limitsSection.integer("max-connections", 2000, 1, 1_000_000));
        limitsSection.rejectUnknownKeys();

        Section dnsSection = root.section("dns");
        var dns = new SekishoConfig.DnsConfig(
                dnsSection.each("resolvers", ResolverAddress::parse),
                dnsSection.positiveDuration("timeout", Duration.ofSeconds(5)),
                dnsSection.integer("max-in-flight", 256, 1, 100_000));
        dnsSection.rejectUnknownKeys();

        NotifyConfig notifications = NotifyConfigReader.read(root);
        SekishoConfig.LogsConfig logs = logs(root.section("logs"));
        LoginsConfig logins = logins(root.section("logins"));

        Section geoipSection = root.section("geoip");
        var geoip = new SekishoConfig.GeoipConfig(
                geoDatabase(geoipSection, "country-database"),
                geoDatabase(geoipSection, "asn-database"),
                geoipSection.positiveDuration("reload-check", GeoIp.Databases.DEFAULT_RELOAD_CHECK));
        geoipSection.rejectUnknownKeys();

        root.rejectUnknownKeys();
        return new SekishoConfig(file, dataDir, policyListeners, http, defaultService, networks, services, allow, deny, state, limits, dns,
                notifications, logs, geoip, logins, accounts);
    }

    private static AccountsConfig accounts(Section s) {
        AccountsConfig defaults = AccountsConfig.defaults();
        Set<String> home = s.has("home-countries") ? countryCodes(s, "home-countries") : defaults.homeCountries();
        if (home.isEmpty()) throw s.error("home-countries", "must name at least one country (ISO 3166-1 alpha-2, like JP)");
        String unknownText = s.string("unknown-country", "allow").trim();
        AccountsConfig.UnknownCountry unknown = switch (unknownText) {
            case "allow" -> AccountsConfig.UnknownCountry.ALLOW;
            case "refuse" -> AccountsConfig.UnknownCountry.REFUSE;
            default -> throw s.error("unknown-country", "must be allow or refuse, was \"" + unknownText + "\"");
        };
        Section several = s.section("several-countries");
        int countries = several.integer("countries", defaults.severalCountries().countries(), 0, 50);
        if (countries == 1) throw several.error("countries", "must be 0 (off) or at least 2: one country is every account");
        var severalCountries = new AccountsConfig.SeveralCountries(countries,
                several.positiveDuration("window", defaults.severalCountries().window()),
                several.positiveDuration("restrict-for", defaults.severalCountries().restrictFor()));
        several.rejectUnknownKeys();
        int history = s.integer("history", defaults.history(), 1, 1000);
        Duration historyRetention = s.positiveDuration("history-retention", defaults.historyRetention());
        if (historyRetention.compareTo(AccountsConfig.MAX_HISTORY_RETENTION) > 0) {
            throw s.error("history-retention", "must be at most " + dev.sekisho.state.DurationText.format(AccountsConfig.MAX_HISTORY_RETENTION)
                    + ", was " + dev.sekisho.state.DurationText.format(historyRetention));
        }
        s.rejectUnknownKeys();
        return new AccountsConfig(home, unknown, severalCountries, history, historyRetention);
    }

    private SekishoConfig.LogsConfig logs(Section s) {
        ZoneId zone = ZoneId.systemDefault();
        if (s.has("timezone")) {
            String text = s.string("timezone", "").trim();
            try {
                zone = ZoneId.of(text);
            } catch (java.time.DateTimeException e) {
                throw s.error("timezone", "not a time zone like Asia/Tokyo, UTC or +09:00, was \"" + text + "\"");
            }
        }
        Duration pollInterval = s.positiveDuration("poll-interval", Duration.ofSeconds(1));
        int maxLineBytes = s.integer("max-line-bytes", 8192, 480, 1 << 20);
        List<SekishoConfig.LogFile> files = new ArrayList<>();
        Set<Path> paths = new HashSet<>();
        for (Section f : s.sections("files", x -> "")) {
            String pathText = f.string("path", "").trim();
            if (pathText.isEmpty()) throw f.error("path", "is required: the log file to follow, e.g. /var/log/mail.log");
            Path path = Path.of(pathText);
            if (!path.isAbsolute()) throw f.error("path", "must be an absolute path, was \"" + pathText + "\"");
            if (!paths.add(path.normalize())) throw f.error("path", pathText + " is listed twice: its lines would be counted twice");
            files.add(new SekishoConfig.LogFile(path.normalize(), enumValue(f, "format", SekishoConfig.LogFormat.class, null)));
            f.rejectUnknownKeys();
        }
        List<SekishoConfig.SyslogSource> syslog = new ArrayList<>();
        Set<String> bound = new HashSet<>();
        for (Section l : s.sections("syslog", x -> "")) {
            var protocol = enumValue(l, "protocol", SekishoConfig.SyslogProtocol.class, SekishoConfig.SyslogProtocol.UDP);
            InetSocketAddress address = hostPort(l, "address", new InetSocketAddress("127.0.0.1", 10514));
            if (address.getPort() != 0 && !bound.add(protocol + " " + address)) {
                throw l.error("address", "two " + protocol.name().toLowerCase(Locale.ROOT) + " syslog listeners on " + address);
            }
            syslog.add(new SekishoConfig.SyslogSource(protocol, address));
            l.rejectUnknownKeys();
        }
        s.rejectUnknownKeys();
        return new SekishoConfig.LogsConfig(files, syslog, zone, pollInterval, maxLineBytes);
    }

    /**
     * A MaxMind database file: a relative path is taken from the configuration file's folder; a file that is missing or
     * not a MaxMind database is an error that names it.
     */
    private static Optional<Path> geoDatabase(Section s, String key) {
        if (!s.has(key)) return Optional.empty();
        String text = s.string(key, "").strip();
        if (text.isEmpty()) return Optional.empty(); // "country-database:" with nothing after it: none, as in the example
        Path path = Path.of(text);
        if (!path.isAbsolute() && s.file() != null && s.file().toAbsolutePath().getParent() != null) {
            path = s.file().toAbsolutePath().getParent().resolve(path).normalize();
        }
        Optional<String> problem = GeoIp.problem(path);
        if (problem.isPresent()) throw s.error(key, problem.get());
        return Optional.of(path);
    }

    /** Defaults meant for a large ISP: thresholds a shared address (NAT, webmail) does not reach by honest mistakes. */
    private LoginsConfig logins(Section s) {
        boolean enabled = s.bool("enabled", true);
        Duration window = s.positiveDuration("window", Duration.ofHours(1));
        LoginsConfig.Thresholds account = thresholds(s.section("account"), 5, 30, "passwords-block-after", 10);
        LoginsConfig.Thresholds ip = thresholds(s.section("ip"), 10, 100, "accounts-block-after", 20);
        LoginsConfig.Thresholds network = thresholds(s.section("network"), 0, 300, "accounts-block-after", 50);
        Section networks = s.section("networks");
        int ipv4 = networks.integer("ipv4-prefix", 24, 8, 32);
        int ipv6 = networks.integer("ipv6-prefix", 64, 16, 128);
        networks.rejectUnknownKeys();
        List<IPAddress> exempt = s.each("exempt", ConfigLoader::network);
        Duration delay = s.duration("delay", Duration.ofSeconds(2));
        if (delay.isNegative() || delay.toMillis() % 1000 != 0) throw s.error("delay", "must be whole seconds (Dovecot delays in seconds), was " + delay);
        Duration maxDelay = s.duration("max-delay", Duration.ofSeconds(15));
        if (maxDelay.compareTo(delay) < 0 || maxDelay.toMillis() % 1000 != 0) {
            throw s.error("max-delay", "must be whole seconds and at least delay (" + delay.toSeconds() + "s)");
        }

        Section b = s.section("block");
        Duration first = b.positiveDuration("first", Duration.ofMinutes(15));
        int growth = b.integer("growth", 2, 1, 100);
        Duration max = b.positiveDuration("max", Duration.ofDays(1));
        if (max.compareTo(first) < 0) throw b.error("max", "must be at least first (" + first + ")");
        Duration remember = b.positiveDuration("remember", Duration.ofDays(7));
        b.rejectUnknownKeys();
        boolean failOpen = s.bool("fail-open", true);

        Section d = s.section("dovecot");
        boolean dovecotEnabled = d.bool("enabled", true);
        String path = d.string("path", "/dovecot/auth-policy").trim();
        if (!path.matches("/[A-Za-z0-9._~/-]*") || path.startsWith("/api/") || path.equals("/api")) {
            throw d.error("path", "must be a URL path like /dovecot/auth-policy (letters, digits, . _ ~ - /), outside /api, was \"" + path + "\"");
        }
        String header = d.string("api-header", "X-API-Key").trim();
        if (!header.matches("[A-Za-z0-9-]+")) throw d.error("api-header", "must be an HTTP header name like X-API-Key, was \"" + header + "\"");
        String key = d.string("api-key", "").trim();
        Path keyFile = d.has("api-key-file") ? Path.of(d.string("api-key-file", "").trim()) : null;
        if (!key.isEmpty() && keyFile != null) throw d.error("api-key", "give api-key or api-key-file, not both");
        if (keyFile != null) {
            try {
                key = Files.readString(keyFile, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw d.error("api-key-file", "cannot read " + keyFile + ": " + describe(e));
            }
            if (key.isEmpty()) throw d.error("api-key-file", keyFile + " is empty");
        }
        InetSocketAddress listen = d.has("listen") ? hostPort(d, "listen", null) : null;
        d.rejectUnknownKeys();
        s.rejectUnknownKeys();
        return new LoginsConfig(enabled, window, account, ip, network, ipv4, ipv6, exempt, delay, maxDelay,
                new LoginsConfig.Blocks(new dev.sekisho.backoff.Backoff(first, growth, max), remember), failOpen,
                new LoginsConfig.Dovecot(dovecotEnabled, path, header, key, keyFile, listen));
    }

    private static LoginsConfig.Thresholds thresholds(Section s, int delayAfter, int blockAfter, String distinctKey, int distinctBlockAfter) {
        int max = dev.sekisho.state.TallyRequest.MAX_CAP;
        var t = new LoginsConfig.Thresholds(s.integer("delay-after", delayAfter, 0, max), s.integer("block-after", blockAfter, 0, max),
                s.integer(distinctKey, distinctBlockAfter, 0, max));
        if (t.delayAfter() > 0 && t.blockAfter() > 0 && t.delayAfter() >= t.blockAfter()) {
            throw s.error("delay-after", "must be below block-after (" + t.blockAfter() + "), or 0 for no delay");
        }
        s.rejectUnknownKeys();
        return t;
    }

    private SekishoConfig.ServiceConfig service(String name, Section s, AccountsConfig accounts) {
        Duration deadline = s.positiveDuration("deadline", Duration.ofSeconds(2));
        Action failureVerdict = action(s, "failure-verdict", Action.DUNNO);
        List<CheckConfig> checks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section c : s.sections("checks", ConfigLoader::checkType)) {
            CheckConfig check = check(c, accounts);
            if (!names.add(check.name())) throw c.error("name", "two checks in service " + name + " are named \"" + check.name() + "\"");
            checks.add(check);
            c.rejectUnknownKeys();
        }
        s.rejectUnknownKeys();
        return new SekishoConfig.ServiceConfig(name, deadline, failureVerdict, checks);
    }

    private static String checkType(Section c) {
        String type = c.string("type", "");
        if (type.isEmpty()) throw c.error("type", "every check needs a type (restrictions, allow-list, deny-list, rate-limit, greylist, sender-login-mismatch, country, account-abroad, route-doubtful)");
        return type;
    }

    private CheckConfig check(Section c, AccountsConfig accounts) {
        String type = c.string("type", "");
        String name = c.string("name", type);
        return switch (type) {
            case "restrictions" -> new CheckConfig.Restrictions(name, action(c, "action", Action.reject(554, "5.7.1", "")));
            case "allow-list" -> new CheckConfig.AllowList(name);
            case "deny-list" -> new CheckConfig.DenyList(name, action(c, "action", Action.reject(554, "5.7.1", "Access denied")));
            case "rate-limit" -> rateLimit(c, name);
            case "greylist" -> greylist(c, name);
            case "sender-login-mismatch" -> mismatch(c, name);
            case "country" -> country(c, name);
            case "account-abroad" -> accountAbroad(c, name);
            case "route-doubtful" -> routeDoubtful(c, name, accounts.homeCountries());
            default -> throw c.error("type", "unknown check type \"" + type
                    + "\" (restrictions, allow-list, deny-list, rate-limit, greylist, sender-login-mismatch, country, account-abroad, route-doubtful)");
        };
    }

    private CheckConfig.RateLimit rateLimit(Section c, String name) {
        CheckConfig.RateKey key = enumValue(c, "key", CheckConfig.RateKey.class, null);
        CheckConfig.RateUnit unit = enumValue(c, "count", CheckConfig.RateUnit.class, CheckConfig.RateUnit.RECIPIENTS);
        if (key == CheckConfig.RateKey.RECIPIENT_DOMAIN && unit != CheckConfig.RateUnit.RECIPIENTS) {
            // SMTPD_POLICY_README: at END-OF-MESSAGE, where messages and bytes are counted, Postfix sends the recipient
            // only when the message has one; a message to several would never be counted.
            throw c.error("count", "a recipient-domain limit counts recipients (Postfix names the recipient at "
                    + "END-OF-MESSAGE only for mail to one recipient, so messages and bytes to several would go uncounted)");
        }
        List<RateWindow> windows = c.each("limits", ConfigLoader::rateWindow);
        if (windows.isEmpty()) throw c.error("limits", "at least one limit is needed, e.g. [100/1h, 1000/1d]");
        Set<Duration> periods = new HashSet<>();
        for (RateWindow w : windows) {
            if (!periods.add(w.period())) throw c.error("limits", "two limits share the period " + w.period());
        }
        // "doubtful": a soft limit, which marks the mail doubtful (for route-doubtful) instead of refusing it
        boolean soft = c.has("action") && c.string("action", "").trim().equalsIgnoreCase("doubtful");
        Action action = soft ? Action.defer(450, "4.7.1", "") : action(c, "action", Action.defer(450, "4.7.1", ""), " (or doubtful)");
        ListConfig exempt = listConfig(c.section("exempt"));
        CheckConfig.CountryCondition countries = c.has("countries") ? countryCondition(c.section("countries")) : null;
        return new CheckConfig.RateLimit(name, key, unit, windows, action, exempt, countries, soft);
    }

    private CheckConfig.RouteDoubtful routeDoubtful(Section c, String name, Set<String> accountHomeCountries) {
        String transport = c.string("transport", "smtp-doubtful:").trim();
        try {
            Action.of(Action.Kind.FILTER, transport);
        } catch (IllegalArgumentException e) {
            throw c.error("transport", "must be a master.cf transport and an optional next hop, like smtp-doubtful: or "
                    + "smtp-doubtful:[relay.example.net], was \"" + transport + "\"");
        }
        Duration restrictedWithin = c.duration("restricted-within", Duration.ofDays(7));
        if (restrictedWithin.isNegative()) throw c.error("restricted-within", "must be 0 (off) or longer");
        Set<String> home = c.has("home-countries") ? countryCodes(c, "home-countries") : accountHomeCountries;
        boolean unknown = c.bool("unknown-country-doubtful", false);
        boolean earlier = c.bool("earlier-doubts", true);
        if (restrictedWithin.isZero() && home.isEmpty() && !earlier) {
            throw c.error("route-doubtful has no signal: set restricted-within, home-countries or earlier-doubts");
        }
        return new CheckConfig.RouteDoubtful(name, transport, restrictedWithin, home, unknown, earlier);
    }

    /** {@code {in: [..]}} or {@code {not-in: [..]}}, and whether a client of unknown country is counted. */
    private static CheckConfig.CountryCondition countryCondition(Section s) {
        Set<String> in = countryCodes(s, "in");
        Set<String> notIn = countryCodes(s, "not-in");
        boolean unknownApplies = s.bool("unknown-counted", false);
        s.rejectUnknownKeys();
        if (in.isEmpty() == notIn.isEmpty()) {
            throw s.error("give either in (the limit counts clients from these countries) or not-in (clients from elsewhere, "
                    + "e.g. not-in: [JP] for \"from abroad\")");
        }
        return new CheckConfig.CountryCondition(in.isEmpty() ? notIn : in, in.isEmpty(), unknownApplies);
    }

    private static CheckConfig.AccountAbroad accountAbroad(Section c, String name) {
        String actionText = c.string("action", "reject").trim();
        if (actionText.equalsIgnoreCase("log")) return new CheckConfig.AccountAbroad(name, null);
        try {
            return new CheckConfig.AccountAbroad(name, ActionSyntax.parse(actionText));
        } catch (IllegalArgumentException e) {
            throw c.error("action", e.getMessage() + " (or log)");
        }
    }

    private CheckConfig.Country country(Section c, String name) {
        Set<String> allow = countryCodes(c, "allow-countries");
        Set<String> deny = countryCodes(c, "deny-countries");
        if (!allow.isEmpty() && !deny.isEmpty()) {
            throw c.error("deny-countries", "give allow-countries (every other country is denied) or deny-countries, not both");
        }
        List<IPAddress> allowNetworks = c.each("allow-networks", ConfigLoader::network);
        List<IPAddress> denyNetworks = c.each("deny-networks", ConfigLoader::network);
        if (allow.isEmpty() && deny.isEmpty() && allowNetworks.isEmpty() && denyNetworks.isEmpty()) {
            throw c.error("a country check needs allow-countries, deny-countries, allow-networks or deny-networks");
        }
        CheckConfig.UnknownCountry unknown = enumValue(c, "unknown", CheckConfig.UnknownCountry.class, CheckConfig.UnknownCountry.PASS);
        String actionText = c.string("action", "reject");
        Action action = null;
        if (!actionText.trim().equalsIgnoreCase("log")) {
            try {
                action = ActionSyntax.parse(actionText);
            } catch (IllegalArgumentException e) {
                throw c.error("action", e.getMessage() + " (or log)");
            }
        }
        ListConfig exempt = listConfig(c.section("exempt"));
        return new CheckConfig.Country(name, allow, deny, allowNetworks, denyNetworks, unknown, action, exempt);
    }

    private static Set<String> countryCodeSet() {
        Set<String> codes = new HashSet<>(Locale.getISOCountries(Locale.IsoCountryCode.PART1_ALPHA2));
        codes.add("XK");
        return Set.copyOf(codes);
    }

    /** A list of country codes, each checked; upper case. */
    private static Set<String> countryCodes(Section s, String key) {
        List<String> codes = s.each(key, ConfigLoader::countryCode);
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String code : codes) {
            if (!out.add(code)) throw s.error(key, code + " is listed twice");
        }
        return out;
    }

    /** "JP": two letters A-Z naming an assigned ISO 3166-1 country. */
    static String countryCode(String text) {
        String code = text.trim();
        if (code.length() != 2 || !isUpperLetter(code.charAt(0)) || !isUpperLetter(code.charAt(1))) {
            throw new IllegalArgumentException("a country is an ISO 3166-1 alpha-2 code, two letters A-Z like JP, was \"" + text + "\"");
        }
        if (!COUNTRY_CODES.contains(code)) {
            throw new IllegalArgumentException("no country has the ISO 3166-1 code " + code);
        }
        return code;
    }

    private static boolean isUpperLetter(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** "100/1h": at most 100 per hour. */
    static RateWindow rateWindow(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("a limit is COUNT/PERIOD like 100/1h, was \"" + text + "\"");
        long limit;
        try {
            limit = Long.parseLong(text.substring(0, slash).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a limit is COUNT/PERIOD like 100/1h, was \"" + text + "\"");
        }
        if (limit <= 0) throw new IllegalArgumentException("the count of " + text + " must be positive");
        Duration period = Durations.parse(text.substring(slash + 1).trim());
        if (period.compareTo(Duration.ofSeconds(1)) < 0) throw new IllegalArgumentException("the period of " + text + " must be at least 1s");
        return new RateWindow(limit, period);
    }

    private CheckConfig.Greylist greylist(Section c, String name) {
        Duration delay = c.duration("delay", Duration.ofSeconds(300));
        Duration retryWindow = c.positiveDuration("retry-window", Duration.ofDays(2));
        Duration maxAge = c.positiveDuration("max-age", Duration.ofDays(35));
        if (retryWindow.compareTo(delay) <= 0) throw c.error("retry-window", "must be longer than delay (" + delay + ")");
        if (maxAge.compareTo(retryWindow) < 0) throw c.error("max-age", "must be at least retry-window (" + retryWindow + ")");
        int autoAllow = c.integer("auto-allow-after", 5, 0, 1_000_000);
        List<String> names = c.each("allow-client-names", text -> {
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.equals("unknown") || lower.isBlank() || lower.contains(" ")) {
                throw new IllegalArgumentException("not a host name or .suffix: \"" + text + "\"");
            }
            return lower;
        });
        boolean skipAuthenticated = c.bool("skip-authenticated", true);
        Action action = action(c, "action", Action.of(Action.Kind.DEFER_IF_PERMIT, ""));
        return new CheckConfig.Greylist(name, delay, retryWindow, maxAge, autoAllow, names, skipAuthenticated, action);
    }

    private CheckConfig.SenderLoginMismatch mismatch(Section c, String name) {
        CheckConfig.MismatchMatch match = enumValue(c, "match", CheckConfig.MismatchMatch.class, CheckConfig.MismatchMatch.DOMAIN);
        Map<String, List<String>> owners = new LinkedHashMap<>();
        for (var e : c.namedLists("owners").entrySet()) {
            owners.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().stream().map(v -> v.toLowerCase(Locale.ROOT)).toList());
        }
        String loginDomain = c.string("login-domain", "").toLowerCase(Locale.ROOT);
        String actionText = c.string("action", "reject");
        Action action;
        if (actionText.equalsIgnoreCase("log")) {
            action = null;
        } else {
            try {
                action = ActionSyntax.parse(actionText);
            } catch (IllegalArgumentException e) {
                throw c.error("action", e.getMessage() + " (or log)");
            }
            if (action.kind() == Action.Kind.REJECT && action.argument().isEmpty()) {
                action = action.withText("Sender address is not owned by the authenticated account");
            }
        }
        return new CheckConfig.SenderLoginMismatch(name, match, owners, loginDomain, action);
    }

    private ListConfig listConfig(Section s) {
        List<IPAddress> networks = s.each("networks", ConfigLoader::network);
        Set<String> domains = lowerSet(s.strings("domains"));
        Set<String> accounts = lowerSet(s.strings("accounts"));
        Set<String> senders = lowerSet(s.strings("senders"));
        s.rejectUnknownKeys();
        return new ListConfig(networks, domains, accounts, senders);
    }

    static IPAddress network(String text) {
        IPAddressString parsed = new IPAddressString(text);
        IPAddress address = parsed.getAddress();
        if (address == null || parsed.isPrefixed() && !parsed.getNetworkPrefixLength().equals(address.getPrefixLength())) {
            throw new IllegalArgumentException("not an IP address or CIDR network: \"" + text + "\"");
        }
        return address.isPrefixed() ? address.toPrefixBlock() : address;
    }

    private static Set<String> lowerSet(List<String> values) {
        return values.stream().map(v -> v.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    private static Action action(Section s, String key, Action fallback) {
        return action(s, key, fallback, "");
    }

    /** @param alternatives what else the key accepts, appended to the error */
    private static Action action(Section s, String key, Action fallback, String alternatives) {
        if (!s.has(key)) return fallback;
        try {
            return ActionSyntax.parse(s.string(key, ""));
        } catch (IllegalArgumentException e) {
            throw s.error(key, e.getMessage() + alternatives);
        }
    }


    private static <E extends Enum<E>> E enumValue(Section s, String key, Class<E> type, E fallback) {
        String text = s.string(key, null);
        if (text == null) {
            if (fallback == null) throw s.error(key, "is required (one of " + choices(type) + ")");
            return fallback;
        }
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw s.error(key, "must be one of " + choices(type) + ", was \"" + text + "\"");
        }
    }

    private static <E extends Enum<E>> String choices(Class<E> type) {
        List<String> out = new ArrayList<>();
        for (E e : type.getEnumConstants()) out.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        return String.join(", ", out);
    }

    private static InetSocketAddress hostPort(Section s, String key, InetSocketAddress fallback) {
        if (!s.has(key)) {
            if (fallback == null) throw s.error(key, "is required, e.g. 127.0.0.1:10040");
            return fallback;
        }
        String text = s.string(key, "").trim();
        try {
            return parseHostPort(text);
        } catch (IllegalArgumentException e) {
            throw s.error(key, e.getMessage());
        }
    }

    /** "127.0.0.1:10040" or "[::1]:10040"; the host must be an IP literal (no DNS at start-up); port 0 takes any free port. */
    private static InetSocketAddress parseHostPort(String text) {
        return HostPort.parse(text, -1, 0).literalAddress();
    }
}
