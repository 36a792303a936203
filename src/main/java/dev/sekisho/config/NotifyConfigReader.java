package dev.sekisho.config;

import dev.sekisho.engine.Subject;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the {@code notify:} section; every problem names file, line and key. */
final class NotifyConfigReader {
    /** Languages of the built-in templates. */
    static final Set<String> LANGUAGES = Set.of("ja", "en");
    private static final int MIN_SECRET_LENGTH = 16;

    private NotifyConfigReader() {
    }

    static NotifyConfig read(Section root) {
        boolean present = root.has("notify");
        Section s = root.section("notify");
        String node = s.string("node", "").trim();
        if (!node.isEmpty() && !node.matches("[A-Za-z0-9._-]+")) {
            throw s.error("node", "must be a host name (letters, digits, '.', '-', '_'), was \"" + node + "\"");
        }
        int capacity = s.integer("queue-capacity", 10_000, 1, 10_000_000);
        int maxAttempts = s.integer("max-attempts", 10, 1, 100);
        Duration firstRetry = s.positiveDuration("first-retry", Duration.ofSeconds(30));
        Duration maxRetryDelay = s.positiveDuration("max-retry-delay", Duration.ofHours(1));
        if (maxRetryDelay.compareTo(firstRetry) < 0) throw s.error("max-retry-delay", "must be at least first-retry (" + firstRetry + ")");

        List<NotifyConfig.Webhook> webhooks = new ArrayList<>();
        for (Section w : s.sections("webhooks", x -> "")) {
            webhooks.add(webhook(w));
            w.rejectUnknownKeys();
        }
        NotifyConfig.Mail mail = s.has("mail") ? mail(s.section("mail")) : null;
        s.rejectUnknownKeys();
        if (present && webhooks.isEmpty() && mail == null) {
            throw s.error("notify needs webhooks or mail (or remove the section)");
        }
        return new NotifyConfig(node, capacity, maxAttempts, firstRetry, maxRetryDelay, webhooks, mail);
    }

