package dev.sekisho.reports.source;

import dev.sekisho.reports.Origin;
import dev.sekisho.reports.Problem;
import dev.sekisho.reports.ReportFormatException;
import dev.sekisho.reports.failure.FailureReportParser;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.SharedByteArrayInputStream;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/** Mails and mbox files: finds the reports a mail carries, as attachments, as its body, or as ARF parts. */
final class Mails {
    /** Multipart nesting inside one mail; real report mails use two levels. */
    private static final int MAX_MULTIPART_DEPTH = 8;

    private final Run run;
    private final ReportLimits limits;
    private final Session session;

    Mails(Run run, ReportLimits limits) {
        this.run = run;
        this.limits = limits;
        Properties properties = new Properties();
        // Reporters' base64 is sometimes sloppy (stray characters, missing padding); decode what is there.
        properties.setProperty("mail.mime.base64.ignoreerrors", "true");
        this.session = Session.getInstance(properties);
    }

    /**
     * An mbox file (RFC 4155): mails separated by "From " lines after an empty line (or at the start). Lines
     * quoted as "&gt;From " are unquoted (mboxrd), which leaves base64 and XML attachments unchanged.
     */
    void mbox(Origin origin, BufferedInputStream in, Budget budget) throws IOException {
        run.nest(origin);
        ByteArrayOutputStream mail = new ByteArrayOutputStream();
        boolean oversized = false;
        boolean previousBlank = true;
        long lineNumber = 0;
        long mailLine = 0;
        int count = 0;
        byte[] line;
        while ((line = line(in, limits.maxMailBytes())) != null) {
            lineNumber++;
            boolean separator = previousBlank && startsWith(line, 0, "From ");
            previousBlank = blank(line);
            if (separator) {
                if (mailLine > 0) count += deliver(origin, mail, oversized, count, mailLine, budget);
                mail.reset();
                oversized = false;
                mailLine = lineNumber;
                continue;
            }
            if (mailLine == 0) mailLine = lineNumber; // an mbox that does not start with "From " is read as one mail
            if (oversized) continue;
            int skip = quotedFrom(line) ? 1 : 0;
            if (mail.size() + line.length - skip > limits.maxMailBytes()) {
                oversized = true;
                continue;
            }
            mail.write(line, skip, line.length - skip);
        }
        if (mailLine > 0) count += deliver(origin, mail, oversized, count, mailLine, budget);
        if (count == 0) throw new ReportFormatException("empty", "the mbox file holds no mails");
    }

    private int deliver(Origin origin, ByteArrayOutputStream mail, boolean oversized, int before, long line, Budget budget) {
        Origin inside = origin.inside("mail " + (before + 1) + " (line " + line + ")");
        if (oversized) {
            run.problem(new Problem(Problem.Scope.INPUT, inside, "", "limit-mail-size",
                    "the mail is larger than " + limits.maxMailBytes() + " bytes (limit maxMailBytes)"));
            return 1;
        }
        try {
            message(inside, new SharedByteArrayInputStream(mail.toByteArray()), budget);
        } catch (ReportFormatException e) {
            run.problem(e.toProblem(inside));
        } catch (IOException e) {
            run.problem(new Problem(Problem.Scope.INPUT, inside, "", "io-error", "cannot be read: " + e));
        }
        return 1;
    }

    /** One mail (RFC 5322 with MIME), read into memory within {@link ReportLimits#maxMailBytes()}. */
    void mail(Origin origin, InputStream in, Budget budget) throws IOException {
        run.nest(origin);
        byte[] bytes = in.readNBytes(limits.maxMailBytes() + 1);
        if (bytes.length > limits.maxMailBytes()) {
            throw new ReportFormatException("limit-mail-size", "",
                    "the mail is larger than " + limits.maxMailBytes() + " bytes (limit maxMailBytes)");
        }
        message(origin, new SharedByteArrayInputStream(bytes), budget);
    }

    private void message(Origin origin, SharedByteArrayInputStream bytes, Budget budget) throws IOException {
        MimeMessage message;
        List<Part> leaves = new ArrayList<>();
        try {
            message = new MimeMessage(session, bytes);
            leaves(message, leaves, 0);
        } catch (MessagingException e) {
            throw new ReportFormatException("mime-malformed", "", "the mail's MIME structure cannot be read: " + e.getMessage());
        }
        String reporter = reporter(message);
        try {
            if (failureReports(origin, leaves, reporter)) return;
            int found = 0;
            for (int i = 0; i < leaves.size(); i++) {
                Part part = leaves.get(i);
                Origin inside = origin.inside(label(part, i, leaves.size()));
                if (part.isMimeType("message/rfc822")) {
                    // A forwarded report mail (RFC 2046 5.2.1).
                    run.nest(inside);
                    found++;
                    try (InputStream in = decoded(part)) {
                        run.content(inside, in, budget);
                    }
                    continue;
                }
                if (part.isMimeType("text/html")) continue;
                BufferedInputStream in = new BufferedInputStream(decoded(part), 64 * 1024);
                Content kind = Content.sniff(in);
                // Only containers and report formats count; text parts that describe the report do not.
                if (kind == Content.GZIP || kind == Content.ZIP || kind == Content.XML || kind == Content.JSON) {
                    found++;
                    run.content(inside, in, budget);
                }
                in.close();
            }
            if (found == 0) throw noReport(message, leaves);
        } catch (MessagingException e) {
            throw new ReportFormatException("mime-malformed", "", "a part of the mail cannot be read: " + e.getMessage());
        }
    }

