package dev.sekisho.postfix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sekisho.engine.Action;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One loop on its own, with an owner that can fail where the server's never should. */
class PolicyEventLoopTest {

    private static final String REQUEST = PolicyRequestTest.minimal("RCPT", "192.0.2.1") + "\n";

    private final AtomicInteger ended = new AtomicInteger();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private ServerSocketChannel listener;
    private PolicyEventLoop loop;
    private Thread loopThread;

    /** Answers DUNNO; its protocol-error count throws an Error while failuresLeft lasts, outside any connection's handling. */
    private final PolicyEventLoop.Owner owner = new PolicyEventLoop.Owner() {
        @Override
        public Action decide(PolicyRequest request, String remote) {
            return Action.DUNNO;
        }

        @Override
        public void beforeAnswering() {
        }

        @Override
        public void answered() {
        }

        @Override
        public void protocolError() {
            if (failuresLeft.getAndDecrement() > 0) throw new AssertionError("a bug in the server");
        }

        @Override
        public void connectionEnded() {
            ended.incrementAndGet();
        }
    };

    private Socket connect() throws Exception {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        client.setSoTimeout(10_000);
        SocketChannel accepted = listener.accept();
        accepted.configureBlocking(false);
        loop.adopt(accepted);
        return client;
    }

    private void start() throws Exception {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        loop = new PolicyEventLoop(owner, PolicyServerLimits.DEFAULTS, System::nanoTime);
        loopThread = Thread.ofPlatform().daemon().start(loop);
    }

    @AfterEach
    void stop() throws Exception {
        if (loop != null) loop.shutdown();
        if (loopThread != null) loopThread.join(5_000);
        if (listener != null) listener.close();
    }

    private static String reply(Socket client) throws Exception {
        InputStream in = client.getInputStream();
        byte[] bytes = new byte["action=DUNNO\n\n".length()];
        int read = in.readNBytes(bytes, 0, bytes.length);
        return new String(bytes, 0, read, StandardCharsets.US_ASCII);
    }

    @Test
    void aFailureOutsideAnyConnectionsHandlingLeavesTheLoopServing() throws Exception {
        start();
        failuresLeft.set(1);
        try (Socket broken = connect()) {
            broken.getOutputStream().write("no equals sign\n".getBytes(StandardCharsets.US_ASCII));
            try (Socket next = connect()) {
                next.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
                assertThat(reply(next)).isEqualTo("action=DUNNO\n\n");
            }
        }
        assertThat(loop.serving()).isTrue();
        assertThat(loopThread.isAlive()).isTrue();
    }

    @Test
    void aLoopThatEndedTakesNoConnectionsAndClosesTheOnesItHad() throws Exception {
        start();
        try (Socket client = connect()) {
            client.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            assertThat(reply(client)).isEqualTo("action=DUNNO\n\n");
            loop.shutdown();
            loopThread.join(5_000);

            assertThat(loop.serving()).isFalse();
            assertThat(client.getInputStream().read()).as("closed by the loop on its way out").isEqualTo(-1);
            assertThat(ended.get()).isEqualTo(1);
            assertThat(loop.connectionCount()).isZero();
        }
    }
}
