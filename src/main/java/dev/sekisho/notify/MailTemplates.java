package dev.sekisho.notify;

import dev.sekisho.config.ConfigException;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The texts of notification mails: one template per audience and language, built in
 * ({@code templates/user.ja.txt} ...) and replaceable by a file of the same name in the
 * operator's templates directory. A template is a {@code Subject:} line, an empty line, and the
 * body, all UTF-8, with placeholders such as {@code {reason}} (docs/notifications.md lists them).
 * A template with an unknown placeholder is refused when loaded, naming the file and line.
 */
public final class MailTemplates {
    public enum Audience {
        /** The account holder: what happened, until when, what to do. */
        USER,
        /** Support staff: everything, and how to lift it. */
        SUPPORT;

        String fileStem() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final List<String> LANGUAGES = List.of("ja", "en");
    public static final Set<String> PLACEHOLDERS = Set.of("id", "kind", "value", "reason", "evidence", "imposedBy",
            "since", "until", "node", "support");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
    private static final String SUBJECT_PREFIX = "Subject:";
    private static final Map<String, Map<Subject.Kind, String>> KIND_NAMES = Map.of(
            "ja", kinds("IPアドレス", "ネットワーク", "アカウント", "ドメイン", "送信者アドレス"),
            "en", kinds("IP address", "network", "account", "domain", "sender address"));
    private static final Map<String, DateTimeFormatter> DATE_FORMATS = Map.of(
            "ja", DateTimeFormatter.ofPattern("uuuu年M月d日 HH:mm (VV)", Locale.JAPAN),
            "en", DateTimeFormatter.ofPattern("d MMMM uuuu, HH:mm (VV)", Locale.ENGLISH));
    private static final Map<String, String> NONE = Map.of("ja", "（なし）", "en", "(none)");

    /** One mail's text, ready to send. */
    public record MailText(String subject, String body) {
    }

    private record Template(String source, String subject, String body) {
    }

    private final Map<String, Template> templates; // key: "user.ja"
    private final ZoneId zone;

    private MailTemplates(Map<String, Template> templates, ZoneId zone) {
        this.templates = Map.copyOf(templates);
        this.zone = zone;
    }

    /**
     * The built-in templates, each replaced by {@code dir/<audience>.<language>.txt} when that file
     * exists; {@code dir} may be null.
     *
     * @throws ConfigException naming the file and line of a template that is malformed
     */
    public static MailTemplates load(Path dir, ZoneId zone) {
        Map<String, Template> out = new HashMap<>();
        for (Audience a : Audience.values()) {
            for (String lang : LANGUAGES) {
                String name = a.fileStem() + "." + lang + ".txt";
                Path override = dir == null ? null : dir.resolve(name);
                Template t;
                if (override != null && Files.isRegularFile(override)) {
                    t = parse(override, override.toString(), read(override));
                } else {
                    t = parse(null, "built-in " + name, builtIn(name));
                }
                out.put(a.fileStem() + "." + lang, t);
            }
        }
        return new MailTemplates(out, zone);
    }

    private static String read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, 0, "", "a template must be UTF-8");
        } catch (IOException e) {
            throw new ConfigException(file, 0, "", "cannot read: " + e.getMessage());
        }
    }

    private static String builtIn(String name) {
        try (InputStream in = MailTemplates.class.getResourceAsStream("templates/" + name)) {
            if (in == null) throw new IllegalStateException("built-in template " + name + " missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in template " + name, e);
        }
    }

    static Template parse(Path file, String source, String text) {
        String normalized = text.replace("\r\n", "\n");
        if (normalized.startsWith("\uFEFF")) normalized = normalized.substring(1);
        int end = normalized.indexOf('\n');
        String first = end < 0 ? normalized : normalized.substring(0, end);
        if (!first.regionMatches(true, 0, SUBJECT_PREFIX, 0, SUBJECT_PREFIX.length())) {
            throw new ConfigException(file, 1, "", source + ": the first line must be \"Subject: ...\"");
        }
        String subject = first.substring(SUBJECT_PREFIX.length()).strip();
        if (subject.isEmpty()) throw new ConfigException(file, 1, "", source + ": the subject is empty");
        String rest = end < 0 ? "" : normalized.substring(end + 1);
        if (!rest.isEmpty() && !rest.startsWith("\n")) {
            throw new ConfigException(file, 2, "", source + ": an empty line must follow the Subject line");
        }
        String body = rest.isEmpty() ? "" : rest.substring(1);
        if (body.isBlank()) throw new ConfigException(file, 3, "", source + ": the body is empty");
        String[] lines = normalized.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = PLACEHOLDER.matcher(lines[i]);
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group(1))) {
                    throw new ConfigException(file, i + 1, "", source + ": unknown placeholder {" + m.group(1) + "} (known: "
                            + String.join(", ", new TreeSet<>(PLACEHOLDERS)) + ")");
                }
            }
        }
        return new Template(source, subject, body);
    }

    /** The mail for this audience in this language (ja or en) about this restriction. */
    public MailText render(Audience audience, String language, Restriction r, String node, String support) {
        Template t = templates.get(audience.fileStem() + "." + language);
        if (t == null) throw new IllegalArgumentException("no template for language \"" + language + "\" (ja, en)");
        DateTimeFormatter dates = DATE_FORMATS.get(language).withZone(zone);
        Map<String, String> values = new HashMap<>();
        values.put("id", r.id());
        values.put("kind", KIND_NAMES.get(language).get(r.subject().kind()));
        values.put("value", r.subject().value());
        values.put("reason", r.reason().isBlank() ? NONE.get(language) : r.reason());
        values.put("evidence", r.evidence().isBlank() ? NONE.get(language) : r.evidence());
        values.put("imposedBy", r.imposedBy().isBlank() ? NONE.get(language) : r.imposedBy());
        values.put("since", dates.format(r.createdAt()));
        values.put("until", dates.format(r.expiresAt()));
        values.put("node", node);
        values.put("support", support);
        // A value that spans lines must not start new header lines in the subject.
        String subject = fill(t.subject(), values).replaceAll("[\\r\\n\\t]+", " ").strip();
        return new MailText(subject, fill(t.body(), values));
    }

    private static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
        m.appendTail(out);
        return out.toString();
    }

    private static Map<Subject.Kind, String> kinds(String ip, String network, String account, String domain, String sender) {
        Map<Subject.Kind, String> m = new EnumMap<>(Subject.Kind.class);
        m.put(Subject.Kind.IP, ip);
        m.put(Subject.Kind.NETWORK, network);
        m.put(Subject.Kind.ACCOUNT, account);
        m.put(Subject.Kind.DOMAIN, domain);
        m.put(Subject.Kind.SENDER, sender);
        return m;
    }
}
