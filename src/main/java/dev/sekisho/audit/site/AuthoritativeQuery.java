package dev.sekisho.audit.site;

import dev.sekisho.dns.RecordType;
import dev.sekisho.engine.AddressText;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One question put straight to one authoritative server, not to a recursive resolver: RD clear
 * (RFC 1034 4.3.1), so the server must answer from its own data and say with AA whether it is an
 * authority for it. UDP first, TCP when the answer is truncated (RFC 1035 4.2.1, done by dnsjava's
 * SimpleResolver), all within one deadline.
 */
final class AuthoritativeQuery {

    /** What a server did with one question. */
    sealed interface Reply {
    }

    /** An answer: its RCODE, its AA bit and the records of the type asked for at the name asked for. */
    record Response(int rcode, boolean authoritative, List<Record> records) implements Reply {
        String rcodeName() {
            return Rcode.string(rcode);
        }
    }

    /** No answer within the deadline, or a network error on the way to the server (ICMP unreachable, reset). */
    record NoResponse(String detail) implements Reply {
    }

    /** This host cannot send to that address at all (e.g. no IPv6 route here): says nothing about the server. */
    record LocalFailure(String detail) implements Reply {
    }

    private AuthoritativeQuery() {
    }

    static Reply ask(InetSocketAddress server, String name, RecordType type, Duration timeout) {
        Name owner;
        try {
            owner = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + name, e);
        }
        Message query = Message.newQuery(Record.newRecord(owner, type.code(), DClass.IN));
        query.getHeader().unsetFlag(Flags.RD); // RFC 1034 4.3.1: no recursion, the server's own data only
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTimeout(timeout);
        CompletableFuture<Message> pending = resolver.sendAsync(query).toCompletableFuture();
        try {
            Message response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            List<Record> records = response.getSection(Section.ANSWER).stream()
                    .filter(r -> r.getType() == type.code() && r.getName().equals(owner)).toList();
            return new Response(response.getRcode(), response.getHeader().getFlag(Flags.AA), records);
        } catch (TimeoutException e) {
            return noAnswerWithin(timeout);
        } catch (ExecutionException e) {
            return failure(e.getCause(), timeout, server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LocalFailure("interrupted");
        } finally {
            pending.cancel(true);
        }
    }

    private static Reply failure(Throwable cause, Duration timeout, InetSocketAddress server) {
        if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException) return noAnswerWithin(timeout);
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (isLocal(message)) return new LocalFailure("cannot send to " + AddressText.of(server) + " from here: " + message);
        // ICMP port unreachable (RFC 1122 3.2.2.1): the host is there, no DNS server listens on the port.
        if (cause instanceof PortUnreachableException) return new NoResponse("no answer (port unreachable)");
        if (cause instanceof IOException) return new NoResponse("no answer (" + message + ")");
        return new NoResponse("no usable answer (" + cause + ")");
    }

    private static NoResponse noAnswerWithin(Duration timeout) {
        return new NoResponse("no answer within " + timeout.toMillis() + " ms");
    }

    /** Errors that mean this host has no way to that address family or network, not that the server is down. */
    static boolean isLocal(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("network is unreachable") || m.contains("protocol family unavailable")
                || m.contains("address family not supported") || m.contains("cannot assign requested address");
    }
}