    /** RFC 5965 2: a message/feedback-report part, and the reported message or its headers after it. */
    private boolean failureReports(Origin origin, List<Part> leaves, String reporter) throws MessagingException, IOException {
        boolean any = false;
        for (int i = 0; i < leaves.size(); i++) {
            Part part = leaves.get(i);
            if (!part.isMimeType("message/feedback-report")) continue;
            any = true;
            Part original = null;
            for (int j = i + 1; j < leaves.size() && original == null; j++) {
                Part candidate = leaves.get(j);
                if (candidate.isMimeType("message/rfc822") || candidate.isMimeType("text/rfc822-headers")) original = candidate;
            }
            Origin inside = origin.inside(label(part, i, leaves.size()));
            try (InputStream feedback = decoded(part);
                 InputStream reported = original == null ? null : decoded(original)) {
                run.failure(FailureReportParser.parse(feedback, reported, reporter, inside));
            } catch (ReportFormatException e) {
                run.problem(e.toProblem(inside));
            }
        }
        return any;
    }

    /**
     * The part's body with its Content-Transfer-Encoding undone. Done here because Jakarta Mail, by default,
     * leaves message/* bodies encoded (RFC 2046 5.2.1 forbids base64 there), and reporters (Netease) send
     * message/feedback-report in base64.
     */
    private static InputStream decoded(Part part) throws MessagingException, IOException {
        InputStream raw;
        String encoding;
        if (part instanceof MimeBodyPart body) {
            raw = body.getRawInputStream();
            encoding = body.getEncoding();
        } else if (part instanceof MimeMessage message) {
            raw = message.getRawInputStream();
            encoding = message.getEncoding();
        } else {
            return part.getInputStream();
        }
        return encoding == null ? raw : MimeUtility.decode(raw, encoding);
    }

    private static void leaves(Part part, List<Part> leaves, int depth) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            if (depth >= MAX_MULTIPART_DEPTH) {
                throw new ReportFormatException("limit-nesting-depth", "",
                        "the mail's multiparts are nested more than " + MAX_MULTIPART_DEPTH + " deep");
            }
            Object content = part.getContent();
            if (content instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) leaves(multipart.getBodyPart(i), leaves, depth + 1);
                return;
            }
        }
        leaves.add(part);
    }

    private static ReportFormatException noReport(MimeMessage message, List<Part> leaves) throws MessagingException {
        List<String> types = new ArrayList<>();
        for (Part p : leaves) types.add(baseType(p));
        String top = message.getContentType() == null ? "" : message.getContentType().toLowerCase(Locale.ROOT);
        if (top.startsWith("multipart/report") && top.contains("feedback-report")) {
            // RFC 5965 2 (c): a feedback report's second part is message/feedback-report.
            return new ReportFormatException("no-feedback-report-part",
                    "the mail is a multipart/report of report-type feedback-report, but no part is message/feedback-report (parts: "
                            + String.join(", ", types) + ")");
        }
        return new ReportFormatException("no-report-in-mail",
                "no part of the mail is a report, an archive or a mail (parts: " + String.join(", ", types) + ")");
    }

    private static String label(Part part, int index, int count) throws MessagingException {
        String name = part.getFileName();
        String type = baseType(part);
        String where = count == 1 && part instanceof MimeMessage ? "body" : "part " + (index + 1);
        return where + " (" + type + (name == null || name.isBlank() ? "" : ", " + name) + ")";
    }

    private static String baseType(Part part) throws MessagingException {
        try {
            return new ContentType(part.getContentType()).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            return String.valueOf(part.getContentType());
        }
    }

    /** The domain of the first From address, which names the reporter of a failure report; "" when unknown. */
    private static String reporter(MimeMessage message) {
        try {
            Address[] from = message.getFrom();
            if (from != null && from.length > 0 && from[0] instanceof InternetAddress address && address.getAddress() != null) {
                String a = address.getAddress();
                return a.substring(a.lastIndexOf('@') + 1);
            }
        } catch (MessagingException | RuntimeException e) {
            // an unparseable From leaves the reporter unknown; the report itself may still be fine
        }
        return "";
    }

    /** The next line with its end, or null at the end; a line longer than {@code max} is cut at max + 1 bytes. */
    private static byte[] line(BufferedInputStream in, int max) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        long length = 0;
        while ((b = in.read()) >= 0) {
            if (length++ <= max) line.write(b);
            if (b == '\n') break;
        }
        return length == 0 ? null : line.toByteArray();
    }

    private static boolean blank(byte[] line) {
        for (byte b : line) {
            if (b != '\r' && b != '\n') return false;
        }
        return true;
    }

    private static boolean quotedFrom(byte[] line) {
        int i = 0;
        while (i < line.length && line[i] == '>') i++;
        return i > 0 && startsWith(line, i, "From ");
    }

    private static boolean startsWith(byte[] line, int offset, String prefix) {
        if (line.length - offset < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) {
            if (line[offset + i] != prefix.charAt(i)) return false;
        }
        return true;
    }
}
