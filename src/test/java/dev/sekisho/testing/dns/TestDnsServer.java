package dev.sekisho.testing.dns;

import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An authoritative-for-everything DNS server on 127.0.0.1 (UDP and TCP on one ephemeral port) that
 * serves a {@link Zone}, built from real DNS messages with dnsjava. It follows CNAME chains inside its
 * data like an authoritative server, sends an SOA with negative answers, truncates UDP answers that do
 * not fit (or that the zone says to), drops or fails queries the zone says to, and counts every query
 * it receives per name, type and transport.
 */
public final class TestDnsServer implements AutoCloseable {
    public enum Transport {UDP, TCP}

    private static final Name SOA_OWNER = Zone.name("test");
    private static final int MAX_CHAIN = 16;

    private final Zone zone;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TestDnsServer(Zone zone, DatagramSocket udp, ServerSocket tcp) {
        this.zone = zone;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Starts serving the zone; the port is picked by the system and the same for UDP and TCP. */
    public static TestDnsServer start(Zone zone) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int attempt = 0; ; attempt++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            ServerSocket tcp = new ServerSocket();
            try {
                tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()));
            } catch (IOException taken) {
                // The UDP port's TCP twin is in use: try another pair.
                udp.close();
                tcp.close();
                if (attempt == 20) throw taken;
                continue;
            }
            TestDnsServer server = new TestDnsServer(zone, udp, tcp);
            Thread.ofVirtual().name("test-dns-udp").start(server::serveUdp);
            Thread.ofVirtual().name("test-dns-tcp").start(server::serveTcp);
            return server;
        }
    }

    /**
     * Starts serving the zone on this address and port (UDP and TCP), e.g. one of several servers on
     * 127.0.0.2, 127.0.0.3... that share a port; a port taken on either transport is an IOException.
     */
    public static TestDnsServer start(Zone zone, InetAddress address, int port) throws IOException {
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port));
        ServerSocket tcp = new ServerSocket();
        try {
            tcp.bind(new InetSocketAddress(address, udp.getLocalPort()));
        } catch (IOException taken) {
            udp.close();
            tcp.close();
            throw taken;
        }
        TestDnsServer server = new TestDnsServer(zone, udp, tcp);
        Thread.ofVirtual().name("test-dns-udp").start(server::serveUdp);
        Thread.ofVirtual().name("test-dns-tcp").start(server::serveTcp);
        return server;
    }

    public Zone zone() {
        return zone;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    /** {@code 127.0.0.1:PORT}, as a {@code --resolver} option takes it. */
    public String hostPort() {
        return "127.0.0.1:" + udp.getLocalPort();
    }

    /** Queries received for this name and type over both transports. */
    public int queries(String name, int type) {
        return queries(name, type, Transport.UDP) + queries(name, type, Transport.TCP);
    }

    public int queries(String name, int type, Transport transport) {
        AtomicInteger count = counts.get(countKey(Zone.canonical(name), type, transport));
        return count == null ? 0 : count.get();
    }

    public int totalQueries() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public void resetCounts() {
        counts.clear();
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---- transports ----------------------------------------------------------------------------

    private void serveUdp() {
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(new byte[65535], 65535);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            byte[] query = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
            var client = packet.getSocketAddress();
            Thread.ofVirtual().start(() -> {
                byte[] reply = answer(query, Transport.UDP);
                if (reply == null) return;
                try {
                    udp.send(new DatagramPacket(reply, reply.length, client));
                } catch (IOException ignored) {
                    // the client went away
                }
            });
        }
    }

    private void serveTcp() {
        while (!closed) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            connections.add(socket);
            Thread.ofVirtual().start(() -> serveConnection(socket));
        }
    }

    private void serveConnection(Socket socket) {
        try (socket; DataInputStream in = new DataInputStream(socket.getInputStream());
             DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
            while (true) {
                int length = in.readUnsignedShort(); // RFC 1035 4.2.2: two-octet length prefix
                byte[] query = in.readNBytes(length);
                if (query.length < length) return;
                byte[] reply = answer(query, Transport.TCP);
                if (reply == null) continue; // dropped: say nothing, keep the connection
                synchronized (out) {
                    out.writeShort(reply.length);
                    out.write(reply);
                    out.flush();
                }
            }
        } catch (EOFException | SocketException e) {
            // client closed the connection
        } catch (IOException e) {
            // a broken connection ends it
        } finally {
            connections.remove(socket);
        }
    }

    // ---- answering -----------------------------------------------------------------------------

    /** The reply's wire form, or null to stay silent. */
    private byte[] answer(byte[] wire, Transport transport) {
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            return null; // not DNS: ignore, as servers do
        }
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) response.getHeader().setFlag(Flags.RD);
        response.getHeader().setFlag(Flags.RA);
        if (question == null || query.getHeader().getOpcode() != Opcode.QUERY) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response.toWire();
        }
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        int type = question.getType();
        counts.computeIfAbsent(countKey(Zone.key(name), type, transport), k -> new AtomicInteger()).incrementAndGet();

        if (zone.drops(name, type)) return null;
        if (zone.fails(name, type)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response.toWire();
        }
        if (transport == Transport.UDP && zone.truncates(name)) {
            response.getHeader().setFlag(Flags.TC);
            return response.toWire();
        }
        if (zone.refuses(name, type)) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return response.toWire();
        }
        if (zone.authoritative()) response.getHeader().setFlag(Flags.AA);
        resolve(response, name, type);
        OPTRecord opt = query.getOPT();
        int limit = transport == Transport.TCP ? 65535 : opt != null ? Math.max(512, opt.getPayloadSize()) : 512;
        return response.toWire(limit); // sets TC and drops what does not fit
    }

    private void resolve(Message response, Name name, int type) {
        Set<Name> seen = new HashSet<>();
        Name current = name;
        for (int hop = 0; hop < MAX_CHAIN; hop++) {
            var here = zone.recordsAt(current);
            boolean found = false;
            for (Record r : here) {
                if (r.getType() == type || type == Type.ANY) {
                    response.addRecord(r.withName(current), Section.ANSWER);
                    found = true;
                }
            }
            if (found) return;
            CNAMERecord alias = here.stream().filter(CNAMERecord.class::isInstance).map(CNAMERecord.class::cast).findFirst().orElse(null);
            if (alias != null) {
                response.addRecord(alias, Section.ANSWER);
                if (!seen.add(current) || zone.drops(alias.getTarget(), type) || zone.fails(alias.getTarget(), type)) return;
                current = alias.getTarget();
                continue;
            }
            if (!zone.exists(current)) response.getHeader().setRcode(Rcode.NXDOMAIN);
            if (!zone.soaInNegativeAnswers()) return;
            long negative = zone.negativeTtlSeconds();
            response.addRecord(new SOARecord(SOA_OWNER, DClass.IN, negative, Zone.name("ns.test"), Zone.name("hostmaster.test"), 1,
                    3600, 600, 86400, negative), Section.AUTHORITY);
            return;
        }
    }

    private static String countKey(String name, int type, Transport transport) {
        return name + "/" + Type.string(type) + "/" + transport;
    }
}
