package dev.sekisho.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes small RFC 7489 aggregate reports for tests: one policy, the records added. */
public final class AggregateReportXml {
    private final String orgName;
    private final String reportId;
    private final String domain;
    private final long begin;
    private final long end;
    private String p = "none";
    private final List<String> records = new ArrayList<>();

    public AggregateReportXml(String orgName, String reportId, String domain, long begin, long end) {
        this.orgName = orgName;
        this.reportId = reportId;
        this.domain = domain;
        this.begin = begin;
        this.end = end;
    }

    public AggregateReportXml policy(String p) {
        this.p = p;
        return this;
    }

    /**
     * One record. dkim and spf are "domain=result", several separated by spaces, or "" for none; reason is a policy
     * override type or "".
     */
    public AggregateReportXml record(String ip, long count, String disposition, String dkimEvaluated, String spfEvaluated,
                                     String headerFrom, String envelopeFrom, String dkim, String spf, String reason) {
        StringBuilder r = new StringBuilder("<record><row><source_ip>").append(ip).append("</source_ip><count>").append(count)
                .append("</count><policy_evaluated><disposition>").append(disposition).append("</disposition><dkim>")
                .append(dkimEvaluated).append("</dkim><spf>").append(spfEvaluated).append("</spf>");
        if (!reason.isEmpty()) r.append("<reason><type>").append(reason).append("</type></reason>");
        r.append("</policy_evaluated></row><identifiers>");
        if (!envelopeFrom.isEmpty()) r.append("<envelope_from>").append(envelopeFrom).append("</envelope_from>");
        r.append("<header_from>").append(headerFrom).append("</header_from></identifiers><auth_results>");
        for (String result : dkim.isEmpty() ? new String[0] : dkim.split(" ")) {
            String[] d = result.split("=");
            r.append("<dkim><domain>").append(d[0]).append("</domain><selector>s1</selector><result>").append(d[1]).append("</result></dkim>");
        }
        for (String result : spf.isEmpty() ? new String[0] : spf.split(" ")) {
            String[] s = result.split("=");
            String scope = s[0].startsWith("helo:") ? "helo" : "mfrom";
            r.append("<spf><domain>").append(s[0].replace("helo:", "")).append("</domain><scope>").append(scope)
                    .append("</scope><result>").append(s[1]).append("</result></spf>");
        }
        records.add(r.append("</auth_results></record>\n").toString());
        return this;
    }

    public String xml() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback><report_metadata><org_name>" + orgName
                + "</org_name><email>noreply-dmarc@" + orgName + "</email><report_id>" + reportId
                + "</report_id><date_range><begin>" + begin + "</begin><end>" + end + "</end></date_range></report_metadata>"
                + "<policy_published><domain>" + domain + "</domain><adkim>r</adkim><aspf>r</aspf><p>" + p
                + "</p><pct>100</pct></policy_published>\n" + String.join("", records) + "</feedback>\n";
    }

    public byte[] bytes() {
        return xml().getBytes(StandardCharsets.UTF_8);
    }
}
