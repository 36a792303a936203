package dev.sekisho.reports.aggregate;

import dev.sekisho.dmarc.AlignmentMode;
import dev.sekisho.dmarc.Policy;
import dev.sekisho.reports.Origin;
import dev.sekisho.reports.Problem;
import dev.sekisho.reports.ReportFormatException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads one aggregate report from XML and hands it to a handler, record by record.
 *
 * <p>Only the record being read is held in memory. The report's metadata and policy come before its
 * records in both schemas (RFC 7489 appendix C and RFC 9990 appendix A define feedback as a sequence), and
 * a record that comes before them fails the report. Reading stops at the end of the feedback element, so
 * anything after it is ignored.
 */
public final class AggregateReportParser {
    static final String RFC9990_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0";
    /** Bounds on one record, report_metadata or policy_published: far above any real one. */
    private static final int MAX_CHARS_PER_ELEMENT = 1 << 20;
    private static final int MAX_CHILDREN_PER_ELEMENT = 10_000;
    private static final int MAX_DEPTH_PER_ELEMENT = 32;

    /**
     * One factory for all the reports this parser reads: a Woodstox factory keeps the element names it has seen in a
     * symbol table its readers share, so the second report's names are found instead of hashed and added again, and
     * the factory's own set-up is paid once.
     */
    private XMLInputFactory factory = hardenedFactory();
    /**
     * The factory's symbol table keeps every name a reader met (also a failed one's, when it is closed), with no bound
     * on a name's length. A report that holds a longer name than this, or that fails, leaves its factory behind, so a
     * hostile report cannot make the parser keep what it sent; real reports' names are a few dozen characters.
     */
    static final int MAX_SHARED_NAME_CHARS = 128;
    /** Where records are read into: one for all the reports, so the words it remembers carry from one report to the next. */
    private final RecordFields fields = new RecordFields();

    /** A parser for one thread's reports, one after another; a parser is not shared between threads. */
    public AggregateReportParser() {
    }

    /**
     * Reads the report in {@code in} (not closed) with a parser of its own and hands it to {@code handler}.
     *
     * @see #read(InputStream, Origin, AggregateReportHandler)
     */
    public static void parse(InputStream in, Origin origin, AggregateReportHandler handler) throws IOException {
        new AggregateReportParser().read(in, origin, handler);
    }

    /**
     * Reads the report in {@code in} (not closed) and hands it to {@code handler}.
     *
     * @throws ReportFormatException when the input is not a readable aggregate report; records already
     *                               handed over belong to an incomplete report
     * @throws IOException           when reading fails
     */
    public void read(InputStream in, Origin origin, AggregateReportHandler handler) throws IOException {
        Reader reader = XmlInput.reader(in);
        XMLStreamReader xml;
        try {
            xml = factory.createXMLStreamReader(reader);
        } catch (XMLStreamException e) {
            throw malformed(e);
        }
        Report report = new Report(origin, handler, xml, fields);
        boolean whole = false;
        try {
            report.read();
            whole = true;
        } catch (XMLStreamException e) {
            throw malformed(e);
        } finally {
            try {
                xml.close();
            } catch (XMLStreamException ignored) {
                // closing releases nothing the caller owns; the stream is the caller's to close
            }
            if (!whole || report.longName) factory = hardenedFactory();
            fields.endReport();
        }
    }

    /** The factory the next report is read with (for tests: which reports make the parser start a new one). */
    XMLInputFactory factoryForNextReport() {
        return factory;
    }

    /** The leaf text buffer the next report starts with (for tests: what a long leaf leaves behind). */
    int leafTextCapacityForNextReport() {
        return fields.textCapacity();
    }

    /** A StAX factory that refuses DTDs and external entities (OWASP XXE prevention). */
    static XMLInputFactory hardenedFactory() {
        XMLInputFactory factory = new com.ctc.wstx.stax.WstxInputFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setXMLResolver((publicId, systemId, base, ns) -> {
            throw new XMLStreamException("external entity refused: " + systemId);
        });
        return factory;
    }

    /** What {@code walk} hands over of an element: its descendants within the bounds (depth 1 and deeper), and their text. */
    private interface ElementSink {
        void enter(int depth, String name);

        void leave(int depth);

        void text(int depth, char[] characters, int start, int length);
    }

