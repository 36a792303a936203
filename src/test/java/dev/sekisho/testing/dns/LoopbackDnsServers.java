package dev.sekisho.testing.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several {@link TestDnsServer}s, one per loopback address (127.0.0.2, 127.0.0.3...), all on one port
 * that is free on every address, as authoritative servers of a zone are all on port 53. Linux routes
 * the whole of 127.0.0.0/8 to the loopback interface, so each address is a separate server to a client.
 */
public final class LoopbackDnsServers implements AutoCloseable {
    private static final int ATTEMPTS = 20;

    private final Map<String, TestDnsServer> servers;
    private final int port;

    private LoopbackDnsServers(Map<String, TestDnsServer> servers, int port) {
        this.servers = servers;
        this.port = port;
    }

    /** Starts one server per address (an IP literal) with its zone, all on one ephemeral port. */
    public static LoopbackDnsServers start(Map<String, Zone> zonesByAddress) throws IOException {
        if (zonesByAddress.isEmpty()) throw new IllegalArgumentException("no addresses to serve on");
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Map<String, TestDnsServer> started = new LinkedHashMap<>();
            int port = 0;
            try {
                for (Map.Entry<String, Zone> entry : zonesByAddress.entrySet()) {
                    TestDnsServer server = TestDnsServer.start(entry.getValue(), InetAddress.getByName(entry.getKey()), port);
                    started.put(entry.getKey(), server);
                    port = server.address().getPort();
                }
                return new LoopbackDnsServers(started, port);
            } catch (IOException taken) {
                // The port the first address got is in use on another address: close all and try another port.
                started.values().forEach(TestDnsServer::close);
                last = taken;
            }
        }
        throw last;
    }

    /** The port every server listens on (UDP and TCP). */
    public int port() {
        return port;
    }

    public TestDnsServer server(String address) {
        TestDnsServer server = servers.get(address);
        if (server == null) throw new IllegalArgumentException("no server on " + address + "; serving on " + servers.keySet());
        return server;
    }

    public List<TestDnsServer> all() {
        return new ArrayList<>(servers.values());
    }

    @Override
    public void close() {
        servers.values().forEach(TestDnsServer::close);
    }
}
