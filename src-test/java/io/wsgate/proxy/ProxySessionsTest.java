package io.wsgate.proxy;

import io.wsgate.config.RouteConfig;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Session;
import io.wsgate.testing.Harness;
import io.wsgate.testing.ScriptedInspector;
import io.wsgate.testing.TestGuard;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProxySessionsTest {
    @Test
    void replacedSessionIsClosed4409() throws Exception {
        try (DemoUpstream up = Harness.upstream();
             Harness gw = new Harness(TestPolicy.gateway().route("/echo", Harness.target(up, "/echo")).build())) {
            WsTestClient first = WsTestClient.to(gw.ws("/echo")).connect();
            first.sendText("x");
            first.next();
            List<Session> old = List.copyOf(gw.registry.all());
            gw.guard.replace(old);
            try (WsTestClient second = WsTestClient.to(gw.ws("/echo")).connect()) {
                assertThat(first.closeCode()).isEqualTo(4409);
                second.sendText("still here");
                assertThat(second.next().text()).isEqualTo("still here");
            }
            first.close();
        }
    }

    @Test
    void identityFromTheHandshakeIsOnTheSessionAndExpiryCloses4401() throws Exception {
        try (DemoUpstream up = Harness.upstream();
             Harness gw = new Harness(TestPolicy.gateway().route("/echo", Harness.target(up, "/echo"))
                     .auth(Duration.ofSeconds(5), true).build(),
                     new TestGuard().identity(new Identity("dana", List.of("user"), "j1", 0,
                             System.currentTimeMillis() / 1000 + 1, "d")), (s, p, r, d) -> new ScriptedInspector(s, p, r))) {
            try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
                assertThat(gw.registry.byUser("dana")).hasSize(1);
                assertThat(c.closeCode(Duration.ofSeconds(4))).isEqualTo(4401);
            }
        }
    }

    @Test
    void leastConnectionsPrefersTheIdleTarget() throws Exception {
        try (DemoUpstream a = Harness.upstream(); DemoUpstream b = Harness.upstream();
             Harness gw = new Harness(TestPolicy.gateway().route("/echo", Harness.target(a, "/echo"),
                     Harness.target(b, "/echo")).balance(RouteConfig.Balance.LEAST_CONNECTIONS).build())) {
            WsTestClient hold = WsTestClient.to(gw.ws("/echo")).connect();
            hold.sendText("x");
            hold.next();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.handshakes().size() + b.handshakes().size() == 1);
            DemoUpstream held = a.handshakes().size() == 1 ? a : b;
            DemoUpstream other = held == a ? b : a;
            for (int i = 1; i <= 3; i++) {
                try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
                    c.sendText("x");
                    c.next();
                    c.close(1000, "");
                    c.closeCode();
                }
                int n = i;
                // the target counts as idle again once its upstream socket closed
                await().atMost(Duration.ofSeconds(5)).until(() -> other.closeCodes().size() == n);
                Thread.sleep(50);
            }
            assertThat(other.handshakes()).hasSize(3);
            assertThat(held.handshakes()).hasSize(1);
            hold.close();
        }
    }

    @Test
    void socketioAuthOpensTheUpstreamAtOnceAndClosesUnauthenticatedSockets4401() throws Exception {
        try (DemoUpstream up = Harness.upstream();
             Harness gw = new Harness(TestPolicy.gateway().route("/socket.io/", Harness.target(up, "/echo/"))
                     .kind(RouteConfig.Kind.SOCKETIO).auth(Duration.ofMillis(500), true).build(),
                     new TestGuard().pending(io.wsgate.policy.HandshakeDecision.PendingAuth.SOCKETIO_AUTH),
                     (s, p, r, d) -> new ScriptedInspector(s, p, r))) {
            try (WsTestClient c = WsTestClient.to(gw.ws("/socket.io/?EIO=4&transport=websocket")).connect()) {
                await().atMost(Duration.ofSeconds(2)).until(() -> up.handshakes().size() == 1);
                assertThat(up.handshakes().get(0).uri()).isEqualTo("/echo/?EIO=4&transport=websocket");
                assertThat(c.closeCode()).isEqualTo(4401);
            }
        }
    }

    @Test
    void hashUserKeepsAUserOnOneTarget() throws Exception {
        try (DemoUpstream a = Harness.upstream(); DemoUpstream b = Harness.upstream();
             Harness gw = new Harness(TestPolicy.gateway().route("/echo", Harness.target(a, "/echo"),
                     Harness.target(b, "/echo")).balance(RouteConfig.Balance.HASH_USER).build(),
                     new TestGuard().identity(new Identity("erin", List.of(), null, 0,
                             System.currentTimeMillis() / 1000 + 3600, "d")), (s, p, r, d) -> new ScriptedInspector(s, p, r))) {
            for (int i = 0; i < 4; i++) {
                try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
                    c.sendText("x");
                    c.next();
                }
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> a.handshakes().size() + b.handshakes().size() == 4);
            assertThat(List.of(a.handshakes().size(), b.handshakes().size())).containsExactlyInAnyOrder(0, 4);
        }
    }
}