    /** The reading of one report. */
    private static final class Report {
        private final Origin origin;
        private final AggregateReportHandler handler;
        private final XMLStreamReader xml;
        private AggregateFormat format = AggregateFormat.RFC7489;
        private Optional<String> version = Optional.empty();
        private ReportMetadata metadata;
        private PolicyPublished policy;
        private AggregateReport report;
        private int recordIndex;
        /** Set once a name longer than {@link #MAX_SHARED_NAME_CHARS} was read: the factory is then not kept. */
        private boolean longName;
        /** The elements open in {@link #readTree}, innermost last: one array for the whole report, not one stack per record. */
        private final XmlElement[] open = new XmlElement[MAX_DEPTH_PER_ELEMENT];
        /** The kinds of the elements open in {@link #record()}, innermost last, and the texts read so far. */
        private final int[] openKinds = new int[MAX_DEPTH_PER_ELEMENT];
        private final RecordFields fields;
        /** Streams a record's elements into {@link #fields}, each open element's kind in {@link #openKinds}. */
        private final ElementSink recordSink = new ElementSink() {
            @Override
            public void enter(int depth, String name) {
                openKinds[depth] = fields.enter(openKinds[depth - 1], name);
            }

            @Override
            public void leave(int depth) {
                fields.leave(openKinds[depth]);
            }

            @Override
            public void text(int depth, char[] characters, int start, int length) {
                if (RecordFields.isLeaf(openKinds[depth])) fields.append(characters, start, length);
            }
        };

        private Report(Origin origin, AggregateReportHandler handler, XMLStreamReader xml, RecordFields fields) {
            this.origin = origin;
            this.fields = fields;
            this.handler = handler;
            this.xml = xml;
        }

        private void read() throws XMLStreamException, IOException {
            findFeedback();
            while (xml.hasNext()) {
                int event = next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    String name = xml.getLocalName();
                    switch (name) {
                        case "version" -> version = Optional.of(readTree(true).text()).filter(s -> !s.isEmpty());
                        case "report_metadata" -> metadata = metadata(readTree(true));
                        case "policy_published" -> policy = policy(readTree(true));
                        case "record" -> record();
                        default -> readTree(false); // RFC 9990 3: extension elements, and anything unknown, are skipped
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    // Children are read whole by readTree, so this is the end of feedback: reading stops here,
                    // and whatever follows (a wrapper's unclosed end, trailing junk) is not looked at.
                    break;
                }
            }
            if (report == null) startReport(xml.getLocation().getLineNumber());
        }

        /** Whether an element, attribute or namespace prefix of this report is longer than {@link #MAX_SHARED_NAME_CHARS}. */
        private static boolean hasLongName(XMLStreamReader xml) {
            if (longer(xml.getLocalName()) || longer(xml.getPrefix())) return true;
            for (int i = 0; i < xml.getAttributeCount(); i++) {
                if (longer(xml.getAttributeLocalName(i)) || longer(xml.getAttributePrefix(i))) return true;
            }
            for (int i = 0; i < xml.getNamespaceCount(); i++) {
                if (longer(xml.getNamespacePrefix(i))) return true;
            }
            return false;
        }

        private static boolean longer(String name) {
            return name != null && name.length() > MAX_SHARED_NAME_CHARS;
        }

        private int next() throws XMLStreamException, ReportFormatException {
            int event;
            try {
                event = xml.next();
            } catch (RuntimeException e) {
                // The JDK's parser throws unchecked exceptions on some corrupt inputs; they are input errors.
                throw new ReportFormatException("xml-malformed", position(xml), "the XML could not be parsed: " + e);
            }
            if (event == XMLStreamConstants.START_ELEMENT && !longName) longName = hasLongName(xml);
            if (event == XMLStreamConstants.DTD) {
                throw new ReportFormatException("doctype-refused", position(xml),
                        "the document has a DOCTYPE declaration; DTDs are refused because they allow entity expansion (billion laughs) and external entities (XXE)");
            }
            if (event == XMLStreamConstants.ENTITY_REFERENCE) {
                throw new ReportFormatException("entity-refused", position(xml),
                        "the document refers to the entity &" + xml.getLocalName() + "; entities other than XML's own are refused");
            }
            return event;
        }

        /** Moves to the feedback start element: the root, or a child of one wrapper element (seen from ikea.com). */
        private void findFeedback() throws XMLStreamException, ReportFormatException {
            String root = null;
            while (xml.hasNext()) {
                int event = next();
                if (event != XMLStreamConstants.START_ELEMENT) continue;
                if (xml.getLocalName().equals("feedback")) {
                    String ns = xml.getNamespaceURI();
                    if (RFC9990_NAMESPACE.equals(ns)) format = AggregateFormat.RFC9990;
                    return;
                }
                if (root != null) break;
                root = xml.getLocalName();
            }
            throw new ReportFormatException("not-aggregate-report", position(xml), root == null
                    ? "the XML document has no elements"
                    : "the root element is <" + root + ">, not <feedback>: this is not a DMARC aggregate report");
        }

