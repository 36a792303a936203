/**
 * Enrichment of DMARC report sources: forward-confirmed reverse DNS, the base (organisational) domain of a confirmed
 * name, and country and AS from GeoIP; each part switchable, looked up with a deadline and bounded concurrency after
 * an import's reports are stored, and cached in the store ({@link dev.sekisho.reports.enrichment.EnrichmentStore}).
 */
package dev.sekisho.reports.enrichment;
