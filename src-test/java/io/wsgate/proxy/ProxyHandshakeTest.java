package io.wsgate.proxy;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.RawHttp;
import io.wsgate.testing.TestGuard;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProxyHandshakeTest {
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

    private void startEcho(TestPolicy g) throws Exception {
        up = new DemoUpstream("127.0.0.1", 0, List.of("v2", "v3"), null).start();
        gw = new Harness(g.route("/echo", Harness.target(up, "/echo")).and()
                .route("/api/", Harness.target(up, "/echo/")).and().build());
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void healthzAnswers200Ok() throws Exception {
        startEcho(TestPolicy.gateway());
        String res = RawHttp.exchange(gw.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), 3000);
        assertThat(RawHttp.status(res)).isEqualTo(200);
        assertThat(RawHttp.body(res)).isEqualTo("ok");
    }

    @Test
    void plainHttpGets426WithJsonBody() throws Exception {
        startEcho(TestPolicy.gateway());
        String res = RawHttp.exchange(gw.port(), "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), 3000);
        assertThat(RawHttp.status(res)).isEqualTo(426);
        assertThat(RawHttp.body(res)).startsWith("{\"error\":\"upgrade_required\",\"reason\":\"");
        assertThat(gw.guard.seen).isEmpty();
    }

    @Test
    void badUpgradesGet400And426() throws Exception {
        startEcho(TestPolicy.gateway());
        String noKey = "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n";
        assertThat(RawHttp.status(RawHttp.exchange(gw.port(), noKey.getBytes(), 3000))).isEqualTo(400);
        String v8 = RawHttp.upgrade("/echo", "").replace("Version: 13", "Version: 8");
        String res = RawHttp.exchange(gw.port(), v8.getBytes(), 3000);
        assertThat(RawHttp.status(res)).isEqualTo(426);
        assertThat(res).contains("Sec-WebSocket-Version: 13");
        String dots = RawHttp.upgrade("/echo/../admin", "");
        assertThat(RawHttp.status(RawHttp.exchange(gw.port(), dots.getBytes(), 3000))).isEqualTo(400);
        String slash = RawHttp.upgrade("/api/a%2Fb", "");
        assertThat(RawHttp.status(RawHttp.exchange(gw.port(), slash.getBytes(), 3000))).isEqualTo(400);
        assertThat(up.handshakes()).isEmpty();
    }

    @Test
    void oversizedRequestLineGets414AndHeadersGet431() throws Exception {
        startEcho(TestPolicy.gateway());
        String longLine = RawHttp.upgrade("/echo?t=" + "a".repeat(17 * 1024), "");
        String res = RawHttp.exchange(gw.port(), longLine.getBytes(), 3000);
        assertThat(RawHttp.status(res)).isEqualTo(414);
        assertThat(RawHttp.body(res)).contains("\"error\":\"uri_too_long\"");

        String bigHeaders = RawHttp.upgrade("/echo", "X-Big: " + "b".repeat(33 * 1024) + "\r\n");
        res = RawHttp.exchange(gw.port(), bigHeaders.getBytes(), 3000);
        assertThat(RawHttp.status(res)).isEqualTo(431);

        // a 12 KB token in a header is still under the limits and reaches the guard
        String bigToken = RawHttp.upgrade("/nothing", "Authorization: Bearer " + "c".repeat(12 * 1024) + "\r\n");
        assertThat(RawHttp.status(RawHttp.exchange(gw.port(), bigToken.getBytes(), 3000))).isEqualTo(404);
        assertThat(up.handshakes()).isEmpty();
    }

    @Test
    void guardRefusalIsAnsweredWithStatusHeadersAndJsonAndNoUpstream() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().route("/echo", Harness.target(up, "/echo")).build(),
                new TestGuard().refuseWith(429), (s, p, r, d) -> new io.wsgate.testing.ScriptedInspector(s, p, r));
        WsTestClient.Refused r = catchThrowableOfType(WsTestClient.Refused.class,
                () -> WsTestClient.to(gw.ws("/echo")).connect());
        assertThat(r.status).isEqualTo(429);
        assertThat(r.headers.get("Retry-After")).isEqualTo("1");
        assertThat(r.body).isEqualTo("{\"error\":\"forbidden\",\"reason\":\"refused by the test guard\"}");
        String unknown = RawHttp.exchange(gw.port(), RawHttp.upgrade("/nope", "").getBytes(), 3000);
        assertThat(RawHttp.status(unknown)).isEqualTo(404);
        assertThat(up.handshakes()).isEmpty();
    }

    @Test
    void unreachableUpstreamGets502BeforeAny101() throws Exception {
        int dead = deadPort();
        gw = new Harness(TestPolicy.gateway().route("/echo", "ws://127.0.0.1:" + dead + "/echo").build());
        String res = RawHttp.exchange(gw.port(), RawHttp.upgrade("/echo", "").getBytes(), 5000);
        assertThat(res).doesNotContain("101");
        assertThat(RawHttp.status(res)).isEqualTo(502);
        assertThat(RawHttp.body(res)).startsWith("{\"error\":\"bad_gateway\"");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> gw.registry.total() == 0);
    }

    @Test
    void upstreamRefusingTheHandshakeGets502() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try (Socket c = s.accept()) {
                    c.getInputStream().read(new byte[4096]);
                    c.getOutputStream().write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes());
                    c.getOutputStream().flush();
                    Thread.sleep(500);
                } catch (Exception ignored) {
                }
            });
            t.start();
            gw = new Harness(TestPolicy.gateway().route("/echo", "ws://127.0.0.1:" + s.getLocalPort() + "/echo").build());
            WsTestClient.Refused r = catchThrowableOfType(WsTestClient.Refused.class,
                    () -> WsTestClient.to(gw.ws("/echo")).connect());
            assertThat(r.status).isEqualTo(502);
            // the upstream's answer is for the operator's log and audit line, not for the client
            assertThat(r.body).isEqualTo("{\"error\":\"bad_gateway\",\"reason\":\"upstream unavailable\"}");
            t.join(3000);
        }
    }

    @Test
    void failedTargetFallsOverToTheNextWithinConnectTimeout() throws Exception {
        up = Harness.upstream();
        int dead = deadPort();
        gw = new Harness(TestPolicy.gateway().route("/echo", "ws://127.0.0.1:" + dead + "/echo",
                Harness.target(up, "/echo")).connectTimeout(Duration.ofSeconds(2)).build());
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
                c.sendText("hi " + i);
                assertThat(c.next().text()).isEqualTo("hi " + i);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(up.handshakes()).hasSize(4);
    }

    @Test
    void blackholedTargetTimesOutAndTheNextIsTried() throws Exception {
        up = Harness.upstream();
        // accepts TCP but never answers the upgrade
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try (Socket c = silent.accept()) {
                    Thread.sleep(5000);
                } catch (Exception ignored) {
                }
            });
            t.setDaemon(true);
            t.start();
            gw = new Harness(TestPolicy.gateway().route("/echo", "ws://127.0.0.1:" + silent.getLocalPort() + "/echo",
                    Harness.target(up, "/echo")).connectTimeout(Duration.ofSeconds(1)).build());
            long t0 = System.nanoTime();
            // the silent target gets its share of connect_timeout (half: two targets), then the next is tried
            try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofMillis(2500));
                c.sendText("hi");
                assertThat(c.next().text()).isEqualTo("hi");
            }
            assertThat(up.handshakes()).hasSize(1);
        }
    }

    @Test
    void roundRobinSpreadsOverTargets() throws Exception {
        up = Harness.upstream();
        try (DemoUpstream up2 = Harness.upstream()) {
            gw = new Harness(TestPolicy.gateway().route("/echo", Harness.target(up, "/echo"),
                    Harness.target(up2, "/echo")).build());
            for (int i = 0; i < 4; i++) {
                try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
                    c.sendText("x");
                    c.next();
                }
            }
            assertThat(up.handshakes()).hasSize(2);
            assertThat(up2.handshakes()).hasSize(2);
        }
    }

    @Test
    void upstreamAddressHeadersAndSubprotocolFollowTheContract() throws Exception {
        startEcho(TestPolicy.gateway());
        try (WsTestClient c = WsTestClient.to(gw.ws("/api/room/7?x=1&y=2")).subprotocols("v1, v2")
                .header("Origin", "https://app.example").header("User-Agent", "tester/1")
                .header("X-Forwarded-For", "6.6.6.6").connect()) {
            assertThat(c.subprotocol()).isEqualTo("v2");
            c.sendText("x");
            c.next();
            DemoUpstream.Handshake h = up.handshakes().get(0);
            assertThat(h.uri()).isEqualTo("/echo/room/7?x=1&y=2");
            assertThat(h.subprotocol()).isEqualTo("v2");
            assertThat(h.headers().get("Origin")).isEqualTo("https://app.example");
            assertThat(h.headers().get("User-Agent")).isEqualTo("tester/1");
            // the peer is not a trusted proxy: its X-Forwarded-For is not believed nor passed on
            assertThat(h.headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
            assertThat(gw.guard.seen.get(0).clientIp()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void noCommonSubprotocolMeansNoneAnswered() throws Exception {
        startEcho(TestPolicy.gateway());
        String res = RawHttp.exchange(gw.port(),
                RawHttp.upgrade("/echo", "Sec-WebSocket-Protocol: v9\r\n").getBytes(), 1000);
        assertThat(RawHttp.status(res)).isEqualTo(101);
        assertThat(res.toLowerCase()).doesNotContain("sec-websocket-protocol");
        assertThat(up.handshakes()).singleElement().satisfies(h -> assertThat(h.subprotocol()).isNull());
    }

    @Test
    void slowlorisIsCutByTheHandshakeTimeoutCountedFromAccept() throws Exception {
        startEcho(TestPolicy.gateway().handshakeTimeout(Duration.ofMillis(600)));
        try (Socket s = new Socket("127.0.0.1", gw.port())) {
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] req = RawHttp.upgrade("/echo", "").getBytes(StandardCharsets.US_ASCII);
            long t0 = System.nanoTime();
            boolean cut = false;
            // one byte every 100 ms: the request would take seconds to complete
            for (int i = 0; i < 40 && !cut; i++) {
                try {
                    out.write(req[i]);
                    out.flush();
                    Thread.sleep(100);
                } catch (java.io.IOException e) {
                    cut = true;
                }
            }
            if (!cut) {
                assertThat(in.read()).isEqualTo(-1);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(3000));
        }
        assertThat(up.handshakes()).isEmpty();
    }

    @Test
    void silentConnectionIsCutByTheHandshakeTimeout() throws Exception {
        startEcho(TestPolicy.gateway().handshakeTimeout(Duration.ofMillis(300)));
        try (Socket s = new Socket("127.0.0.1", gw.port())) {
            s.setSoTimeout(3000);
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(2000));
        }
    }
}