        /**
         * Reads the element the reader is on, to its end, into a bounded tree. With {@code childLines} each child has its
         * own line; without, children have their top element's: the parser makes a new location object for every
         * question about one, and a record has about twenty elements.
         */
        private XmlElement readTree(boolean childLines) throws XMLStreamException, ReportFormatException {
            XmlElement top = new XmlElement(xml.getLocalName(), xml.getLocation().getLineNumber());
            open[0] = top;
            walk(top.name, new ElementSink() {
                @Override
                public void enter(int depth, String name) {
                    XmlElement child = new XmlElement(name, childLines ? xml.getLocation().getLineNumber() : top.line);
                    open[depth - 1].add(child);
                    open[depth] = child;
                }

                @Override
                public void leave(int depth) {
                    open[depth] = null;
                }

                @Override
                public void text(int depth, char[] characters, int start, int length) {
                    open[depth].append(characters, start, length);
                }
            });
            return top;
        }

        /**
         * Reads the element the reader is on, to its end, and hands {@code sink} what lies within the bounds: at most
         * {@link #MAX_CHILDREN_PER_ELEMENT} elements, {@link #MAX_DEPTH_PER_ELEMENT} deep (elements past them, and
         * everything inside those, are passed over), and {@link #MAX_CHARS_PER_ELEMENT} characters of text (the rest is
         * cut). The element itself is depth 0: the sink is told when it ends, not when it starts.
         */
        private void walk(String name, ElementSink sink) throws XMLStreamException, ReportFormatException {
            int depth = 1;
            int chars = 0;
            int elements = 0;
            int untracked = 0; // elements below MAX_DEPTH_PER_ELEMENT or past MAX_CHILDREN_PER_ELEMENT, read but not kept
            while (depth > 0) {
                int event = next();
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (++elements > MAX_CHILDREN_PER_ELEMENT || depth >= MAX_DEPTH_PER_ELEMENT || untracked > 0) {
                            untracked++;
                        } else {
                            sink.enter(depth++, xml.getLocalName());
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (untracked > 0) untracked--;
                        else sink.leave(--depth);
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (untracked == 0 && chars < MAX_CHARS_PER_ELEMENT) {
                            int take = Math.min(xml.getTextLength(), MAX_CHARS_PER_ELEMENT - chars);
                            sink.text(depth - 1, xml.getTextCharacters(), xml.getTextStart(), take);
                            chars += take;
                        }
                    }
                    case XMLStreamConstants.END_DOCUMENT -> throw new ReportFormatException("xml-truncated", position(xml),
                            "the document ends inside <" + name + ">");
                    default -> {
                        // comments and processing instructions carry nothing
                    }
                }
            }
        }

        private ReportMetadata metadata(XmlElement e) throws ReportFormatException {
            String orgName = e.child("org_name").map(XmlElement::text).orElse("");
            String email = e.child("email").map(XmlElement::text).orElse("");
            if (orgName.isEmpty() && email.isEmpty()) {
                throw invalid(e, "missing-element", "report_metadata has neither org_name nor email, so the reporter is unknown");
            }
            String reportId = e.value("report_id").orElseThrow(() -> invalid(e, "missing-element", "report_metadata has no report_id"));
            XmlElement range = e.child("date_range").orElseThrow(() -> invalid(e, "missing-element", "report_metadata has no date_range"));
            Instant begin = epoch(range, "begin");
            Instant end = epoch(range, "end");
            List<String> errors = new ArrayList<>();
            for (XmlElement error : e.all("error")) {
                if (!error.text().isEmpty()) errors.add(error.text());
            }
            return new ReportMetadata(orgName, email, e.value("extra_contact_info"), reportId, begin, end, errors, e.value("generator"));
        }

