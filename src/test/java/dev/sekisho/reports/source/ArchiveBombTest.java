package dev.sekisho.reports.source;

import dev.sekisho.reports.Problem;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Real decompression bombs, built in memory, each stopped by the bound it breaks. */
class ArchiveBombTest {
    private static final byte[] REPORT = """
            <?xml version="1.0"?><feedback><report_metadata><org_name>R</org_name><email>r@r.example</email>
            <report_id>id-1</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata>
            <policy_published><domain>d.example</domain><p>none</p></policy_published>
            <record><row><source_ip>192.0.2.1</source_ip><count>4</count><policy_evaluated><disposition>none</disposition>
            <dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>d.example</header_from></identifiers>
            <auth_results><spf><domain>d.example</domain><result>pass</result></spf></auth_results></record></feedback>
            """.getBytes(StandardCharsets.US_ASCII);
    private static final int MIB = 1 << 20;

    /**
     * 2 GiB of white space inside a feedback element, gzipped: RFC 1952 2.2 lets a gzip file hold many members,
     * so one 16 MiB member is compressed once and repeated 128 times, and the bomb never exists uncompressed.
     */
    private static InputStream twoGibibyteGzipBomb() throws IOException {
        byte[] start = gzip("<?xml version=\"1.0\"?><feedback>".getBytes(StandardCharsets.US_ASCII));
        byte[] spaces = new byte[16 * MIB];
        java.util.Arrays.fill(spaces, (byte) ' ');
        byte[] member = gzip(spaces);
        Enumeration<InputStream> members = new Enumeration<>() {
            int i;

            @Override
            public boolean hasMoreElements() {
                return i <= 128;
            }

            @Override
            public InputStream nextElement() {
                return new ByteArrayInputStream(i++ == 0 ? start : member);
            }
        };
        return new SequenceInputStream(members);
    }

    @Test
    void aGzipBombIsStoppedByTheCompressionRatio() throws IOException {
        Outcome o = read(ReportLimits.defaults(), "bomb.xml.gz", twoGibibyteGzipBomb());
        assertThat(o.problem.code()).isEqualTo("limit-compression-ratio");
        assertThat(o.problem.origin().toString()).isEqualTo("bomb.xml.gz");
        assertThat(o.problem.message()).contains("maxCompressionRatio").contains("decompression bomb");
        assertThat(o.summary.rejectedInputs()).isEqualTo(1);
    }

    @Test
    void withoutARatioBoundTheSameBombIsStoppedByTheDecompressedSize() throws IOException {
        ReportLimits limits = ReportLimits.defaults().withMaxCompressionRatio(Integer.MAX_VALUE).withMaxDecompressedBytes(64L * MIB);
        Outcome o = read(limits, "bomb.xml.gz", twoGibibyteGzipBomb());
        assertThat(o.problem.code()).isEqualTo("limit-decompressed-size");
        assertThat(o.problem.message()).contains(String.valueOf(64L * MIB)).contains("maxDecompressedBytes");
    }

    @Test
    void aZipEntryWithAHugeRatioIsStopped() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.setLevel(Deflater.BEST_COMPRESSION);
            out.putNextEntry(new ZipEntry("report.xml"));
            out.write("<feedback>".getBytes(StandardCharsets.US_ASCII));
            byte[] spaces = new byte[MIB];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 64; i++) out.write(spaces);
            out.closeEntry();
        }
        assertThat(zip.size()).isLessThan(MIB / 8);
        Outcome o = read(ReportLimits.defaults(), "bomb.zip", new ByteArrayInputStream(zip.toByteArray()));
        assertThat(o.problem.code()).isEqualTo("limit-compression-ratio");
        assertThat(o.problem.origin().toString()).isEqualTo("bomb.zip");
    }

    @Test
    void zipsNestedDeeperThanTheBoundAreRejected() throws IOException {
        byte[] inner = REPORT;
        for (int i = 0; i < 10; i++) inner = zip("level" + i + (i == 0 ? ".xml" : ".zip"), inner);
        Outcome o = read(ReportLimits.defaults(), "nested.zip", new ByteArrayInputStream(inner));
        assertThat(o.problem.code()).isEqualTo("limit-nesting-depth");
        assertThat(o.problem.message()).contains("maxNestingDepth");
        assertThat(o.summary.aggregateReports()).isZero();
    }

    @Test
    void zipsNestedWithinTheBoundAreRead() throws IOException {
        byte[] nested = zip("outer.zip", zip("report.xml.gz", gzip(REPORT)));
        Outcome o = read(ReportLimits.defaults(), "nested.zip", new ByteArrayInputStream(nested));
        assertThat(o.problem).isNull();
        assertThat(o.summary.aggregateReports()).isEqualTo(1);
        assertThat(o.summary.messages()).isEqualTo(4);
    }

    @Test
    void tooManyEntriesRejectTheArchive() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            for (int i = 0; i < 5; i++) {
                out.putNextEntry(new ZipEntry("r" + i + ".xml"));
                out.write(REPORT);
            }
        }
        Outcome o = read(ReportLimits.defaults().withMaxArchiveEntries(3), "many.zip", new ByteArrayInputStream(zip.toByteArray()));
        assertThat(o.problem.code()).isEqualTo("limit-archive-entries");
        assertThat(o.problem.position()).isEqualTo("entry 4 (r3.xml)");
    }

    @Test
    void aJunkEntryCostsOnlyItself() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("a.xml"));
            out.write(REPORT);
            out.putNextEntry(new ZipEntry("__MACOSX/._a.xml"));
            out.write(new byte[]{0, 5, 22, 7, 0, 2});
            out.putNextEntry(new ZipEntry("b.xml.gz"));
            out.write(gzip(REPORT));
        }
        Outcome o = read(ReportLimits.defaults(), "mixed.zip", new ByteArrayInputStream(zip.toByteArray()));
        assertThat(o.summary.aggregateReports()).isEqualTo(2);
        assertThat(o.problem.code()).isEqualTo("unrecognised-content");
        assertThat(o.problem.origin().toString()).isEqualTo("mixed.zip > __MACOSX/._a.xml");
    }

    private record Outcome(ImportSummary summary, Problem problem) {
    }

    private static Outcome read(ReportLimits limits, String name, InputStream in) {
        Problem[] first = new Problem[1];
        ImportSummary summary = new ReportReader(limits).read(name, in, new ReportVisitor() {
            @Override
            public void problem(Problem problem) {
                if (first[0] == null) first[0] = problem;
            }
        });
        return new Outcome(summary, first[0]);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] zip(String entry, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            out.putNextEntry(new ZipEntry(entry));
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
