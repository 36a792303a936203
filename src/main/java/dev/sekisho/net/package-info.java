/**
 * Network endpoints as operators write them: {@link dev.sekisho.net.HostPort} reads the one
 * {@code HOST[:PORT]} syntax that listeners, resolvers, load-generator targets and IMAP servers share.
 */
package dev.sekisho.net;
