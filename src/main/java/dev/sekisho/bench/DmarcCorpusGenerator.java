package dev.sekisho.bench;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes seeded DMARC aggregate reports (RFC 7489 appendix C) for the import benchmark: a corpus of many reports,
 * as plain XML, gzip and zip files as receivers send them, or one very large report streamed to disk record by
 * record (nothing but the record being written is held in memory).
 *
 * <p>Records look like real ones: source addresses over thousands of IPv4 /24 networks and some IPv6 /48s, message
 * counts mostly 1 with a long tail, mostly {@code none} dispositions, DKIM and SPF results that pass, fail, or
 * authenticate another domain (an ESP, a forwarder), and now and then a forwarding override. Reporters and policy
 * domains are a handful each, as an operator receiving reports for a few domains sees them.
 */
public final class DmarcCorpusGenerator {
    /** Receivers that send aggregate reports: org_name, contact email domain. */
    private static final String[][] REPORTERS = {
            {"google.com", "google.com"}, {"Yahoo", "yahoo.com"}, {"Enterprise Outlook", "microsoft.com"},
            {"Mail.Ru", "corp.mail.ru"}, {"comcast.net", "comcast.net"}, {"GMX", "gmx.net"},
            {"Fastmail Pty Ltd", "fastmail.com"}, {"web.de", "web.de"}};
    /** The domains whose owner receives the reports. */
    private static final String[] POLICY_DOMAINS = {"example.com", "example.net", "shop.example.org", "news.example.com",
            "example.de", "mail.example.co.uk"};
    /** Domains other than the policy domain that show up in DKIM and SPF results. */
    private static final String[] OTHER_DOMAINS = {"sendgrid.net", "amazonses.com", "mailchimp.example", "crm.example",
            "bounce.esp.example", "lists.example.org"};
    private static final long PERIOD_START = 1_730_419_200L; // 2024-11-01T00:00:00Z
    private static final int IPV4_NETWORKS = 5_000;

    private final long seed;

    public DmarcCorpusGenerator(long seed) {
        this.seed = seed;
    }

    /** What was written. */
    public record Written(long reports, long records, long bytes) {
    }

