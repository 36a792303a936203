package dev.sekisho.reports.failure;

import dev.sekisho.reports.Origin;
import dev.sekisho.reports.ReportFormatException;
import dev.sekisho.reports.ReportIdentity;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the two parts of a failure report that carry data: the message/feedback-report part and the
 * reported message (message/rfc822) or its headers (text/rfc822-headers). Finding those parts in a mail
 * is the caller's job; RFC 5965 2 requires them to be the second and third parts of a multipart/report,
 * but reporters also send them in multipart/mixed.
 */
public final class FailureReportParser {
    /** RFC 5965 3.1: a feedback report is a header block; no real one comes near this. */
    private static final int MAX_FIELDS = 1_000;

    private FailureReportParser() {
    }

    /**
     * @param feedbackReport   the decoded body of the message/feedback-report part (not closed)
     * @param originalMessage  the decoded reported message or its headers, or null when the report has none
     *                         (not closed; only its header block is read)
     * @param reporter         who sent the report (the report mail's From domain), or "" when unknown
     * @param origin           where it was read from
     * @throws ReportFormatException when the feedback part lacks a field RFC 5965 3.1 requires
     */
    public static FailureReport parse(InputStream feedbackReport, InputStream originalMessage, String reporter, Origin origin)
            throws IOException {
        List<FailureReport.Field> fields = fields(feedbackReport);
        List<FailureReport.Field> original = originalMessage == null ? List.of() : fields(originalMessage);
        // RFC 5965 3.1: Feedback-Type, User-Agent and Version are required; without Feedback-Type the part is no report.
        String feedbackType = first(fields, "Feedback-Type").map(s -> s.toLowerCase(Locale.ROOT)).orElseThrow(() ->
                new ReportFormatException("missing-field", "", "the message/feedback-report part has no Feedback-Type field (RFC 5965 3.1)"));
        Optional<String> userAgent = first(fields, "User-Agent");
        String who = !reporter.isBlank() ? reporter : userAgent.orElse("unknown");
        return new FailureReport(origin, new ReportIdentity(who, digest(fields, original)), feedbackType, userAgent,
                first(fields, "Version"), first(fields, "Original-Mail-From").map(FailureReportParser::unbracket),
                all(fields, "Original-Rcpt-To").stream().map(FailureReportParser::unbracket).toList(),
                first(fields, "Arrival-Date").flatMap(FailureReportParser::date), first(fields, "Source-IP"),
                all(fields, "Reported-Domain").stream().map(s -> s.toLowerCase(Locale.ROOT)).toList(),
                all(fields, "Authentication-Results"), first(fields, "Auth-Failure").map(s -> s.toLowerCase(Locale.ROOT)),
                first(fields, "Delivery-Result").map(s -> s.toLowerCase(Locale.ROOT)),
                first(fields, "Identity-Alignment").map(FailureReportParser::commaList).orElse(List.of()),
                first(fields, "DKIM-Domain").map(s -> s.toLowerCase(Locale.ROOT)), first(fields, "DKIM-Identity"),
                first(fields, "DKIM-Selector"), all(fields, "SPF-DNS"), fields, original);
    }

    private static List<FailureReport.Field> fields(InputStream in) throws ReportFormatException {
        InternetHeaders headers;
        try {
            headers = new InternetHeaders(in);
        } catch (MessagingException e) {
            throw new ReportFormatException("mime-malformed", "", "the header block cannot be read: " + e.getMessage());
        }
        List<FailureReport.Field> fields = new ArrayList<>();
        for (Enumeration<Header> e = headers.getAllHeaders(); e.hasMoreElements() && fields.size() < MAX_FIELDS; ) {
            Header h = e.nextElement();
            String value = h.getValue() == null ? "" : MimeUtility.unfold(h.getValue()).strip();
            fields.add(new FailureReport.Field(h.getName().strip(), value));
        }
        return fields;
    }

    private static Optional<String> first(List<FailureReport.Field> fields, String name) {
        return fields.stream().filter(f -> f.named(name)).map(FailureReport.Field::value).findFirst();
    }

    private static List<String> all(List<FailureReport.Field> fields, String name) {
        return fields.stream().filter(f -> f.named(name)).map(FailureReport.Field::value).toList();
    }

    private static String unbracket(String address) {
        String a = address.strip();
        return a.startsWith("<") && a.endsWith(">") ? a.substring(1, a.length() - 1).strip() : a;
    }

    private static List<String> commaList(String value) {
        return Arrays.stream(value.split(",")).map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList();
    }

    /** RFC 5965 3.2: Arrival-Date is an RFC 5322 date-time; others are kept only as the raw field. */
    private static Optional<ZonedDateTime> date(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.replaceAll("\\s*\\([^)]*\\)\\s*$", "").strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String digest(List<FailureReport.Field> fields, List<FailureReport.Field> original) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (List<FailureReport.Field> block : List.of(fields, original)) {
                for (FailureReport.Field f : block) {
                    sha.update((f.name().toLowerCase(Locale.ROOT) + ":" + f.value() + "\n").getBytes(StandardCharsets.UTF_8));
                }
                sha.update((byte) 0);
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
