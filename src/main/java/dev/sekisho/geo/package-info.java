/**
 * Country and autonomous system of an IP address, from MaxMind-format (MMDB) databases read with MaxMind's own
 * reader: a country (or city) database and an optional separate ASN database, each re-opened when its file changes.
 * Without a database every answer says so ({@link dev.sekisho.geo.GeoAnswer.Status#NO_DATABASE}).
 */
package dev.sekisho.geo;