    /**
     * Writes {@code reports} reports holding {@code records} records in total into {@code directory} (created when
     * missing): report sizes vary, every report holds at least one record. Of every ten files six are gzip
     * ({@code .xml.gz}), two zip ({@code .zip}, one entry) and two plain XML.
     */
    public Written writeCorpus(Path directory, int reports, long records) throws IOException {
        if (reports < 1) throw new IllegalArgumentException("reports must be at least 1, was " + reports);
        if (records < reports) throw new IllegalArgumentException("records (" + records + ") must be at least reports (" + reports + ")");
        Files.createDirectories(directory);
        long[] sizes = reportSizes(reports, records);
        long bytes = 0;
        for (int i = 0; i < reports; i++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            String[] reporter = REPORTERS[i % REPORTERS.length];
            String domain = POLICY_DOMAINS[(i / REPORTERS.length) % POLICY_DOMAINS.length];
            String reportId = "bench-" + seed + "-" + i;
            String entryName = reporter[1] + "!" + domain + "!" + i + ".xml";
            Path file;
            switch (i % 10) {
                case 0, 1, 2, 3, 4, 5 -> {
                    file = directory.resolve(String.format("%06d-%s.gz", i, reporter[1]));
                    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 65_536)) {
                        writeReport(out, random, reporter, domain, reportId, i, sizes[i], Long.MAX_VALUE);
                    }
                }
                case 6, 7 -> {
                    file = directory.resolve(String.format("%06d-%s.zip", i, reporter[1]));
                    try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 65_536))) {
                        zip.putNextEntry(new ZipEntry(entryName));
                        writeReport(zip, random, reporter, domain, reportId, i, sizes[i], Long.MAX_VALUE);
                        zip.closeEntry();
                    }
                }
                default -> {
                    file = directory.resolve(String.format("%06d-%s.xml", i, reporter[1]));
                    try (OutputStream out = Files.newOutputStream(file)) {
                        writeReport(out, random, reporter, domain, reportId, i, sizes[i], Long.MAX_VALUE);
                    }
                }
            }
            bytes += Files.size(file);
        }
        return new Written(reports, records, bytes);
    }

    /**
     * Writes one plain XML report of at least {@code minimumBytes} (records are added until it is that large) to
     * {@code file}, streamed: memory does not grow with the size.
     */
    public Written writeSingleReport(Path file, long minimumBytes) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        SplittableRandom random = new SplittableRandom(seed);
        try (CountingOutputStream out = new CountingOutputStream(Files.newOutputStream(file))) {
            long records = writeReport(out, random, REPORTERS[0], POLICY_DOMAINS[0], "bench-single-" + seed, 0, Long.MAX_VALUE, minimumBytes);
            out.flush();
            return new Written(1, records, out.count);
        }
    }

    /** Sizes that vary (from a sixth to about twice the mean), at least 1 each, adding up to {@code records}. */
    private long[] reportSizes(int reports, long records) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] weights = new double[reports];
        double sum = 0;
        for (int i = 0; i < reports; i++) {
            weights[i] = 1 + random.nextInt(12);
            sum += weights[i];
        }
        long spare = records - reports;
        long[] sizes = new long[reports];
        long given = 0;
        for (int i = 0; i < reports; i++) {
            sizes[i] = 1 + (long) (spare * weights[i] / sum);
            given += sizes[i];
        }
        for (int i = 0; given < records; i = (i + 1) % reports) {
            sizes[i]++;
            given++;
        }
        return sizes;
    }

    /**
     * Writes one report of {@code records} records, or fewer when the bytes written reach {@code stopAtBytes} first
     * (counted only when {@code out} is a {@link CountingOutputStream}). Returns the records written.
     */
    private static long writeReport(OutputStream out, SplittableRandom random, String[] reporter, String domain, String reportId,
                                    int index, long records, long stopAtBytes) throws IOException {
        Writer writer = new OutputStreamWriter(new Unclosed(out), StandardCharsets.UTF_8);
        long begin = PERIOD_START + (long) (index % 90) * 86_400;
        writer.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n  <report_metadata>\n    <org_name>" + reporter[0]
                + "</org_name>\n    <email>noreply-dmarc-support@" + reporter[1] + "</email>\n    <report_id>" + reportId
                + "</report_id>\n    <date_range>\n      <begin>" + begin + "</begin>\n      <end>" + (begin + 86_399)
                + "</end>\n    </date_range>\n  </report_metadata>\n  <policy_published>\n    <domain>" + domain
                + "</domain>\n    <adkim>r</adkim>\n    <aspf>r</aspf>\n    <p>none</p>\n    <sp>none</sp>\n    <pct>100</pct>\n"
                + "  </policy_published>\n");
        CountingOutputStream counted = out instanceof CountingOutputStream c ? c : null;
        StringBuilder record = new StringBuilder(1024);
        long written = 0;
        while (written < records) {
            record.setLength(0);
            appendRecord(record, random, domain);
            writer.append(record);
            written++;
            if (counted != null && (written & 255) == 0) {
                writer.flush();
                if (counted.count >= stopAtBytes) break;
            }
        }
        writer.write("</feedback>\n");
        writer.flush();
        return written;
    }

    private static void appendRecord(StringBuilder r, SplittableRandom random, String domain) {
        int kind = random.nextInt(100); // 0-69 own mail, 70-84 an ESP signing for itself, 85-91 forwarded, 92-99 spoofing
        r.append("  <record>\n    <row>\n      <source_ip>");
        appendSourceIp(r, random);
        int count = random.nextInt(10) < 7 ? 1 : 1 + (int) Math.min(5_000, Math.round(-Math.log(1 - random.nextDouble()) * 40));
        boolean dkimAligned = kind < 70 ? random.nextInt(100) < 97 : kind < 92 && kind >= 85 && random.nextBoolean();
        boolean spfAligned = kind < 70 ? random.nextInt(100) < 95 : kind < 85 && random.nextInt(10) < 3;
        boolean pass = dkimAligned || spfAligned;
        String disposition = pass ? "none" : random.nextInt(10) < 7 ? "none" : random.nextBoolean() ? "quarantine" : "reject";
        r.append("</source_ip>\n      <count>").append(count).append("</count>\n      <policy_evaluated>\n        <disposition>")
                .append(disposition).append("</disposition>\n        <dkim>").append(dkimAligned ? "pass" : "fail")
                .append("</dkim>\n        <spf>").append(spfAligned ? "pass" : "fail").append("</spf>\n");
        if (kind >= 85 && kind < 92 && random.nextInt(3) == 0) {
            r.append("        <reason>\n          <type>").append(random.nextBoolean() ? "forwarded" : "mailing_list")
                    .append("</type>\n        </reason>\n");
        }
        r.append("      </policy_evaluated>\n    </row>\n    <identifiers>\n");
        String other = OTHER_DOMAINS[random.nextInt(OTHER_DOMAINS.length)];
        String envelope = kind < 70 || (kind < 85 && spfAligned) ? domain : other;
        r.append("      <envelope_from>").append(envelope).append("</envelope_from>\n      <header_from>").append(domain)
                .append("</header_from>\n    </identifiers>\n    <auth_results>\n");
        if (kind < 92 || random.nextBoolean()) {
            String signer = kind < 70 || kind >= 85 ? domain : other;
            String result = signer.equals(domain) ? (dkimAligned ? "pass" : "fail") : "pass";
            r.append("      <dkim>\n        <domain>").append(signer).append("</domain>\n        <selector>s")
                    .append(1 + random.nextInt(3)).append("</selector>\n        <result>").append(result).append("</result>\n      </dkim>\n");
            if (kind >= 70 && kind < 85 && random.nextBoolean()) {
                r.append("      <dkim>\n        <domain>").append(domain).append("</domain>\n        <selector>esp</selector>\n        <result>")
                        .append(dkimAligned ? "pass" : "fail").append("</result>\n      </dkim>\n");
            }
        }
        String spfResult = envelope.equals(domain)
                ? (spfAligned ? "pass" : random.nextBoolean() ? "softfail" : "fail")
                : kind >= 92 ? (random.nextBoolean() ? "none" : "neutral") : "pass";
        r.append("      <spf>\n        <domain>").append(envelope).append("</domain>\n        <scope>mfrom</scope>\n        <result>")
                .append(spfResult).append("</result>\n      </spf>\n    </auth_results>\n  </record>\n");
    }

    /** 95 % IPv4 over {@value #IPV4_NETWORKS} /24 networks spread over the address space, 5 % IPv6 over 500 /48s. */
    private static void appendSourceIp(StringBuilder r, SplittableRandom random) {
        if (random.nextInt(100) < 95) {
            int network = random.nextInt(IPV4_NETWORKS);
            long mixed = (network * 0x9E3779B1L) & 0xFFFFFFL; // spread networks over the /24s
            int first = 11 + (int) (mixed >>> 16) % 212; // 11..222: public unicast ranges, none of 0, 10, 127 or multicast
            r.append(first).append('.').append((mixed >>> 8) & 0xFF).append('.').append(mixed & 0xFF).append('.')
                    .append(1 + random.nextInt(254));
        } else {
            int network = random.nextInt(500);
            r.append("2001:db8:").append(Integer.toHexString(network)).append("::").append(Integer.toHexString(1 + random.nextInt(0xFFFF)));
        }
    }

    /** Counts the bytes that pass, so a large report can stop at a size. */
    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(new BufferedOutputStream(out, 1 << 16));
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** Lets a writer over a zip entry or a counted stream be flushed without closing what is under it. */
    private static final class Unclosed extends FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
