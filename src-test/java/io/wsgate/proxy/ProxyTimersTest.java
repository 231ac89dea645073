package io.wsgate.proxy;

import io.wsgate.config.RouteConfig;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.testing.Harness;
import io.wsgate.testing.ScriptedInspector;
import io.wsgate.testing.TestGuard;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Idle timeout, keepalive pings, token expiry, first-message auth and its timeout. */
class ProxyTimersTest {
    private DemoUpstream up;
    private Harness gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (up != null) {
            up.close();
        }
    }

    @Test
    void idleConnectionIsClosed1001() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().idleTimeout(Duration.ofMillis(400)).pingInterval(Duration.ZERO)
                .route("/echo", Harness.target(up, "/echo")).build());
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            // traffic keeps it open past the timeout
            for (int i = 0; i < 4; i++) {
                c.sendText("t" + i);
                c.next();
                Thread.sleep(200);
            }
            assertThat(c.channel().isActive()).isTrue();
            long t0 = System.nanoTime();
            assertThat(c.closeCode()).isEqualTo(1001);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !up.closeCodes().isEmpty());
        assertThat(up.closeCodes()).containsExactly(1001);
    }

    @Test
    void gatewayPingsTheClient() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().pingInterval(Duration.ofMillis(200))
                .route("/echo", Harness.target(up, "/echo")).build());
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            assertThat(c.next(Duration.ofSeconds(2)).type()).isEqualTo(WsTestClient.Type.PING);
        }
    }

    @Test
    void firstMessageAuthAnswers101ItselfAndOpensTheUpstreamOnlyAfterIt() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().route("/chat", Harness.target(up, "/echo"))
                .kind(RouteConfig.Kind.JSON).subprotocols("chat.v1").auth(Duration.ofSeconds(5), true).build(),
                new TestGuard().pending(HandshakeDecision.PendingAuth.FIRST_MESSAGE), (s, p, r, d) -> new ScriptedInspector(s, p, r));
        try (WsTestClient c = WsTestClient.to(gw.ws("/chat")).subprotocols("other, chat.v1")
                .header("Origin", "https://app.example").connect()) {
            assertThat(c.subprotocol()).isEqualTo("chat.v1");
            Thread.sleep(200);
            assertThat(up.handshakes()).isEmpty();
            c.sendText("auth:alice");
            c.sendText("hello");
            assertThat(c.next().text()).isEqualTo("hello");
            assertThat(up.received()).extracting(DemoUpstream.Received::text).containsExactly("hello");
            assertThat(up.handshakes()).singleElement()
                    .satisfies(h -> {
                        assertThat(h.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v1");
                        assertThat(h.headers().get("Origin")).isEqualTo("https://app.example");
                    });
            assertThat(gw.registry.byUser("alice")).hasSize(1);
        }
    }

    @Test
    void firstMessageThatIsNotAuthCloses4401() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().route("/chat", Harness.target(up, "/echo"))
                .kind(RouteConfig.Kind.JSON).auth(Duration.ofSeconds(5), true).build(),
                new TestGuard().pending(HandshakeDecision.PendingAuth.FIRST_MESSAGE), (s, p, r, d) -> new ScriptedInspector(s, p, r));
        try (WsTestClient c = WsTestClient.to(gw.ws("/chat")).connect()) {
            c.sendText("hello");
            assertThat(c.closeCode()).isEqualTo(4401);
        }
        assertThat(up.handshakes()).isEmpty();
    }

    @Test
    void missingFirstMessageCloses4401AfterAuthTimeout() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().route("/chat", Harness.target(up, "/echo"))
                .kind(RouteConfig.Kind.JSON).auth(Duration.ofMillis(300), true).build(),
                new TestGuard().pending(HandshakeDecision.PendingAuth.FIRST_MESSAGE), (s, p, r, d) -> new ScriptedInspector(s, p, r));
        try (WsTestClient c = WsTestClient.to(gw.ws("/chat")).connect()) {
            assertThat(c.closeCode()).isEqualTo(4401);
        }
        assertThat(up.handshakes()).isEmpty();
    }

    @Test
    void upstreamFailureAfterFirstMessageCloses1014() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        gw = new Harness(TestPolicy.gateway().route("/chat", "ws://127.0.0.1:" + dead + "/chat")
                .kind(RouteConfig.Kind.JSON).auth(Duration.ofSeconds(5), true).build(),
                new TestGuard().pending(HandshakeDecision.PendingAuth.FIRST_MESSAGE), (s, p, r, d) -> new ScriptedInspector(s, p, r));
        try (WsTestClient c = WsTestClient.to(gw.ws("/chat")).connect()) {
            c.sendText("auth:bob");
            assertThat(c.closeCode()).isEqualTo(1014);
        }
    }

    @Test
    void expiredTokenCloses4401AtExpAndARefreshMovesIt() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().route("/chat", Harness.target(up, "/echo"))
                .kind(RouteConfig.Kind.JSON).auth(Duration.ofSeconds(5), true).build(),
                new TestGuard().pending(HandshakeDecision.PendingAuth.FIRST_MESSAGE), (s, p, r, d) -> new ScriptedInspector(s, p, r));
        try (WsTestClient c = WsTestClient.to(gw.ws("/chat")).connect()) {
            long now = System.currentTimeMillis() / 1000;
            c.sendText("auth:carol:" + (now + 1));
            c.sendText("x");
            c.next();
            // refresh before exp: moves the expiry 2 s further
            c.sendText("auth:carol:" + (now + 3));
            long t0 = System.nanoTime();
            assertThat(c.closeCode()).isEqualTo(4401);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(1200));
        }
    }
}
