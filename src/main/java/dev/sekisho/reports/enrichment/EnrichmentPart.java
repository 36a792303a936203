package dev.sekisho.reports.enrichment;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The parts of source enrichment, each switched on or off on its own. */
public enum EnrichmentPart {
    /** Forward-confirmed reverse DNS, and the base domain of a confirmed name. */
    DNS,
    /** Country and AS from the GeoIP databases. */
    GEO;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "dns,geo", "dns", "geo", or "none"; a word that is none of these is an error naming it. */
    public static Set<EnrichmentPart> parse(String text) {
        EnumSet<EnrichmentPart> parts = EnumSet.noneOf(EnrichmentPart.class);
        for (String word : text.split(",")) {
            String w = word.strip().toLowerCase(Locale.ROOT);
            if (w.isEmpty() || w.equals("none")) continue;
            switch (w) {
                case "dns" -> parts.add(DNS);
                case "geo" -> parts.add(GEO);
                default -> throw new IllegalArgumentException("not an enrichment part: '" + word.strip() + "' (dns, geo, or none)");
            }
        }
        return parts;
    }
}
