package dev.sekisho.store;

import dev.sekisho.geo.GeoAnswer;
import dev.sekisho.reports.enrichment.EnrichmentPart;
import dev.sekisho.reports.enrichment.EnrichmentStore;
import dev.sekisho.reports.enrichment.ReverseDns;
import dev.sekisho.reports.enrichment.SourceEnrichment;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The source_enrichment table (migration 2) on the report store's connection: the SQL of enrichment, kept apart from
 * the report tables' so the two change independently. The same statements run on SQLite (3.24+) and PostgreSQL: both
 * take {@code INSERT ... ON CONFLICT (key) DO UPDATE SET column = excluded.column}.
 */
final class SourceEnrichmentTable implements EnrichmentStore {
    /** Addresses per IN (...) list when reading, well under either database's limit on parameters. */
    private static final int READ_CHUNK = 500;

    private final Connection connection;
    private final String location;
    private final Runnable requireNoImport;

    SourceEnrichmentTable(Connection connection, String location, Runnable requireNoImport) {
        this.connection = connection;
        this.location = location;
        this.requireNoImport = requireNoImport;
    }

    @Override
    public List<String> sourcesDue(Set<EnrichmentPart> parts, Instant staleBefore) {
        requireNoImport.run();
        List<String> due = new ArrayList<>();
        if (parts.isEmpty()) return due;
        List<String> conditions = new ArrayList<>();
        conditions.add("e.source_ip IS NULL");
        if (parts.contains(EnrichmentPart.DNS)) conditions.add("e.dns_checked_at IS NULL OR e.dns_checked_at < ? OR e.dns_status = 'unknown'");
        if (parts.contains(EnrichmentPart.GEO)) conditions.add("e.geo_checked_at IS NULL OR e.geo_checked_at < ?");
        String sql = "SELECT s.source_ip FROM (SELECT DISTINCT source_ip FROM aggregate_record_row) s"
                + " LEFT JOIN source_enrichment e ON e.source_ip = s.source_ip WHERE " + String.join(" OR ", conditions)
                + " ORDER BY s.source_ip";
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            int i = 0;
            if (parts.contains(EnrichmentPart.DNS)) s.setLong(++i, staleBefore.getEpochSecond());
            if (parts.contains(EnrichmentPart.GEO)) s.setLong(++i, staleBefore.getEpochSecond());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) due.add(r.getString(1));
            }
            connection.commit();
            return due;
        } catch (SQLException e) {
            throw failure("find the sources to enrich", e);
        }
    }

    @Override
    public void save(Collection<SourceEnrichment> enrichments) {
        requireNoImport.run();
        if (enrichments.isEmpty()) return;
        try (PreparedStatement dns = connection.prepareStatement("""
                INSERT INTO source_enrichment (source_ip, dns_checked_at, dns_status, dns_name, dns_detail, base_domain)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (source_ip) DO UPDATE SET dns_checked_at = excluded.dns_checked_at, dns_status = excluded.dns_status,
                    dns_name = excluded.dns_name, dns_detail = excluded.dns_detail, base_domain = excluded.base_domain""");
             PreparedStatement geo = connection.prepareStatement("""
                INSERT INTO source_enrichment (source_ip, geo_checked_at, country_status, country, asn_status, asn, as_organization)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source_ip) DO UPDATE SET geo_checked_at = excluded.geo_checked_at, country_status = excluded.country_status,
                    country = excluded.country, asn_status = excluded.asn_status, asn = excluded.asn,
                    as_organization = excluded.as_organization""")) {
            boolean anyDns = false, anyGeo = false;
            for (SourceEnrichment e : enrichments) {
                if (e.dns().isPresent()) {
                    SourceEnrichment.Dns d = e.dns().get();
                    dns.setString(1, e.ip());
                    dns.setLong(2, d.checkedAt().getEpochSecond());
                    dns.setString(3, d.reverseDns().word());
                    text(dns, 4, d.reverseDns().ptrName());
                    text(dns, 5, d.reverseDns() instanceof ReverseDns.Unknown u ? Optional.of(u.reason()) : Optional.empty());
                    text(dns, 6, d.baseDomain());
                    dns.addBatch();
                    anyDns = true;
                }
                if (e.geo().isPresent()) {
                    SourceEnrichment.Geo g = e.geo().get();
                    GeoAnswer a = g.answer();
                    geo.setString(1, e.ip());
                    geo.setLong(2, g.checkedAt().getEpochSecond());
                    geo.setString(3, word(a.countryStatus()));
                    text(geo, 4, a.country());
                    geo.setString(5, word(a.asStatus()));
                    if (a.asn().isPresent()) geo.setLong(6, a.asn().get());
                    else geo.setNull(6, Types.BIGINT);
                    text(geo, 7, a.asOrganization());
                    geo.addBatch();
                    anyGeo = true;
                }
            }
            if (anyDns) dns.executeBatch();
            if (anyGeo) geo.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw failure("save source enrichments", e);
        }
    }

    @Override
    public Map<String, SourceEnrichment> find(Collection<String> ips) {
        requireNoImport.run();
        Map<String, SourceEnrichment> found = new LinkedHashMap<>();
        List<String> all = List.copyOf(ips);
        try {
            for (int from = 0; from < all.size(); from += READ_CHUNK) {
                List<String> chunk = all.subList(from, Math.min(all.size(), from + READ_CHUNK));
                String sql = """
                        SELECT source_ip, dns_checked_at, dns_status, dns_name, dns_detail, base_domain,
                            geo_checked_at, country_status, country, asn_status, asn, as_organization
                        FROM source_enrichment WHERE source_ip IN (""" + "?,".repeat(chunk.size() - 1) + "?)";
                try (PreparedStatement s = connection.prepareStatement(sql)) {
                    for (int i = 0; i < chunk.size(); i++) s.setString(i + 1, chunk.get(i));
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) found.put(r.getString(1), read(r));
                    }
                }
            }
            connection.commit();
            return found;
        } catch (SQLException e) {
            throw failure("read source enrichments", e);
        }
    }

    private static SourceEnrichment read(ResultSet r) throws SQLException {
        Optional<SourceEnrichment.Dns> dns = Optional.empty();
        long dnsAt = r.getLong(2);
        if (!r.wasNull()) {
            ReverseDns outcome = ReverseDns.fromStored(r.getString(3), optional(r, 4), optional(r, 5));
            dns = Optional.of(new SourceEnrichment.Dns(outcome, optional(r, 6), Instant.ofEpochSecond(dnsAt)));
        }
        Optional<SourceEnrichment.Geo> geo = Optional.empty();
        long geoAt = r.getLong(7);
        if (!r.wasNull()) {
            long asn = r.getLong(11);
            Optional<Long> asNumber = r.wasNull() ? Optional.empty() : Optional.of(asn);
            GeoAnswer answer = new GeoAnswer(status(r.getString(8)), optional(r, 9), status(r.getString(10)), asNumber, optional(r, 12));
            geo = Optional.of(new SourceEnrichment.Geo(answer, Instant.ofEpochSecond(geoAt)));
        }
        return new SourceEnrichment(r.getString(1), dns, geo);
    }

    private static String word(GeoAnswer.Status status) {
        return status.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static GeoAnswer.Status status(String word) {
        return GeoAnswer.Status.valueOf(word.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    private static void text(PreparedStatement s, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) s.setString(index, value.get());
        else s.setNull(index, Types.VARCHAR);
    }

    private static Optional<String> optional(ResultSet r, int column) throws SQLException {
        return Optional.ofNullable(r.getString(column));
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException("cannot " + what + " in " + location + ": " + e.getMessage(), e);
    }
}
