/**
 * DMARC records (RFC 7489 and DMARCbis, RFC 9989): parsing and validating a record
 * ({@link dev.sekisho.dmarc.DmarcRecord#parse(String)}, with {@link dev.sekisho.dmarc.Finding}s),
 * fetching it from the DNS ({@link dev.sekisho.dmarc.DmarcDiscovery}), the organisational domain
 * by the Public Suffix List or by the DNS tree walk ({@link dev.sekisho.dmarc.OrganizationalDomain}),
 * identifier alignment ({@link dev.sekisho.dmarc.IdentifierAlignment}) and the authorisation of
 * external report destinations ({@link dev.sekisho.dmarc.ExternalDestination}).
 *
 * <p>The package does no DNS itself: every lookup goes through {@link dev.sekisho.dmarc.TxtLookup},
 * whose answers keep "no record", "no such domain" and "temporary failure" apart.
 */
package dev.sekisho.dmarc;