        /** RFC 7489 appendix C DateRangeType: seconds since the epoch, UTC. Some reporters (163.com) add ".0". */
        private static Instant epoch(XmlElement range, String name) throws ReportFormatException {
            String text = range.value(name).orElseThrow(() -> invalid(range, "missing-element", "date_range has no " + name));
            try {
                BigDecimal seconds = new BigDecimal(text);
                if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(Instant.MAX.getEpochSecond())) > 0) {
                    throw new NumberFormatException();
                }
                return Instant.ofEpochSecond(seconds.longValue());
            } catch (NumberFormatException e) {
                throw invalid(range, "invalid-date-range", "date_range/" + name + " is \"" + text + "\", not a number of seconds since 1970");
            }
        }

        private PolicyPublished policy(XmlElement e) throws ReportFormatException {
            String domain = e.value("domain").map(AggregateReportParser::domain)
                    .orElseThrow(() -> invalid(e, "missing-element", "policy_published has no domain"));
            String pText = e.value("p").orElseThrow(() -> invalid(e, "missing-element", "policy_published has no p"));
            Policy p = policyWord(pText).orElseThrow(() -> invalid(e, "invalid-policy",
                    "policy_published/p is \"" + pText + "\", not none, quarantine or reject"));
            // Optional fields that do not parse are left out: they describe the sender's record, not the traffic.
            Optional<Integer> pct = e.value("pct").flatMap(AggregateReportParser::percent);
            Optional<Boolean> testing = e.value("testing").map(Words::normal)
                    .flatMap(t -> t.equals("y") ? Optional.of(true) : t.equals("n") ? Optional.of(false) : Optional.empty());
            return new PolicyPublished(domain, e.value("adkim").flatMap(AggregateReportParser::alignment),
                    e.value("aspf").flatMap(AggregateReportParser::alignment), p,
                    e.value("sp").flatMap(AggregateReportParser::policyWord), e.value("np").flatMap(AggregateReportParser::policyWord),
                    pct, e.value("fo"), testing, e.value("discovery_method").map(Words::normal));
        }

        private void startReport(long line) throws ReportFormatException {
            if (metadata == null) {
                throw new ReportFormatException("missing-element", "line " + line, "the report has no report_metadata before its records");
            }
            if (policy == null) {
                throw new ReportFormatException("missing-element", "line " + line, "the report has no policy_published before its records");
            }
            // RFC 9990 without its namespace still says version 2.0 in some generators.
            if (format == AggregateFormat.RFC7489 && version.filter(v -> v.startsWith("2")).isPresent()) format = AggregateFormat.RFC9990;
            report = new AggregateReport(origin, format, version, metadata, policy);
            handler.report(report);
        }

        /**
         * Reads the record the reader is on, to its end, straight into {@link #fields}: no element tree, but the same
         * bounded {@link #walk} as {@link #readTree} and the same reading (see {@link RecordFields}). A record's problems are told by the record's line, so its children need none.
         */
        private void record() throws XMLStreamException, ReportFormatException {
            long line = xml.getLocation().getLineNumber();
            fields.clear();
            openKinds[0] = RecordFields.RECORD;
            walk("record", recordSink);
            if (report == null) startReport(line);
            recordIndex++;
            try {
                handler.record(report, toRecord(fields, recordIndex, line));
            } catch (BadRecord bad) {
                handler.recordSkipped(report, new Problem(Problem.Scope.RECORD, origin,
                        "record " + recordIndex + " (line " + line + ")", bad.code, bad.getMessage()));
            }
        }
    }

    /** The record in {@code f}, checked in the order of RFC 7489 appendix C RecordType: row, identifiers, auth_results. */
    private static AggregateRecord toRecord(RecordFields f, int index, long line) throws BadRecord {
        if (!f.has(RecordFields.ROW)) throw new BadRecord("missing-element", "the record has no row");
        String ipText = f.value(RecordFields.SOURCE_IP);
        if (ipText == null) throw new BadRecord("missing-element", "the record has no source_ip");
        InetAddress sourceIp = ip(ipText).orElseThrow(() -> new BadRecord("invalid-source-ip",
                "source_ip \"" + ipText + "\" is not an IPv4 or IPv6 address"));
        String countText = f.value(RecordFields.COUNT);
        if (countText == null) throw new BadRecord("missing-element", "the record has no count");
        long count;
        try {
            count = Long.parseLong(countText);
        } catch (NumberFormatException nfe) {
            throw new BadRecord("invalid-count", "count \"" + countText + "\" is not a whole number");
        }
        if (count < 0) throw new BadRecord("invalid-count", "count " + count + " is negative");

        if (!f.has(RecordFields.POLICY_EVALUATED)) throw new BadRecord("missing-element", "the record has no policy_evaluated");
        Disposition disposition = word(Disposition.class, "policy_evaluated", "disposition", f.value(RecordFields.DISPOSITION),
                "none, pass, quarantine or reject");
        DmarcResult dkim = word(DmarcResult.class, "policy_evaluated", "dkim", f.value(RecordFields.EVALUATED_DKIM), "pass or fail");
        DmarcResult spf = word(DmarcResult.class, "policy_evaluated", "spf", f.value(RecordFields.EVALUATED_SPF), "pass or fail");
        List<AggregateRecord.Reason> reasons = f.reasons.isEmpty() ? List.of() : new ArrayList<>(f.reasons.size());
        for (String[] reason : f.reasons) {
            // An empty <reason> (seen in the wild) says nothing and is dropped.
            if (reason[0] != null || reason[1] != null) {
                reasons.add(new AggregateRecord.Reason(reason[0] == null ? "" : Words.normal(reason[0]), Optional.ofNullable(reason[1])));
            }
        }

        if (!f.has(RecordFields.IDENTIFIERS)) throw new BadRecord("missing-element", "the record has no identifiers");
        String headerFrom = f.value(RecordFields.HEADER_FROM);
        if (headerFrom == null) throw new BadRecord("missing-element", "the record has no identifiers/header_from");
        AggregateRecord.Identifiers identifiers = new AggregateRecord.Identifiers(domain(headerFrom),
                Optional.ofNullable(f.value(RecordFields.ENVELOPE_FROM)).map(AggregateReportParser::domain),
                Optional.ofNullable(f.value(RecordFields.ENVELOPE_TO)).map(AggregateReportParser::domain));

        List<AggregateRecord.DkimAuth> dkimResults = f.dkim.isEmpty() ? List.of() : new ArrayList<>(f.dkim.size());
        for (String[] d : f.dkim) {
            dkimResults.add(new AggregateRecord.DkimAuth(d[0] == null ? "" : domain(d[0]), Optional.ofNullable(d[1]),
                    word(DkimResult.class, "dkim", "result", d[2], "none, pass, fail, policy, neutral, temperror or permerror"),
                    Optional.ofNullable(d[3])));
        }
        List<AggregateRecord.SpfAuth> spfResults = f.spf.isEmpty() ? List.of() : new ArrayList<>(f.spf.size());
        for (String[] s : f.spf) {
            spfResults.add(new AggregateRecord.SpfAuth(s[0] == null ? "" : domain(s[0]),
                    s[1] == null ? Optional.empty() : Words.parse(SpfScope.class, s[1]), spfResult(s[2])));
        }
        return new AggregateRecord(index, line, sourceIp, count,
                new AggregateRecord.PolicyEvaluated(disposition, dkim, spf, reasons), identifiers, dkimResults, spfResults);
    }

    private static SpfResult spfResult(String text) throws BadRecord {
        // "hardfail" is not an RFC 7208 2.6 result but some reporters write it for fail.
        if (text != null && Words.normal(text).equals("hardfail")) return SpfResult.FAIL;
        return word(SpfResult.class, "spf", "result", text, "none, neutral, pass, fail, softfail, temperror or permerror");
    }

    /** The result word {@code text} of {@code parent/child}, null when the element was absent or empty. */
    private static <E extends Enum<E>> E word(Class<E> type, String parent, String child, String text, String allowed) throws BadRecord {
        if (text == null) throw new BadRecord("missing-element", "the record has no " + parent + "/" + child);
        return Words.parse(type, text).orElseThrow(() -> new BadRecord("invalid-" + child,
                parent + "/" + child + " is \"" + text + "\", not " + allowed));
    }

    private static Optional<InetAddress> ip(String text) {
        String stripped = text.strip();
        byte[] bytes = dottedQuad(stripped);
        if (bytes == null) bytes = hexGroups(stripped);
        if (bytes != null) {
            try {
                // Four bytes, or sixteen that are not IPv4-mapped: an Inet4Address or an Inet6Address, and no lookup.
                return Optional.of(InetAddress.getByAddress(bytes));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("four or sixteen bytes are an IP address", e);
            }
        }
        IPAddress address = new IPAddressString(stripped).getAddress();
        return address == null ? Optional.empty() : Optional.of(address.toInetAddress());
    }

    /**
     * The sixteen bytes of an IPv6 address written as hexadecimal groups (RFC 4291 2.2, forms 1 and 2: eight groups of
     * one to four hex digits, or fewer with one "::" standing for one or more groups of zeros), or null for anything else,
     * which the IPAddress library reads: a dotted IPv4 tail (form 3), a zone, brackets, a prefix, an IPv4-mapped address.
     * The library's general parser is several times the cost of this, and its validator one of the import's largest
     * compilations.
     */
    static byte[] hexGroups(String text) {
        int length = text.length();
        if (length < 2 || length > 39) return null;
        byte[] bytes = new byte[16];
        int groups = 0;
        int gap = -1; // the group "::" stands before
        int i = 0;
        if (text.charAt(0) == ':') {
            if (text.charAt(1) != ':') return null;
            gap = 0;
            i = 2;
        }
        while (i < length) {
            int value = 0;
            int digits = 0;
            for (int digit; i < length && (digit = hexDigit(text.charAt(i))) >= 0; i++) {
                if (++digits > 4) return null;
                value = value << 4 | digit;
            }
            if (digits == 0 || groups == 8) return null;
            bytes[2 * groups] = (byte) (value >> 8);
            bytes[2 * groups + 1] = (byte) value;
            groups++;
            if (i == length) break;
            if (text.charAt(i) != ':' || ++i == length) return null; // anything but a colon, or one at the end
            if (text.charAt(i) == ':') {
                if (gap >= 0) return null; // a second "::"
                gap = groups;
                i++;
            }
        }
        if (gap < 0 ? groups != 8 : groups > 7) return null; // "::" stands for at least one group
        if (gap >= 0) {
            int after = groups - gap;
            System.arraycopy(bytes, 2 * gap, bytes, 16 - 2 * after, 2 * after);
            Arrays.fill(bytes, 2 * gap, 16 - 2 * after, (byte) 0);
        }
        // RFC 4291 2.5.5.2: ::ffff:0:0/96 (the JDK makes an Inet4Address of it; left to the library as before).
        boolean mapped = bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF;
        for (int b = 0; mapped && b < 10; b++) mapped = bytes[b] == 0;
        return mapped ? null : bytes;
    }

    /** The value of an ASCII hex digit, or -1. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /**
     * The four bytes of an IPv4 address in its usual form (four decimal numbers 0-255 without leading zeros, RFC 3986
     * 3.2.2 dec-octet), or null for anything else, which the IPAddress library reads (IPv6, other IPv4 forms): most
     * records name an IPv4 source, and this is much cheaper than the general parser.
     */
    static byte[] dottedQuad(String text) {
        int length = text.length();
        if (length < 7 || length > 15) return null;
        byte[] bytes = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= length; i++) {
            char c = i < length ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || part == 4) return null;
                bytes[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) return null; // a leading zero: octal to some, decimal to others
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) return null;
            } else {
                return null;
            }
        }
        return part == 4 ? bytes : null;
    }

    private static String domain(String text) {
        String d = text.strip().toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    private static Optional<Policy> policyWord(String text) {
        return Words.parse(Policy.class, text);
    }

    private static Optional<AlignmentMode> alignment(String text) {
        return switch (Words.normal(text)) {
            case "r" -> Optional.of(AlignmentMode.RELAXED);
            case "s" -> Optional.of(AlignmentMode.STRICT);
            default -> Optional.empty();
        };
    }

    private static Optional<Integer> percent(String text) {
        try {
            int pct = Integer.parseInt(text.strip());
            return pct >= 0 && pct <= 100 ? Optional.of(pct) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static ReportFormatException invalid(XmlElement e, String code, String message) {
        return new ReportFormatException(code, "line " + e.line, message);
    }

    private static String position(XMLStreamReader xml) {
        Location l = xml.getLocation();
        return l == null ? "" : "line " + l.getLineNumber() + ", column " + l.getColumnNumber();
    }

    private static IOException malformed(XMLStreamException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ReportFormatException rfe) return rfe;
            if (t instanceof XMLStreamException x && x.getNestedException() instanceof ReportFormatException rfe) return rfe;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException io && !(t.getCause() instanceof XMLStreamException)) return io;
        }
        Location l = e.getLocation();
        String position = l == null ? "" : "line " + l.getLineNumber() + ", column " + l.getColumnNumber();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        // The JDK prefixes its messages with "ParseError at [row,col]:[r,c]\nMessage: ".
        int m = message.indexOf("Message: ");
        if (m >= 0) message = message.substring(m + "Message: ".length());
        String code = message.contains("DOCTYPE") ? "doctype-refused" : "xml-malformed";
        return new ReportFormatException(code, position, "the XML is not well-formed: " + message.strip());
    }

    /** A record that cannot be read; it is skipped. */
    private static final class BadRecord extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        BadRecord(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}
