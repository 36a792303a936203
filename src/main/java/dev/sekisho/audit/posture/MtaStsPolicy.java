package dev.sekisho.audit.posture;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An MTA-STS policy file (RFC 8461 3.2), parsed and checked: "key: value" lines, {@code version: STSv1},
 * {@code mode} (enforce, testing, none), one {@code mx} line per pattern, {@code max_age} in seconds.
 *
 * @param problems what makes senders reject the policy (RFC 8461 3.2: then they act as if there were none)
 */
public record MtaStsPolicy(Optional<String> version, Optional<String> mode, List<String> mx, OptionalLong maxAge, List<String> problems) {
    /** RFC 8461 3.2: max_age is at most 31557600 (about a year). */
    public static final long MAX_AGE_LIMIT = 31_557_600L;

    public MtaStsPolicy {
        mx = List.copyOf(mx);
        problems = List.copyOf(problems);
    }

    public static MtaStsPolicy parse(String text) {
        String version = null;
        String mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        // RFC 8461 3.2: lines end in CRLF, but "senders MUST tolerate" LF alone.
        for (String raw : text.split("\r?\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty()) continue;
            int colon = line.indexOf(':');
            if (colon <= 0) {
                problems.add("not a \"key: value\" line: " + line);
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "version" -> {
                    if (version == null) version = value;
                }
                case "mode" -> {
                    if (mode == null) mode = value;
                }
                case "mx" -> mx.add(value.toLowerCase(Locale.ROOT));
                case "max_age" -> {
                    if (maxAge == null) {
                        if (value.matches("\\d{1,10}") && Long.parseLong(value) <= MAX_AGE_LIMIT) {
                            maxAge = Long.parseLong(value);
                        } else {
                            problems.add("max_age must be 0-" + MAX_AGE_LIMIT + " seconds, was \"" + value + "\"");
                        }
                    }
                }
                default -> {
                    // RFC 8461 3.2: unknown keys are extensions and are ignored.
                }
            }
        }
        if (version == null) problems.add("no version line");
        else if (!version.equals("STSv1")) problems.add("version must be STSv1, was \"" + version + "\"");
        if (mode == null) problems.add("no mode line");
        else if (!List.of("enforce", "testing", "none").contains(mode)) problems.add("mode must be enforce, testing or none, was \"" + mode + "\"");
        if (maxAge == null && problems.stream().noneMatch(p -> p.startsWith("max_age"))) problems.add("no max_age line");
        // RFC 8461 3.2: mx is required unless the mode is none.
        if (mx.isEmpty() && !"none".equals(mode)) problems.add("no mx line");
        return new MtaStsPolicy(Optional.ofNullable(version), Optional.ofNullable(mode), mx,
                maxAge == null ? OptionalLong.empty() : OptionalLong.of(maxAge), problems);
    }

    /**
     * RFC 8461 4.1: a host matches a pattern exactly, or a wildcard "*.example.com" matches one leftmost label
     * ("mx.example.com", not "a.mx.example.com" nor "example.com").
     */
    public boolean matches(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String pattern : mx) {
            if (pattern.startsWith("*.")) {
                String suffix = pattern.substring(1);
                if (h.endsWith(suffix) && h.length() > suffix.length() && h.indexOf('.') == h.length() - suffix.length()) return true;
            } else if (pattern.equals(h)) {
                return true;
            }
        }
        return false;
    }
}