    private static NotifyConfig.Webhook webhook(Section w) {
        String text = w.string("url", null);
        if (text == null) throw w.error("url", "is required, e.g. https://hooks.example.jp/sekisho");
        URI url;
        try {
            url = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw w.error("url", "not a URL: " + e.getMessage());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw w.error("url", "must be an http:// or https:// URL with a host, was \"" + text + "\"");
        }
        String secret = secret(w, "secret", "secret-file");
        if (secret == null) throw w.error("secret", "a webhook needs secret or secret-file (the HMAC key receivers verify with)");
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw w.error(w.has("secret") ? "secret" : "secret-file", "must be at least " + MIN_SECRET_LENGTH + " characters");
        }
        Set<Subject.Kind> subjects = kinds(w, "subjects");
        Duration timeout = w.positiveDuration("timeout", Duration.ofSeconds(10));
        return new NotifyConfig.Webhook(url, secret, subjects, timeout);
    }

    private static NotifyConfig.Mail mail(Section m) {
        Section r = m.section("relay");
        String host = r.string("host", "").trim();
        if (host.isEmpty()) throw r.error("host", "is required (the SMTP relay, e.g. 127.0.0.1 or smtp.example.jp)");
        int port = r.integer("port", 587, 1, 65535);
        NotifyConfig.StartTls starttls;
        String tls = r.string("starttls", "required").trim().toLowerCase(Locale.ROOT);
        starttls = switch (tls) {
            case "required" -> NotifyConfig.StartTls.REQUIRED;
            case "optional" -> NotifyConfig.StartTls.OPTIONAL;
            case "off" -> NotifyConfig.StartTls.OFF;
            default -> throw r.error("starttls", "must be required, optional or off, was \"" + tls + "\"");
        };
        String username = r.string("username", "").trim();
        String password = secret(r, "password", "password-file");
        if (!username.isEmpty() && password == null) throw r.error("password", "username is set: give password or password-file");
        if (username.isEmpty() && password != null) throw r.error("username", "a password is set: give the username too");
        Duration timeout = r.positiveDuration("timeout", Duration.ofSeconds(30));
        r.rejectUnknownKeys();
        var relay = new NotifyConfig.Relay(host, port, starttls, username, password == null ? "" : password, timeout);

        String from = address(m, "from", true);
        String support = address(m, "support", false);
        Set<Subject.Kind> supportSubjects = kinds(m, "support-subjects");
        String userAddress = m.string("user-address", "").trim();
        if (!userAddress.isEmpty()) {
            if (!userAddress.contains("{account}")) throw m.error("user-address", "must contain {account}, e.g. {account}@example.jp");
            checkAddress(m, "user-address", userAddress.replace("{account}", "user"));
        }
        String language = language(m, "language", m.string("language", "ja"));
        Map<String, String> domainLanguages = new LinkedHashMap<>();
        for (var e : m.namedLists("domains-by-language").entrySet()) {
            String lang = language(m, "domains-by-language", e.getKey());
            for (String domain : e.getValue()) {
                String d = domain.trim().toLowerCase(Locale.ROOT);
                if (!d.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)*")) throw m.error("domains-by-language", "not a domain name: \"" + domain + "\"");
                String before = domainLanguages.put(d, lang);
                if (before != null && !before.equals(lang)) throw m.error("domains-by-language", d + " is listed for both " + before + " and " + lang);
            }
        }
        ZoneId zone;
        String zoneText = m.string("time-zone", "UTC").trim();
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            throw m.error("time-zone", "not a time zone like Asia/Tokyo or UTC, was \"" + zoneText + "\"");
        }
        Path templatesDir = null;
        if (m.has("templates-dir")) {
            templatesDir = Path.of(m.string("templates-dir", "").trim());
            if (!Files.isDirectory(templatesDir)) throw m.error("templates-dir", "not a directory: " + templatesDir);
        }
        m.rejectUnknownKeys();
        return new NotifyConfig.Mail(relay, from, support, supportSubjects, userAddress, language, domainLanguages, zone, templatesDir);
    }

    private static String language(Section s, String key, String text) {
        String lang = text.trim().toLowerCase(Locale.ROOT);
        if (!LANGUAGES.contains(lang)) throw s.error(key, "language must be ja or en, was \"" + text + "\"");
        return lang;
    }

    /** A secret given inline or in a file (trailing newline dropped); null when neither; both is an error. */
    private static String secret(Section s, String key, String fileKey) {
        boolean inline = s.has(key);
        boolean file = s.has(fileKey);
        if (inline && file) throw s.error(fileKey, "give " + key + " or " + fileKey + ", not both");
        if (inline) return s.string(key, "");
        if (!file) return null;
        Path path = Path.of(s.string(fileKey, "").trim());
        try {
            return Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw s.error(fileKey, "cannot read " + path + ": " + ConfigLoader.describe(e));
        }
    }

    private static Set<Subject.Kind> kinds(Section s, String key) {
        if (!s.has(key)) return EnumSet.allOf(Subject.Kind.class);
        List<Subject.Kind> kinds = s.each(key, Subject.Kind::parse);
        if (kinds.isEmpty()) throw s.error(key, "must name at least one kind (ip, network, account, domain, sender), or be left out for all");
        return EnumSet.copyOf(kinds);
    }

    private static String address(Section s, String key, boolean required) {
        String text = s.string(key, "").trim();
        if (text.isEmpty()) {
            if (required) throw s.error(key, "is required, e.g. \"Sekisho <sekisho@example.jp>\"");
            return "";
        }
        checkAddress(s, key, text);
        return text;
    }

    private static void checkAddress(Section s, String key, String text) {
        try {
            new jakarta.mail.internet.InternetAddress(text, true).validate();
        } catch (jakarta.mail.internet.AddressException e) {
            throw s.error(key, "not a mail address: \"" + text + "\" (" + e.getMessage() + ")");
        }
    }

}
