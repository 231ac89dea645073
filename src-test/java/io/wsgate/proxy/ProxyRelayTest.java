package io.wsgate.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.wsgate.config.RouteConfig;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import io.wsgate.testing.WsTestClient.Frame;
import io.wsgate.testing.WsTestClient.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProxyRelayTest {
    private DemoUpstream up;
    private Harness gw;

    @BeforeEach
    void start() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway()
                .route("/echo", Harness.target(up, "/echo")).maxMessageBytes(1024).maxUpstreamMessageBytes(4096).and()
                .route("/scripted", Harness.target(up, "/echo")).kind(RouteConfig.Kind.JSON).and()
                .build());
    }

    @AfterEach
    void stop() {
        gw.close();
        up.close();
    }

    @Test
    void textAndBinaryAreRelayedByteExactBothWays() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            String text = "héllo \u2603 wsgate";
            c.sendText(text);
            Frame f = c.next();
            assertThat(f.type()).isEqualTo(Type.TEXT);
            assertThat(f.text()).isEqualTo(text);

            byte[] bin = new byte[1000];
            new Random(7).nextBytes(bin);
            c.sendBinary(bin);
            Frame b = c.next();
            assertThat(b.type()).isEqualTo(Type.BINARY);
            assertThat(b.data()).isEqualTo(bin);

            assertThat(up.received()).hasSize(2);
            assertThat(up.received().get(0).data()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
            assertThat(up.received().get(1).binary()).isTrue();
            assertThat(up.received().get(1).data()).isEqualTo(bin);
        }
    }

    @Test
    void fragmentedClientMessageIsAggregatedAndForwardedAsOne() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.send(new TextWebSocketFrame(false, 0, "hel"));
            c.send(new ContinuationWebSocketFrame(false, 0, "lo "));
            c.send(new ContinuationWebSocketFrame(true, 0, "world"));
            Frame f = c.next();
            assertThat(f.text()).isEqualTo("hello world");
            assertThat(f.fin()).isTrue();
            assertThat(up.received()).singleElement().satisfies(r -> assertThat(r.text()).isEqualTo("hello world"));
        }
    }

    @Test
    void singleFrameOverMaxMessageBytesCloses1009AndForwardsNothing() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendBinary(new byte[1025]);
            assertThat(c.closeCode()).isEqualTo(1009);
        }
        Thread.sleep(200);
        assertThat(up.received()).isEmpty();
    }

    @Test
    void fragmentedMessageOverMaxMessageBytesCloses1009AndForwardsNothing() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.send(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[600])));
            c.send(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[600])));
            assertThat(c.closeCode()).isEqualTo(1009);
        }
        Thread.sleep(200);
        assertThat(up.received()).isEmpty();
    }

    @Test
    void messageOfExactlyMaxMessageBytesPasses() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendBinary(new byte[1024]);
            assertThat(c.next().data()).hasSize(1024);
        }
    }

    @Test
    void upstreamMessageOverMaxUpstreamMessageBytesClosesBothSides() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("ok");
            assertThat(c.next().text()).isEqualTo("ok");
            up.lastChannel().writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[4097])));
            assertThat(c.closeCode()).isEqualTo(1011);
            assertThat(up.lastChannel().closeFuture().await(5000)).isTrue();
        }
    }

    @Test
    void fragmentedUpstreamMessageOverTheCapClosesToo() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("ok");
            c.next();
            up.lastChannel().write(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[3000])));
            up.lastChannel().writeAndFlush(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[3000])));
            Frame first = c.next();
            assertThat(first.type()).isEqualTo(Type.BINARY);
            assertThat(c.closeCode()).isEqualTo(1011);
        }
    }

    @Test
    void clientPingIsAnsweredByTheGateway() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.ping("are you there".getBytes(StandardCharsets.UTF_8));
            Frame f = c.next();
            assertThat(f.type()).isEqualTo(Type.PONG);
            assertThat(f.text()).isEqualTo("are you there");
        }
        assertThat(up.received()).isEmpty();
    }

    @Test
    void clientCloseCodeReachesTheUpstream() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("x");
            c.next();
            c.close(4000, "client done");
            assertThat(c.closeCode()).isEqualTo(4000);
            await().atMost(Duration.ofSeconds(5)).until(() -> !up.closeCodes().isEmpty());
            assertThat(up.closeCodes()).containsExactly(4000);
        }
    }

    @Test
    void clientCloseCodeAbove4999IsAProtocolError() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("x");
            c.next();
            c.close(5000, "not a close code");
            assertThat(c.closeCode()).isEqualTo(1002);
            assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !up.closeCodes().isEmpty());
            assertThat(up.closeCodes()).containsExactly(1001);
        }
    }

    @Test
    void upstreamCloseCodeAbove4999ReachesTheClientAs1011() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("x");
            c.next();
            up.lastChannel().writeAndFlush(new CloseWebSocketFrame(65535, "bad"));
            assertThat(c.closeCode()).isEqualTo(1011);
            assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void upstreamCloseCodeAndReasonReachTheClient() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("x");
            c.next();
            up.lastChannel().writeAndFlush(new CloseWebSocketFrame(4002, "room closed"));
            assertThat(c.closeCode()).isEqualTo(4002);
            assertThat(c.closeReason()).isEqualTo("room closed");
            assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void upstreamTcpDropWithoutCloseFrameGives1014() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("x");
            c.next();
            DemoUpstream.dropTcp(up.lastChannel());
            assertThat(c.closeCode()).isEqualTo(1014);
        }
    }

    @Test
    void verdictsAreActedOn() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/scripted")).connect()) {
            c.sendText("drop");
            assertThat(c.next().text()).contains("forbidden");
            c.sendText("rewrite:clean");
            assertThat(c.next().text()).isEqualTo("clean");
            assertThat(up.received()).extracting(DemoUpstream.Received::text).containsExactly("clean");
            c.sendText("close");
            assertThat(c.next().text()).contains("closing");
            assertThat(c.closeCode()).isEqualTo(1008);
            await().atMost(Duration.ofSeconds(5)).until(() -> !up.closeCodes().isEmpty());
            assertThat(up.closeCodes()).containsExactly(1001);
        }
        assertThat(up.received()).hasSize(1);
    }

    @Test
    void sessionIsRegisteredAndRemoved() throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("x");
            c.next();
            assertThat(gw.registry.total()).isEqualTo(1);
            assertThat(gw.registry.all().iterator().next().messagesIn()).isEqualTo(1);
            assertThat(gw.registry.all().iterator().next().messagesOut()).isEqualTo(1);
            // revocation / admin close from another thread
            gw.registry.all().iterator().next().close(4401, "revoked");
            assertThat(c.closeCode()).isEqualTo(4401);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.registry.total() == 0);
    }
}
