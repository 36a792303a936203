package dev.sekisho.config;

import dev.sekisho.engine.Subject;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who hears about a newly imposed restriction, and how (the {@code notify:} section; see
 * docs/notifications.md). Without the section nothing is sent.
 *
 * @param node           the name this node gives itself in webhooks and mails; "" for the machine's host name
 * @param queueCapacity  most deliveries waiting (first attempts and retries); past it the oldest are dropped
 * @param maxAttempts    attempts per delivery before it is logged as failed
 * @param firstRetry     wait before the second attempt; doubled before each further one
 * @param maxRetryDelay  the doubling stops here
 * @param webhooks       HTTP endpoints that receive every restriction of their subject kinds
 * @param mail           mail to users and support; null when there is no {@code notify.mail}
 */
public record NotifyConfig(String node, int queueCapacity, int maxAttempts, Duration firstRetry, Duration maxRetryDelay,
                           List<Webhook> webhooks, Mail mail) {

    public NotifyConfig {
        webhooks = List.copyOf(webhooks);
    }

    /** No {@code notify:} section: nothing is sent. */
    public static NotifyConfig disabled() {
        return new NotifyConfig("", 10_000, 10, Duration.ofSeconds(30), Duration.ofHours(1), List.of(), null);
    }

    public boolean enabled() {
        return !webhooks.isEmpty() || mail != null;
    }

    /**
     * @param url      where the JSON is POSTed
     * @param secret   the HMAC-SHA256 key (from {@code secret} or {@code secret-file})
     * @param subjects the subject kinds this endpoint wants
     * @param timeout  deadline of one attempt
     */
    public record Webhook(URI url, String secret, Set<Subject.Kind> subjects, Duration timeout) {
        public Webhook {
            subjects = Set.copyOf(subjects);
        }

        @Override
        public String toString() { // never the secret
            return "Webhook[url=" + url + ", subjects=" + subjects + ", timeout=" + timeout + "]";
        }
    }

    public enum StartTls {
        /** Refuse to send unless the relay offers STARTTLS and the handshake succeeds (and its certificate checks out). */
        REQUIRED,
        /** Use STARTTLS when offered, else send in clear. */
        OPTIONAL,
        /** Never start TLS (a relay on loopback). */
        OFF
    }

    /**
     * @param host     relay host name or address
     * @param port     relay port (587 submission, 25)
     * @param starttls whether TLS is required, used when offered, or never started
     * @param username SASL user for AUTH; "" for none
     * @param password its password (from {@code password} or {@code password-file})
     * @param timeout  connect, read and write deadline
     */
    public record Relay(String host, int port, StartTls starttls, String username, String password, Duration timeout) {
        @Override
        public String toString() { // never the password
            return "Relay[" + host + ":" + port + ", starttls=" + starttls + ", username=" + username + ", timeout=" + timeout + "]";
        }
    }

    /**
     * @param relay              the SMTP relay every mail goes through
     * @param from               the From header and envelope sender
     * @param support            support staff's address; "" for no support mail
     * @param supportSubjects    the subject kinds support hears about
     * @param userAddress        how an account that is not an address becomes one ({@code {account}@example.jp}); "" for none
     * @param language           the default language of a mail, {@code ja} or {@code en}
     * @param domainLanguages    recipient domain to language, overriding the default
     * @param timeZone           the zone dates are written in
     * @param templatesDir       operator templates that replace the built-in ones; null for the built-in ones only
     */
    public record Mail(Relay relay, String from, String support, Set<Subject.Kind> supportSubjects, String userAddress,
                       String language, Map<String, String> domainLanguages, ZoneId timeZone, Path templatesDir) {
        public Mail {
            supportSubjects = Set.copyOf(supportSubjects);
            domainLanguages = Map.copyOf(domainLanguages);
        }
    }
}
