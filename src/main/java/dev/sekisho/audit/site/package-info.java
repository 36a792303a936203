/**
 * Sender site health (seed 003): is a sender's mail and DNS site well run? {@link dev.sekisho.audit.site.SiteInspector}
 * inspects one domain or host name: every authoritative server asked directly (lame delegations, RFC 1912 2.8),
 * the SOA MNAME (RFC 1035 3.3.13), agreement between the servers (RFC 1034 4.2.1), the MX hosts (address, SMTP
 * connect, RFC 5321) and every published address against the IANA special-purpose registries
 * ({@link dev.sekisho.audit.SpecialPurposeAddressRegistry}, RFC 6890). The result is a
 * {@link dev.sekisho.audit.site.SiteVerdict}: well run, broken with {@link dev.sekisho.audit.site.Reason}s and their
 * evidence, or undetermined when our own lookups failed. {@link dev.sekisho.audit.site.SiteJudge} caches verdicts for
 * the engine. Recursive lookups go through {@link dev.sekisho.dns.DnsResolver}, so temporary failures stay apart from
 * "no record". docs/audit-site.md describes the checks and their Zonemaster equivalents.
 */
package dev.sekisho.audit.site;
