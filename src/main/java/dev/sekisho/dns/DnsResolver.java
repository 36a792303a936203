package dev.sekisho.dns;

/**
 * Looks up one name and type. Synchronous and bounded by a deadline, so it is meant to be called
 * from virtual threads; implementations are thread safe. Never throws for anything the network or
 * the servers do: every such fault is a {@link DnsOutcome}. A name that cannot be a DNS name
 * (see {@link DnsNames#problem(String)}) is the caller's error and throws IllegalArgumentException.
 */
public interface DnsResolver {

    DnsOutcome lookup(String name, RecordType type);
}
