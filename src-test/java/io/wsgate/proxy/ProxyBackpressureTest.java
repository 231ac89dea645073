package io.wsgate.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A peer that stops reading must not make the gateway buffer without bound. The bound per direction is
 * HIGH_WATER + MAX_READ + one message (the route caps below), checked on the gateway's own outbound buffers.
 */
class ProxyBackpressureTest {
    static final int MAX_MESSAGE = 16 * 1024;
    static final int MAX_UPSTREAM_MESSAGE = 16 * 1024;
    /** Frame headers and masking add a few bytes per frame; 4 KiB of slack covers them. */
    static final long BOUND_TO_CLIENT = ProxyServer.HIGH_WATER + ProxyServer.MAX_READ + MAX_UPSTREAM_MESSAGE + 4096;
    static final Duration HELD_BACK = Duration.ofSeconds(1);
    static final long BOUND_TO_UPSTREAM = ProxyServer.HIGH_WATER + ProxyServer.MAX_READ + MAX_MESSAGE + 4096;

    private DemoUpstream up;
    private Harness gw;

    @BeforeEach
    void start() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().pingInterval(Duration.ZERO)
                .route("/echo", Harness.target(up, "/echo"))
                .maxMessageBytes(MAX_MESSAGE).maxUpstreamMessageBytes(MAX_UPSTREAM_MESSAGE).build());
    }

    @AfterEach
    void stop() {
        gw.close();
        up.close();
    }

    private Relay onlyRelay() {
        assertThat(gw.proxy.relays()).hasSize(1);
        return gw.proxy.relays().iterator().next();
    }

    private static long pending(Channel ch) throws Exception {
        return ch.eventLoop().submit(() -> {
            ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
            return b == null ? 0L : b.totalPendingWriteBytes();
        }).get();
    }

    /**
     * Writes from {@code writer} until it has been held back for {@link #HELD_BACK} in a row (backpressure reached
     * the sender: the gateway stopped reading it), or {@code max} frames, or {@code time}, sampling the gateway's
     * buffer toward the slow side. Returns {worst pending bytes, frames sent, 1 if held back}. Loopback kernel
     * buffers absorb megabytes first, more or fewer with the machine's load, so no fixed duration decides; the
     * gateway may hold the sender back with less than a high-water mark pending (it reads the next message only
     * when the last write completed), so its side's writability is not what is asserted.
     */
    private static long[] flood(Channel writer, Function<Integer, Object> frame, int max, Duration time,
                                Channel watched) throws Exception {
        long deadline = System.nanoTime() + time.toNanos();
        long worst = 0;
        int sent = 0;
        long blockedSince = 0;
        boolean heldBack = false;
        while (sent < max && System.nanoTime() < deadline) {
            if (writer.isWritable()) {
                writer.writeAndFlush(frame.apply(sent));
                sent++;
                blockedSince = 0;
            } else {
                long now = System.nanoTime();
                if (blockedSince == 0) {
                    blockedSince = now;
                } else if (now - blockedSince >= HELD_BACK.toNanos()) {
                    heldBack = true;
                    break;
                }
                Thread.sleep(5);
            }
            if (sent % 16 == 0) {
                worst = Math.max(worst, pending(watched));
            }
        }
        worst = Math.max(worst, pending(watched));
        return new long[]{worst, sent, heldBack ? 1 : 0};
    }

    @Test
    void upstreamFloodTowardANonReadingClientStaysBounded() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("hi");
            c.next();
            Relay relay = onlyRelay();
            c.pauseReading();
            byte[] chunk = new byte[16 * 1024];
            long[] r = flood(up.lastChannel(), i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(chunk)), 4096,
                    Duration.ofSeconds(10), relay.client());
            long worst = r[0];
            int sent = (int) r[1];
            // the gateway stopped reading the upstream long before the upstream ran out of frames to send
            assertThat(sent).isGreaterThan(64);
            assertThat(worst).as("gateway bytes pending toward the client").isLessThanOrEqualTo(BOUND_TO_CLIENT);
            assertThat(r[2]).as("the upstream's writes were held back: the gateway stopped reading it").isEqualTo(1);

            // nothing was lost: once the client reads, every frame arrives in order
            c.resumeReading();
            for (int i = 0; i < sent; i++) {
                WsTestClient.Frame f = c.next(Duration.ofSeconds(10));
                assertThat(f.data()).hasSize(chunk.length);
            }
        }
    }

    @Test
    void clientFloodTowardANonReadingUpstreamStaysBounded() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("hi");
            c.next();
            Relay relay = onlyRelay();
            up.lastChannel().config().setAutoRead(false);
            byte[] chunk = new byte[8 * 1024];
            long[] r = flood(c.channel(), i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(chunk)), 8192,
                    Duration.ofSeconds(10), relay.upstream());
            assertThat(r[0]).as("gateway bytes pending toward the upstream").isLessThanOrEqualTo(BOUND_TO_UPSTREAM);
            assertThat(r[2]).as("the client's writes were held back: the gateway stopped reading it").isEqualTo(1);
            int sent = (int) r[1];
            up.lastChannel().config().setAutoRead(true);
            await().atMost(Duration.ofSeconds(15)).until(() -> up.received().size() >= sent + 1);
            assertThat(up.received()).hasSize(sent + 1);
        }
    }

    @Test
    void pingFloodFromAClientThatNeverReadsStaysBounded() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("hi");
            c.next();
            Relay relay = onlyRelay();
            c.pauseReading();
            byte[] payload = new byte[125];
            long[] r = flood(c.channel(), i -> new PingWebSocketFrame(Unpooled.wrappedBuffer(payload)), 200_000,
                    Duration.ofSeconds(10), relay.client());
            assertThat(r[0]).as("pongs pending toward the client").isLessThanOrEqualTo(BOUND_TO_CLIENT);
        }
    }
}
