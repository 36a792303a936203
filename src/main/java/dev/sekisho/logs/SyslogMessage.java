package dev.sekisho.logs;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * One syslog message, RFC 5424 or RFC 3164 (BSD), taken apart as far as Sekisho needs it.
 *
 * @param facility  PRI / 8 (RFC 5424 section 6.2.1)
 * @param severity  PRI % 8
 * @param rfc5424   whether it came in the RFC 5424 format (VERSION 1)
 * @param entry     timestamp, host, program (APP-NAME or TAG) and the message text
 */
public record SyslogMessage(int facility, int severity, boolean rfc5424, LogEntry entry) {
    private static final char BOM = '\uFEFF';

    /**
     * Parses one message (one UDP datagram, or one TCP frame without its framing).
     *
     * @param received when it arrived: the timestamp of a message without one (RFC 3164 section 4.3.3), and the
     *                 reference for the missing year of a BSD timestamp
     * @param zone     the zone of BSD timestamps, which carry none
     */
    public static SyslogMessage parse(String text, Instant received, ZoneId zone) throws MalformedLineException {
        if (text.isEmpty()) throw new MalformedLineException("empty message");
        if (text.charAt(0) != '<') {
            // RFC 3164 section 4.3.3: no PRI at all; a relay treats the whole packet as the CONTENT of a
            // message of priority 13 (user.notice) received now.
            return new SyslogMessage(1, 5, false, bsdBody(text, 0, received, zone));
        }
        int close = text.indexOf('>');
        // RFC 5424 section 6.2.1 / RFC 3164 section 4.1.1: PRI is "<" 1*3DIGIT ">", a value 0..191.
        if (close < 2 || close > 4) throw new MalformedLineException("PRI must be <0> to <191>, the message starts " + head(text));
        int pri = 0;
        for (int i = 1; i < close; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') throw new MalformedLineException("PRI must be digits, the message starts " + head(text));
            pri = pri * 10 + (c - '0');
        }
        if (pri > 191 || close > 2 && text.charAt(1) == '0') {
            throw new MalformedLineException("PRI must be 0 to 191 without leading zeros, the message starts " + head(text));
        }
        int facility = pri / 8;
        int severity = pri % 8;
        int i = close + 1;
        // RFC 5424 section 6.2.2: VERSION follows PRI at once; "1" is the only one defined.
        if (text.startsWith("1 ", i)) {
            return new SyslogMessage(facility, severity, true, rfc5424(text, i + 2));
        }
        return new SyslogMessage(facility, severity, false, bsdBody(text, i, received, zone));
    }

    /** RFC 5424 section 6: TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]. */
    private static LogEntry rfc5424(String text, int start) throws MalformedLineException {
        Fields f = new Fields(text, start);
        String timestamp = f.next("TIMESTAMP");
        String host = nil(f.next("HOSTNAME"));
        String appName = nil(f.next("APP-NAME"));
        f.next("PROCID");
        f.next("MSGID");
        Instant at;
        if (timestamp.equals("-")) {
            throw new MalformedLineException("RFC 5424 message without a TIMESTAMP (NILVALUE); Sekisho needs to know when it happened");
        }
        // RFC 5424 section 6.2.3: a full RFC 3339 timestamp with its offset.
        at = LineTimestamp.rfc3339(timestamp, 0)
                .orElseThrow(() -> new MalformedLineException("RFC 5424 TIMESTAMP is not RFC 3339: \"" + timestamp + "\"")).at();
        int msgStart = skipStructuredData(text, f.position);
        String msg = msgStart >= text.length() ? "" : text.substring(msgStart);
        // RFC 5424 section 6.4: MSG-UTF8 starts with a BOM.
        if (!msg.isEmpty() && msg.charAt(0) == BOM) msg = msg.substring(1);
        return new LogEntry(at, host, appName, msg);
    }

    /** RFC 5424 section 6.2: "-" is the NILVALUE. */
    private static String nil(String field) {
        return field.equals("-") ? "" : field;
    }

    /**
     * RFC 5424 section 6.3: STRUCTURED-DATA is "-" or one or more "[SD-ID *(SP PARAM)]"; inside a PARAM-VALUE
     * '"', '\' and ']' are escaped with '\' (section 6.3.3). Returns where MSG starts (after one SP).
     */
    private static int skipStructuredData(String text, int i) throws MalformedLineException {
        if (i >= text.length()) throw new MalformedLineException("RFC 5424 message ends before STRUCTURED-DATA");
        if (text.charAt(i) == '-') return i + 2;
        if (text.charAt(i) != '[') throw new MalformedLineException("RFC 5424 STRUCTURED-DATA must be \"-\" or start with \"[\"");
        while (i < text.length() && text.charAt(i) == '[') {
            boolean inValue = false;
            i++;
            while (true) {
                if (i >= text.length()) throw new MalformedLineException("RFC 5424 SD-ELEMENT not closed with \"]\"");
                char c = text.charAt(i);
                if (inValue && c == '\\') {
                    i += 2;
                    continue;
                }
                if (c == '"') inValue = !inValue;
                else if (c == ']' && !inValue) break;
                i++;
            }
            i++;
        }
        if (i < text.length() && text.charAt(i) != ' ') throw new MalformedLineException("RFC 5424 MSG must follow STRUCTURED-DATA after a space");
        return i + 1;
    }

    /**
     * RFC 3164 section 4.1.2: HEADER is TIMESTAMP SP HOSTNAME SP; section 4.1.3: MSG is TAG (the program, with the
     * process id in brackets by convention) then CONTENT after ": ". A message without a valid timestamp is
     * content received now (section 4.3.3). Local senders often leave out the host: a word that ends in ':' or
     * holds '[' right after the timestamp is the TAG.
     */
    private static LogEntry bsdBody(String text, int start, Instant received, ZoneId zone) throws MalformedLineException {
        Optional<LineTimestamp> ts = LineTimestamp.parse(text, start, received, zone);
        Instant at = ts.map(LineTimestamp::at).orElse(received);
        int i = ts.map(t -> t.end() + 1).orElse(start);
        String host = "";
        if (ts.isPresent()) {
            while (i < text.length() && text.charAt(i) == ' ') i++;
            int space = text.indexOf(' ', i);
            String word = space < 0 ? text.substring(i) : text.substring(i, space);
            if (!word.endsWith(":") && !word.contains("[") && space > 0) {
                host = word;
                i = space + 1;
            }
        }
        String rest = text.substring(Math.min(i, text.length()));
        if (rest.isBlank()) throw new MalformedLineException("RFC 3164 message without MSG");
        int colon = rest.indexOf(": ");
        int firstSpace = rest.indexOf(' ');
        if (colon > 0 && (firstSpace < 0 || colon < firstSpace)) {
            return new LogEntry(at, host, TraditionalLine.withoutProcessId(rest.substring(0, colon)), rest.substring(colon + 2));
        }
        return new LogEntry(at, host, "", rest);
    }

    private static String head(String text) {
        return "\"" + (text.length() > 20 ? text.substring(0, 20) + "..." : text) + "\"";
    }

    /** Space-separated header fields (RFC 5424 section 6: exactly one SP between them). */
    private static final class Fields {
        private final String text;
        private int position;

        Fields(String text, int position) {
            this.text = text;
            this.position = position;
        }

        String next(String name) throws MalformedLineException {
            int space = text.indexOf(' ', position);
            if (space < 0 || space == position) throw new MalformedLineException("RFC 5424 header ends before " + name);
            String field = text.substring(position, space);
            position = space + 1;
            return field;
        }
    }
}
