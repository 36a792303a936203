package dev.sekisho.reports.analysis;

import dev.sekisho.store.RecordGroup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One sending IP address and what it sent as the domain.
 *
 * @param ip          the source address
 * @param sourceClass the class of most of its messages (ties: authorised, then forwarded, then spoofing)
 * @param messages    all its messages
 * @param dmarcPass   of those, the messages that passed DMARC
 * @param fromDomains the From domains it used, sorted
 * @param firstSeen   the begin of the earliest report it appears in
 * @param lastSeen    the end of the latest
 */
public record Source(String ip, SourceClass sourceClass, long messages, long dmarcPass, List<String> fromDomains,
                     Instant firstSeen, Instant lastSeen) {
    public Source {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(sourceClass, "sourceClass");
        fromDomains = List.copyOf(fromDomains);
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    public long dmarcFail() {
        return messages - dmarcPass;
    }

    /** Each source in the groups, most messages first (then by address). */
    public static List<Source> of(List<RecordGroup> groups, SourceClassifier classifier) {
        Map<String, List<RecordGroup>> byIp = new LinkedHashMap<>();
        for (RecordGroup g : groups) byIp.computeIfAbsent(g.sourceIp(), ip -> new ArrayList<>()).add(g);
        List<Source> sources = new ArrayList<>();
        byIp.forEach((ip, list) -> {
            Map<SourceClass, Long> byClass = new EnumMap<>(SourceClass.class);
            long messages = 0, pass = 0;
            TreeSet<String> domains = new TreeSet<>();
            Instant first = Instant.MAX, last = Instant.MIN;
            for (RecordGroup g : list) {
                byClass.merge(classifier.classify(g), g.messages(), Long::sum);
                messages += g.messages();
                if (g.dmarcPass()) pass += g.messages();
                domains.add(g.headerFrom());
                if (g.firstSeen().isBefore(first)) first = g.firstSeen();
                if (g.lastSeen().isAfter(last)) last = g.lastSeen();
            }
            SourceClass main = SourceClass.AUTHORISED;
            long most = -1;
            for (var e : byClass.entrySet()) { // EnumMap iterates in declaration order, which breaks ties
                if (e.getValue() > most) {
                    most = e.getValue();
                    main = e.getKey();
                }
            }
            sources.add(new Source(ip, main, messages, pass, List.copyOf(domains), first, last));
        });
        sources.sort(Comparator.comparingLong(Source::messages).reversed().thenComparing(Source::ip));
        return sources;
    }
}
