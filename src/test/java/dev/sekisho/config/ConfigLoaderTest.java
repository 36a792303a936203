package dev.sekisho.config;

import dev.sekisho.backoff.Backoff;
import dev.sekisho.engine.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private ConfigException errorOf(String yaml) throws IOException {
        Path file = dir.resolve("sekisho.yaml");
        Files.writeString(file, yaml);
        try {
            new ConfigLoader().load(file);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void embeddedDefaultsGreylistOnMxAndLimitAccountsOnSubmission() {
        SekishoConfig config = new ConfigLoader().loadDefaults();
        assertThat(config.source()).isNull();
        assertThat(config.defaultService()).isEqualTo("mx");
        assertThat(config.policyListeners()).singleElement().satisfies(l -> {
            assertThat(l.address().getPort()).isEqualTo(10040);
            assertThat(l.address().getAddress().isLoopbackAddress()).isTrue();
        });
        assertThat(config.http().getPort()).isEqualTo(8025);
        assertThat(config.services().get("mx").checks()).filteredOn(CheckConfig.Greylist.class::isInstance).singleElement()
                .satisfies(c -> assertThat(((CheckConfig.Greylist) c).allowClientNames())
                        .as("large senders that retry from many addresses").contains(".google.com", ".outbound.protection.outlook.com"));
        assertThat(config.services().get("submission").checks()).anySatisfy(c -> {
            assertThat(c).isInstanceOf(CheckConfig.RateLimit.class);
            assertThat(((CheckConfig.RateLimit) c).key()).isEqualTo(CheckConfig.RateKey.SASL_USERNAME);
        });
    }

    @Test
    void theExampleWithEveryKeyLoads() {
        SekishoConfig config = new ConfigLoader().load(Path.of("docs/sekisho.example.yaml"));
        assertThat(config.services()).containsKeys("mx", "submission");
        CheckConfig.Greylist grey = (CheckConfig.Greylist) config.services().get("mx").checks().get(4);
        assertThat(grey.delay()).isEqualTo(Duration.ofSeconds(300));
        assertThat(grey.maxAge()).isEqualTo(Duration.ofDays(35));
        assertThat(grey.allowClientNames()).contains(".google.com");
        CheckConfig.RateLimit perIp = (CheckConfig.RateLimit) config.services().get("mx").checks().get(3);
        assertThat(perIp.windows()).extracting(w -> w.limit()).containsExactly(100L, 1000L);
        assertThat(perIp.action()).isEqualTo(Action.defer(450, "4.7.1", ""));
        assertThat(config.policyListeners().get(1).service()).isEqualTo("submission");
        assertThat(config.dns().resolvers()).extracting(a -> a.getAddress().getHostAddress() + " " + a.getPort())
                .containsExactly("127.0.0.53 53", "0:0:0:0:0:0:0:1 53");
        assertThat(config.dns().timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void withoutADnsSectionTheSystemResolversAreAskedWithDefaultLimits() {
        SekishoConfig.DnsConfig dns = new ConfigLoader().loadDefaults().dns();
        assertThat(dns.resolvers()).isEmpty();
        assertThat(dns.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(dns.maxInFlight()).isEqualTo(256);
    }

    @Test
    void aResolverThatIsNotAnAddressIsNamedWithItsLine() throws IOException {
        ConfigException e = errorOf("""
                services:
                  mx:
                    checks: [restrictions]
                dns:
                  resolvers:
                    - 192.0.2.53
                    - dns.example.net
                """);
        assertThat(e.getMessage()).isEqualTo(dir.resolve("sekisho.yaml") + ":7: dns.resolvers[1]: resolver address 'dns.example.net': the host must be an IP address, was \"dns.example.net\"");
    }

    @Test
    void aMisspeltKeyIsNamedWithItsLine() throws IOException {
        ConfigException e = errorOf("""
                services:
                  mx:
                    checks:
                      - type: greylist
                        dealy: 300s
                """);
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.key()).isEqualTo("services.mx.checks[0].dealy");
        assertThat(e.getMessage()).contains("sekisho.yaml:5:").contains("unknown key").contains("delay");
    }

    @Test
    void aBadDurationIsNamedWithItsLineAndValue() throws IOException {
        ConfigException e = errorOf("""
                services:
                  mx:
                    checks:
                      - type: greylist
                        delay: five minutes
                """);
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.key()).isEqualTo("services.mx.checks[0].delay");
        assertThat(e.reason()).contains("five minutes");
    }

    @Test
    void aBadLimitInAListIsNamedAtItsOwnLine() throws IOException {
        ConfigException e = errorOf("""
                services:
                  submission:
                    checks:
                      - type: rate-limit
                        key: sasl-username
                        limits:
                          - 100/1h
                          - lots/1d
                """);
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.key()).isEqualTo("services.submission.checks[0].limits[1]");
        assertThat(e.reason()).contains("COUNT/PERIOD");
    }

    @Test
    void semanticErrorsAreLocatedToo() throws IOException {
        assertThat(errorOf("""
                services:
                  mx:
                    checks:
                      - type: greylist
                        delay: 3d
                """).key()).isEqualTo("services.mx.checks[0].retry-window");
        assertThat(errorOf("""
                services:
                  mx:
                    checks:
                      - type: rate-limit
                        limits: [10/1h]
                """).reason()).contains("required");
        ConfigException perRecipientDomainMessages = errorOf("""
                services:
                  mx:
                    checks:
                      - type: rate-limit
                        key: recipient-domain
                        count: messages
                        limits: [10/1h]
                """);
        assertThat(perRecipientDomainMessages.key()).isEqualTo("services.mx.checks[0].count");
        assertThat(perRecipientDomainMessages.reason()).contains("a recipient-domain limit counts recipients");
        assertThat(errorOf("""
                default-service: smtp
                services:
                  mx:
                    checks: [greylist]
                """).reason()).contains("no service named \"smtp\"");
        assertThat(errorOf("""
                services:
                  mx:
                    checks:
                      - type: spamassassin
                """).reason()).contains("unknown check type \"spamassassin\"");
        assertThat(errorOf("""
                services:
                  mx:
                    checks:
                      - type: deny-list
                        action: "250 ok"
                """).reason()).contains("4xx or 5xx");
        assertThat(errorOf("""
                listen:
                  http: localhost:8025
                services:
                  mx: {checks: [greylist]}
                """).reason()).contains("the host must be an IP address, was \"localhost\"");
    }

    @Test
    void loginDefaultsAreForALargeProviderAndTheExampleSetsEveryKey() {
        LoginsConfig defaults = new ConfigLoader().loadDefaults().logins();
        assertThat(defaults.enabled()).isTrue();
        assertThat(defaults.window()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.account()).isEqualTo(new LoginsConfig.Thresholds(5, 30, 10));
        assertThat(defaults.ip()).isEqualTo(new LoginsConfig.Thresholds(10, 100, 20));
        assertThat(defaults.network()).isEqualTo(new LoginsConfig.Thresholds(0, 300, 50));
        assertThat(defaults.blocks()).isEqualTo(new LoginsConfig.Blocks(new Backoff(Duration.ofMinutes(15), 2, Duration.ofDays(1)), Duration.ofDays(7)));
        assertThat(defaults.failOpen()).isTrue();
        assertThat(defaults.dovecot()).isEqualTo(new LoginsConfig.Dovecot(true, "/dovecot/auth-policy", "X-API-Key", "", null, null));

        LoginsConfig example = new ConfigLoader().load(Path.of("docs/sekisho.example.yaml")).logins();
        assertThat(example.exempt()).extracting(Object::toString).containsExactly("192.0.2.80");
        assertThat(example.dovecot().apiKey()).isEqualTo("change-me-to-a-long-random-string");
        assertThat(example.dovecot().listen().getPort()).isEqualTo(8026);
    }

    @Test
    void loginErrorsNameFileLineAndKey() throws IOException {
        ConfigException order = errorOf("""
                services: {mx: {checks: [greylist]}}
                logins:
                  account:
                    delay-after: 10
                    block-after: 5
                """);
        assertThat(order.line()).isEqualTo(4);
        assertThat(order.key()).isEqualTo("logins.account.delay-after");
        assertThat(order.reason()).contains("must be below block-after (5)");
        assertThat(errorOf("""
                services: {mx: {checks: [greylist]}}
                logins: {delay: 1500ms}
                """).reason()).contains("whole seconds");
        assertThat(errorOf("""
                services: {mx: {checks: [greylist]}}
                logins: {ip: {accounts-after: 3}}
                """).key()).isEqualTo("logins.ip.accounts-after");
        assertThat(errorOf("""
                services: {mx: {checks: [greylist]}}
                logins: {block: {first: 2h, max: 1h}}
                """).key()).isEqualTo("logins.block.max");
        ConfigException both = errorOf("""
                services: {mx: {checks: [greylist]}}
                logins:
                  dovecot:
                    api-key: abc
                    api-key-file: /nonexistent/key
                """);
        assertThat(both.key()).isEqualTo("logins.dovecot.api-key");
        assertThat(both.reason()).contains("not both");
        ConfigException missing = errorOf("""
                services: {mx: {checks: [greylist]}}
                logins:
                  dovecot:
                    api-key-file: %s
                """.formatted(dir.resolve("no-key")));
        assertThat(missing.line()).isEqualTo(4);
        assertThat(missing.reason()).contains("cannot read").contains("no such file");
        assertThat(errorOf("""
                services: {mx: {checks: [greylist]}}
                logins: {dovecot: {path: /api/dovecot}}
                """).reason()).contains("outside /api");
    }

    @Test
    void theDovecotKeyIsReadFromItsFile() throws IOException {
        Path key = dir.resolve("dovecot.key");
        Files.writeString(key, "  from-a-file\n");
        Path file = dir.resolve("sekisho.yaml");
        Files.writeString(file, "services: {mx: {checks: [greylist]}}\nlogins: {dovecot: {api-key-file: " + key + "}}\n");
        LoginsConfig.Dovecot dovecot = new ConfigLoader().load(file).logins().dovecot();
        assertThat(dovecot.apiKey()).isEqualTo("from-a-file");
        assertThat(dovecot.apiKeyFile()).isEqualTo(key);
    }

    @Test
    void duplicateKeysAndBrokenYamlAreRefused() throws IOException {
        ConfigException dup = errorOf("""
                services:
                  mx: {checks: [greylist]}
                  mx: {checks: [restrictions]}
                """);
        assertThat(dup.line()).isEqualTo(3);
        assertThat(dup.reason()).contains("duplicate key");
        ConfigException broken = errorOf("services:\n  mx: [unclosed\n");
        assertThat(broken.reason()).contains("not valid YAML");
        assertThat(broken.line()).isPositive();
    }

    @Test
    void aMissingFileIsAConfigErrorNamingIt() {
        assertThatThrownBy(() -> new ConfigLoader().load(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml").hasMessageContaining("cannot read");
    }

    @Test
    void actionsAreWrittenTheAccessWay() {
        assertThat(ActionSyntax.parse("reject")).isEqualTo(Action.reject(554, "5.7.1", ""));
        assertThat(ActionSyntax.parse("defer Slow down")).isEqualTo(Action.defer(450, "4.7.1", "Slow down"));
        assertThat(ActionSyntax.parse("421 4.7.0 Bye")).isEqualTo(Action.defer(421, "4.7.0", "Bye"));
        assertThat(ActionSyntax.parse("550 Nope")).isEqualTo(Action.reject(550, "", "Nope"));
        assertThat(ActionSyntax.parse("filter smtp:[127.0.0.1]:10025").kind()).isEqualTo(Action.Kind.FILTER);
        assertThat(ActionSyntax.parse("defer-if-permit").kind()).isEqualTo(Action.Kind.DEFER_IF_PERMIT);
        assertThatThrownBy(() -> ActionSyntax.parse("bounce")).hasMessageContaining("unknown action");
    }
}
