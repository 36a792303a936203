package dev.sekisho.reports.tls;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.reports.Origin;
import dev.sekisho.reports.Problem;
import dev.sekisho.reports.ReportFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads an SMTP TLS report (RFC 8460 4.4). The top level is streamed and each policy is read as a small
 * tree, so no single value can grow without bound; the whole report is held, as TLS reports are small
 * (the caller bounds the bytes).
 */
public final class TlsReportParser {
    private static final int MAX_STRING_LENGTH = 1 << 20;
    private static final int MAX_NESTING = 32;

    private TlsReportParser() {
    }

    /**
     * Reads the report in {@code in} (not closed).
     *
     * @param skipped receives each failure detail that cannot be read (it is left out of the report)
     * @throws ReportFormatException when the input is not a readable TLS report
     */
    public static TlsReport parse(InputStream in, Origin origin, Consumer<Problem> skipped) throws IOException {
        JsonFactory factory = JsonFactory.builder()
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(MAX_STRING_LENGTH).maxNestingDepth(MAX_NESTING).build())
                .build();
        ObjectMapper mapper = new ObjectMapper(factory);
        try (JsonParser json = factory.createParser(in)) {
            json.setCodec(mapper);
            return new Reader(json, origin, skipped).report();
        } catch (JsonProcessingException e) {
            String position = e.getLocation() == null ? ""
                    : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ReportFormatException("json-malformed", position, "the JSON is not well-formed: " + e.getOriginalMessage());
        }
    }

    private static final class Reader {
        private final JsonParser json;
        private final Origin origin;
        private final Consumer<Problem> skipped;

        Reader(JsonParser json, Origin origin, Consumer<Problem> skipped) {
            this.json = json;
            this.origin = origin;
            this.skipped = skipped;
        }

        TlsReport report() throws IOException {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new ReportFormatException("not-tls-report", position(), "the JSON is not an object, so not an SMTP TLS report (RFC 8460 4.4)");
            }
            String organization = null;
            String reportId = null;
            Optional<String> contact = Optional.empty();
            JsonNode dateRange = null;
            List<TlsReport.PolicyResult> policies = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "organization-name" -> organization = text(json.readValueAsTree());
                    case "report-id" -> reportId = text(json.readValueAsTree());
                    case "contact-info" -> contact = Optional.ofNullable(text(json.readValueAsTree()));
                    case "date-range" -> dateRange = json.readValueAsTree();
                    case "policies" -> policies = policies();
                    default -> json.skipChildren();
                }
            }
            // RFC 8460 4.4: organization-name, date-range, contact-info, report-id and policies are required.
            if (organization == null) throw missing("organization-name");
            if (reportId == null) throw missing("report-id");
            if (dateRange == null) throw missing("date-range");
            if (policies == null) throw missing("policies");
            Instant start = dateTime(dateRange, "start-datetime");
            Instant end = dateTime(dateRange, "end-datetime");
            return new TlsReport(origin, organization, start, end, contact, reportId, policies);
        }

        private List<TlsReport.PolicyResult> policies() throws IOException {
            if (json.currentToken() != JsonToken.START_ARRAY) {
                throw new ReportFormatException("invalid-field", position(), "policies is not an array");
            }
            List<TlsReport.PolicyResult> policies = new ArrayList<>();
            int index = 0;
            while (json.nextToken() != JsonToken.END_ARRAY) {
                index++;
                String where = "policies[" + index + "] (" + position() + ")";
                JsonNode node = json.readValueAsTree();
                policies.add(policy(node, where));
            }
            return policies;
        }

        private TlsReport.PolicyResult policy(JsonNode node, String where) throws ReportFormatException {
            JsonNode policy = node.path("policy");
            String type = text(policy.path("policy-type"));
            String domain = text(policy.path("policy-domain"));
            if (type == null || domain == null) {
                throw new ReportFormatException("missing-field", where, "a policy lacks policy-type or policy-domain (RFC 8460 4.4)");
            }
            JsonNode summary = node.path("summary");
            long successes = count(summary.path("total-successful-session-count"), where, "total-successful-session-count");
            long failures = count(summary.path("total-failure-session-count"), where, "total-failure-session-count");
            List<TlsReport.FailureDetail> details = new ArrayList<>();
            int index = 0;
            for (JsonNode detail : node.path("failure-details")) {
                index++;
                String detailWhere = where + " failure-details[" + index + "]";
                try {
                    details.add(detail(detail, detailWhere));
                } catch (ReportFormatException e) {
                    skipped.accept(new Problem(Problem.Scope.RECORD, origin, detailWhere, e.code(), e.getMessage()));
                }
            }
            return new TlsReport.PolicyResult(type.toLowerCase(Locale.ROOT), strings(policy.path("policy-string")),
                    domain.toLowerCase(Locale.ROOT), strings(policy.path("mx-host")), successes, failures, details);
        }

        private static TlsReport.FailureDetail detail(JsonNode d, String where) throws ReportFormatException {
            String resultType = text(d.path("result-type"));
            if (resultType == null || resultType.isBlank()) {
                throw new ReportFormatException("missing-field", where, "a failure detail has no result-type (RFC 8460 4.3)");
            }
            return new TlsReport.FailureDetail(resultType.strip().toLowerCase(Locale.ROOT), optional(d, "sending-mta-ip"),
                    optional(d, "receiving-mx-hostname"), optional(d, "receiving-mx-helo"), optional(d, "receiving-ip"),
                    count(d.path("failed-session-count"), where, "failed-session-count"),
                    optional(d, "additional-information"), optional(d, "failure-reason-code"));
        }

        private static long count(JsonNode node, String where, String name) throws ReportFormatException {
            if (!node.canConvertToExactIntegral() || !node.canConvertToLong() || node.asLong() < 0) {
                throw new ReportFormatException(node.isMissingNode() ? "missing-field" : "invalid-count", where,
                        name + (node.isMissingNode() ? " is missing" : " is " + node + ", not a count"));
            }
            return node.asLong();
        }

        private static Optional<String> optional(JsonNode node, String name) {
            return Optional.ofNullable(text(node.path(name))).map(String::strip).filter(s -> !s.isEmpty());
        }

        private static List<String> strings(JsonNode node) {
            List<String> values = new ArrayList<>();
            if (node.isTextual()) values.add(node.asText());
            for (JsonNode element : node) {
                if (element.isTextual()) values.add(element.asText());
            }
            return values;
        }

        private static String text(JsonNode node) {
            return node == null || !node.isValueNode() || node.isNull() ? null : node.asText();
        }

        private Instant dateTime(JsonNode range, String name) throws ReportFormatException {
            String text = text(range.path(name));
            if (text == null) throw missing("date-range/" + name);
            try {
                // RFC 8460 4.4: date-time as in RFC 3339.
                return OffsetDateTime.parse(text.strip()).toInstant();
            } catch (DateTimeParseException e) {
                throw new ReportFormatException("invalid-date-range", "", "date-range/" + name + " is \"" + text + "\", not an RFC 3339 date-time");
            }
        }

        private ReportFormatException missing(String field) {
            return new ReportFormatException("missing-field", "", "the report has no " + field + " (RFC 8460 4.4 requires it)");
        }

        private String position() {
            var l = json.currentLocation();
            return "line " + l.getLineNr() + ", column " + l.getColumnNr();
        }
    }
}
