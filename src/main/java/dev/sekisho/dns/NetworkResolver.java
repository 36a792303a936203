package dev.sekisho.dns;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.SPFRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.WireParseException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks recursive resolvers over the network through dnsjava: UDP first, TCP when the UDP answer is
 * truncated (dnsjava's SimpleResolver retries over TCP on the TC bit), the servers in order until one
 * answers, all within one deadline per lookup, with at most {@code maxInFlight} queries on the wire.
 * CNAME chains are followed (RFC 1034 3.6.2) up to {@code maxCnameHops} aliases, loops are failures.
 */
public final class NetworkResolver implements DnsResolver {

    /**
     * How to reach the resolvers. {@code timeout} is the deadline of one lookup, including CNAME
     * chasing and every server tried.
     */
    public record Settings(List<InetSocketAddress> servers, Duration timeout, int maxInFlight, int maxCnameHops) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
        public static final int DEFAULT_MAX_IN_FLIGHT = 256;
        public static final int DEFAULT_MAX_CNAME_HOPS = 8;

        public Settings {
            servers = List.copyOf(servers);
            if (servers.isEmpty()) throw new IllegalArgumentException("at least one resolver is needed");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
            if (maxCnameHops < 0) throw new IllegalArgumentException("maxCnameHops must not be negative, was " + maxCnameHops);
        }

        /** The given resolvers ({@code HOST[:PORT]} each) with the default limits. */
        public static Settings of(List<String> hostPorts) {
            return new Settings(hostPorts.stream().map(ResolverAddress::parse).toList(), DEFAULT_TIMEOUT, DEFAULT_MAX_IN_FLIGHT,
                    DEFAULT_MAX_CNAME_HOPS);
        }

        /** The system's resolvers (/etc/resolv.conf, as dnsjava reads it) with the default limits. */
        public static Settings system() {
            List<InetSocketAddress> servers = ResolverConfig.getCurrentConfig().servers();
            if (servers.isEmpty()) throw new IllegalStateException("the system names no DNS resolver (/etc/resolv.conf has no nameserver)");
            return new Settings(servers, DEFAULT_TIMEOUT, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_CNAME_HOPS);
        }

        public Settings withTimeout(Duration timeout) {
            return new Settings(servers, timeout, maxInFlight, maxCnameHops);
        }

        public Settings withMaxInFlight(int maxInFlight) {
            return new Settings(servers, timeout, maxInFlight, maxCnameHops);
        }
    }

    private final Settings settings;
    private final List<SimpleResolver> servers;
    private final Semaphore inFlight;

    public NetworkResolver(Settings settings) {
        this.settings = settings;
        this.servers = settings.servers().stream().map(address -> {
            SimpleResolver resolver = new SimpleResolver(address);
            resolver.setTimeout(settings.timeout());
            return resolver;
        }).toList();
        this.inFlight = new Semaphore(settings.maxInFlight());
    }

    public Settings settings() {
        return settings;
    }

    /** Queries on the wire now (for metrics, and for tests of the bound). */
    public int queriesInFlight() {
        return settings.maxInFlight() - inFlight.availablePermits();
    }

    /** Lookups waiting for a free slot now. */
    public int lookupsWaitingForSlot() {
        return inFlight.getQueueLength();
    }

    @Override
    public DnsOutcome lookup(String name, RecordType type) {
        Name first = DnsNames.toName(name);
        String asked = DnsNames.withoutFinalDot(name);
        long started = System.nanoTime();
        long deadline = started + settings.timeout().toNanos();
        List<String> chain = new ArrayList<>();
        Set<Name> seen = new HashSet<>();
        seen.add(first);
        Name current = first;
        long ttl = Long.MAX_VALUE;
        while (true) {
            Exchange exchange = exchange(current, type, deadline);
            if (exchange.failure != null) return exchange.failure.withName(asked, type, Duration.ofNanos(System.nanoTime() - started));
            Message response = exchange.response;
            int rcode = response.getRcode();
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                return new DnsOutcome.ServerFailure(asked, type, Rcode.string(rcode) + " from " + exchange.server);
            }
            List<Record> answer = response.getSection(Section.ANSWER);
            boolean aliasedHere = false;
            // RFC 1034 3.6.2: follow the aliases the server included, then look for the data at the end of the chain.
            for (Optional<CNAMERecord> alias = alias(answer, current); alias.isPresent() && type != RecordType.CNAME;
                 alias = alias(answer, current)) {
                Name target = alias.get().getTarget();
                chain.add(DnsNames.text(current));
                ttl = Math.min(ttl, alias.get().getTTL());
                if (!seen.add(target)) return new DnsOutcome.ServerFailure(asked, type, "CNAME loop at " + DnsNames.text(target));
                if (chain.size() > settings.maxCnameHops()) {
                    return new DnsOutcome.ServerFailure(asked, type, "CNAME chain longer than " + settings.maxCnameHops());
                }
                current = target;
                aliasedHere = true;
            }
            List<DnsRecord> records = new ArrayList<>();
            for (Record record : answer) {
                if (record.getType() == type.code() && record.getName().equals(current)) {
                    Optional<DnsRecord> decoded = decode(record);
                    if (decoded.isEmpty()) {
                        return new DnsOutcome.ServerFailure(asked, type, "undecodable " + type + " record from " + exchange.server);
                    }
                    records.add(decoded.get());
                    ttl = Math.min(ttl, record.getTTL());
                }
            }
            if (!records.isEmpty()) {
                return new DnsOutcome.Answer(asked, type, records, Duration.ofSeconds(ttl), DnsNames.text(current), chain);
            }
            Optional<SOARecord> soa = response.getSection(Section.AUTHORITY).stream()
                    .filter(SOARecord.class::isInstance).map(SOARecord.class::cast).findFirst();
            // RFC 2308 5: a negative answer lives for min(SOA TTL, SOA MINIMUM); without an SOA it is not cached.
            Duration negativeTtl = soa.map(s -> Duration.ofSeconds(Math.min(s.getTTL(), s.getMinimum()))).orElse(Duration.ZERO);
            if (rcode == Rcode.NXDOMAIN) {
                // RFC 6604 3: after aliases, NXDOMAIN speaks of the last name in the chain, so the asked name has no data.
                return new DnsOutcome.NoSuchDomain(asked, type, negativeTtl);
            }
            if (aliasedHere && soa.isEmpty()) {
                // The server gave the alias but not the target's data (e.g. another zone's name): ask about the target.
                continue;
            }
            return new DnsOutcome.NoData(asked, type, negativeTtl);
        }
    }

    private static Optional<CNAMERecord> alias(List<Record> answer, Name owner) {
        return answer.stream().filter(CNAMERecord.class::isInstance).map(CNAMERecord.class::cast)
                .filter(r -> r.getName().equals(owner)).findFirst();
    }

    private static Optional<DnsRecord> decode(Record record) {
        return Optional.ofNullable(switch (record) {
            case ARecord a -> new DnsRecord.Address(a.getAddress());
            case AAAARecord aaaa -> new DnsRecord.Address(aaaa.getAddress());
            case MXRecord mx -> new DnsRecord.Mx(mx.getPriority(), DnsNames.text(mx.getTarget()));
            case TXTRecord txt -> DnsRecord.Txt.fromBytes(txt.getStringsAsByteArrays());
            case SPFRecord spf -> DnsRecord.Txt.fromBytes(spf.getStringsAsByteArrays()); // type 99, same rdata as TXT
            case PTRRecord ptr -> new DnsRecord.Ptr(DnsNames.text(ptr.getTarget()));
            case CNAMERecord cname -> new DnsRecord.Cname(DnsNames.text(cname.getTarget()));
            case NSRecord ns -> new DnsRecord.Ns(DnsNames.text(ns.getTarget()));
            case SOARecord soa -> new DnsRecord.Soa(DnsNames.text(soa.getHost()), DnsNames.text(soa.getAdmin()), soa.getSerial(),
                    soa.getMinimum());
            default -> null;
        });
    }

    /** One question put to the servers in order: a response, or why there is none. */
    private record Exchange(Message response, String server, Failure failure) {
    }

    /** A failure before the name is known to the caller's outcome; turned into an outcome by {@link #withName}. */
    private record Failure(boolean timedOut, String reason) {
        DnsOutcome withName(String name, RecordType type, Duration waited) {
            return timedOut ? new DnsOutcome.Timeout(name, type, waited) : new DnsOutcome.ServerFailure(name, type, reason);
        }
    }

    private Exchange exchange(Name name, RecordType type, long deadline) {
        Message query = Message.newQuery(Record.newRecord(name, type.code(), DClass.IN));
        Failure last = null;
        Message lastError = null;
        String lastErrorServer = null;
        for (int i = 0; i < servers.size(); i++) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) break;
            // Share what is left of the deadline among the servers still to try, so a dead first server leaves time for the next.
            long attempt = remaining / (servers.size() - i);
            SimpleResolver server = servers.get(i);
            String serverText = ResolverAddress.format(server.getAddress());
            long started = System.nanoTime();
            try {
                if (!inFlight.tryAcquire(attempt, TimeUnit.NANOSECONDS)) {
                    last = new Failure(true, "too many queries in flight");
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Exchange(null, serverText, new Failure(false, "interrupted"));
            }
            CompletableFuture<Message> pending = null;
            try {
                pending = server.sendAsync(query.clone()).toCompletableFuture();
                long left = attempt - (System.nanoTime() - started);
                Message response = pending.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
                int rcode = response.getRcode();
                if ((rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED) && i + 1 < servers.size()) {
                    lastError = response;
                    lastErrorServer = serverText;
                    continue; // another server may answer
                }
                if (response.getHeader().getFlag(Flags.TC)) {
                    last = new Failure(false, "truncated answer from " + serverText + " even over TCP");
                    continue;
                }
                return new Exchange(response, serverText, null);
            } catch (TimeoutException e) {
                last = new Failure(true, "no answer from " + serverText);
            } catch (ExecutionException e) {
                last = failure(e.getCause(), serverText);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Exchange(null, serverText, new Failure(false, "interrupted"));
            } catch (RuntimeException e) {
                last = new Failure(false, "query to " + serverText + " failed: " + e);
            } finally {
                if (pending != null) pending.cancel(true);
                inFlight.release();
            }
        }
        if (lastError != null) return new Exchange(lastError, lastErrorServer, null);
        if (last == null) last = new Failure(true, "deadline passed");
        return new Exchange(null, null, last);
    }

    private Failure failure(Throwable cause, String server) {
        if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException) {
            return new Failure(true, "no answer from " + server);
        }
        if (cause instanceof WireParseException) {
            return new Failure(false, "malformed answer from " + server + ": " + cause.getMessage());
        }
        if (cause instanceof IOException) {
            return new Failure(false, "network error talking to " + server + ": " + cause.getMessage());
        }
        return new Failure(false, "query to " + server + " failed: " + cause);
    }
}
