-- Version 2: what enrichment found about each source address of aggregate records (reports.enrichment), cached so
-- that an address looked up recently is not looked up again. One row per address; each part (reverse DNS, GeoIP)
-- has its own time and is NULL until looked up. Times are seconds since the epoch (UTC).

CREATE TABLE source_enrichment (
    source_ip           TEXT    PRIMARY KEY,
    dns_checked_at      BIGINT,
    dns_status          TEXT,
    dns_name            TEXT,
    dns_detail          TEXT,
    base_domain         TEXT,
    geo_checked_at      BIGINT,
    country_status      TEXT,
    country             TEXT,
    asn_status          TEXT,
    asn                 BIGINT,
    as_organization     TEXT
);
