package io.wsgate.e2e;

import io.wsgate.auth.AuthFixtures;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3, tokens that arrive after the 101: {@code first_message} (consumed, upstream opened only after it
 * verifies, subprotocol from {@code route.subprotocols}, 4401 when missing/late/bad, 1014 when the upstream
 * fails) and {@code socketio_auth} (only Engine.IO and CONNECT before auth, 44 answers, identity replaces the
 * client's auth object).
 */
class LateAuthE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;
    static int deadPort;
    static ServerSocket refuser;

    static String jwt() {
        return "jwt: { algorithms: [RS256, EdDSA], jwks_file: keys/jwks.json, issuer: %s, audience: %s, clock_skew: 1s }"
                .formatted(AuthFixtures.ISS, AuthFixtures.AUD);
    }

    static String firstMessageRoute(String path, String target) {
        return """
                route:
                  path: %s
                  upstream: { targets: ["%s"], connect_timeout: 1s }
                  subprotocols: [chat.v1, chat.v2]
                protocol: { kind: json, event: type }
                auth:
                  %s
                  token_from: ["first_message:token"]
                  auth_timeout: 1s
                forward: { headers: { user: X-User-Id }, strip_token: true }
                """.formatted(path, target, jwt());
    }

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        refuser = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(LateAuthE2eTest::refuseUpgrades, "refusing-upstream");
        t.setDaemon(true);
        t.start();
        e2e = E2e.start(dir, "", List.of("chat.v1", "chat.v2"),
                "fm.yaml", firstMessageRoute("/fm", "${UP}/echo"),
                "down.yaml", firstMessageRoute("/down", "ws://127.0.0.1:" + deadPort + "/echo"),
                "refuse.yaml", firstMessageRoute("/refuse", "ws://127.0.0.1:" + refuser.getLocalPort() + "/echo"),
                "sio.yaml", sioRoute("/socket.io/", "  connect_roles: [user]\n  refresh_event: auth"),
                "sio-capped.yaml", sioRoute("/capped/", "  max_sessions_per_user: 1\n  on_excess_sessions: reject"));
    }

    static String sioRoute(String path, String authExtra) {
        return """
                route:
                  path: %s
                  upstream: { targets: ["${UP}/sio/"] }
                protocol: { kind: socketio }
                auth:
                  %s
                  token_from: ["socketio_auth:token"]
                  auth_timeout: 1s
                %s
                forward:
                  socketio_auth: { user: user, roles: roles }
                  strip_token: true
                """.formatted(path, jwt(), authExtra);
    }

    /** An upstream that answers every upgrade with 403. */
    static void refuseUpgrades() {
        while (!refuser.isClosed()) {
            try (Socket s = refuser.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                int n = 0;
                while (n < buf.length) {
                    int r = in.read(buf, n, buf.length - n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                    if (new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                        break;
                    }
                }
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (Exception e) {
                // closed at the end of the class
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (e2e != null) {
            e2e.close();
        }
        refuser.close();
    }

    static String auth(String token) {
        return "{\"type\":\"auth\",\"token\":\"" + token + "\"}";
    }

    // ---- first_message

    @Test
    void firstMessageTokenIsConsumedAndTheUpstreamOpensAfterIt() throws Exception {
        int received = e2e.upstream.received().size();
        int accepted = e2e.upstream.accepted();
        String token = E2e.token("EdDSA", "fm-user");
        try (WsTestClient c = WsTestClient.to(e2e.ws("/fm")).subprotocols("x-unknown, chat.v2, chat.v1").connect()) {
            assertThat(c.subprotocol()).isEqualTo("chat.v2");
            Thread.sleep(200);
            assertThat(e2e.upstream.accepted()).as("no upstream before the token").isEqualTo(accepted);
            c.sendText(auth(token));
            E2e.assertEchoes(c, "{\"type\":\"hello\"}");
            DemoUpstream.Handshake hs = e2e.upstream.handshakes().stream()
                    .filter(h -> "fm-user".equals(h.headers().get("X-User-Id"))).findFirst().orElseThrow();
            assertThat(hs.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v2");
            assertThat(hs.subprotocol()).isEqualTo("chat.v2");
            hs.headers().forEach(e -> assertThat(e.getValue()).doesNotContain(token));
        }
        List<String> seen = e2e.upstream.received().subList(received, e2e.upstream.received().size()).stream()
                .map(DemoUpstream.Received::text).toList();
        assertThat(seen).containsExactly("{\"type\":\"hello\"}");
    }

    @Test
    void noListedSubprotocolOfferedMeansNoneAccepted() throws Exception {
        try (WsTestClient c = WsTestClient.to(e2e.ws("/fm")).connect()) {
            assertThat(c.subprotocol()).isNull();
            c.sendText(auth(E2e.token("RS256", "fm-nosp")));
            E2e.assertEchoes(c, "{\"type\":\"hello\"}");
        }
    }

    @Test
    void missingLateOrBadFirstMessageTokenCloses4401WithoutAnUpstream() throws Exception {
        int accepted = e2e.upstream.accepted();
        try (WsTestClient c = WsTestClient.to(e2e.ws("/fm")).connect()) {
            c.sendText("{\"type\":\"hello\"}");
            assertThat(c.closeCode(Duration.ofSeconds(3))).as("missing").isEqualTo(4401);
        }
        try (WsTestClient c = WsTestClient.to(e2e.ws("/fm")).connect()) {
            c.sendText(auth("garbage"));
            assertThat(c.closeCode(Duration.ofSeconds(3))).as("bad").isEqualTo(4401);
        }
        try (WsTestClient c = WsTestClient.to(e2e.ws("/fm")).connect()) {
            c.sendText(auth(E2e.token("RS256", AuthFixtures.claims("x").issuer("evil").build())));
            assertThat(c.closeCode(Duration.ofSeconds(3))).as("wrong issuer").isEqualTo(4401);
        }
        try (WsTestClient c = WsTestClient.to(e2e.ws("/fm")).connect()) {
            long t0 = System.nanoTime();
            int code = c.closeCode(Duration.ofSeconds(4));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[e2e] first_message: silent client closed after %d ms (auth_timeout 1s)%n", ms);
            assertThat(code).as("late").isEqualTo(4401);
            assertThat(ms).isBetween(700L, 2500L);
        }
        assertThat(e2e.upstream.accepted()).isEqualTo(accepted);
    }

    @Test
    void unreachableOrRefusingUpstreamCloses1014() throws Exception {
        try (WsTestClient c = WsTestClient.to(e2e.ws("/down")).connect()) {
            c.sendText(auth(E2e.token("RS256", "down-user")));
            assertThat(c.closeCode(Duration.ofSeconds(5))).isEqualTo(1014);
        }
        try (WsTestClient c = WsTestClient.to(e2e.ws("/refuse")).connect()) {
            c.sendText(auth(E2e.token("RS256", "refused-user")));
            assertThat(c.closeCode(Duration.ofSeconds(5))).isEqualTo(1014);
        }
    }

    // ---- socketio_auth

    WsTestClient sio() throws Exception {
        return WsTestClient.to(e2e.ws("/socket.io/?EIO=4&transport=websocket")).connect();
    }

    /** The next text frame from the gateway, skipping nothing: the echo upstream only answers what it got. */
    static String nextText(WsTestClient c) throws InterruptedException {
        WsTestClient.Frame f = c.next(Duration.ofSeconds(3));
        assertThat(f.type()).isEqualTo(WsTestClient.Type.TEXT);
        return f.text();
    }

    @Test
    void socketIoEventBeforeAuthCloses1008AndIsNotForwarded() throws Exception {
        int received = e2e.upstream.received().size();
        try (WsTestClient c = sio()) {
            c.sendText("42[\"chat\",\"sneaky\"]");
            assertThat(c.closeCode(Duration.ofSeconds(3))).isEqualTo(1008);
        }
        assertThat(e2e.upstream.received().subList(received, e2e.upstream.received().size()))
                .noneMatch(m -> m.text().contains("sneaky"));
    }

    @Test
    void socketIoConnectWithoutOrWithABadTokenIsAnswered44ByTheGateway() throws Exception {
        int received = e2e.upstream.received().size();
        try (WsTestClient c = sio()) {
            c.sendText("40");
            assertThat(nextText(c)).isEqualTo("44{\"message\":\"Authentication required\"}");
            c.sendText("40{\"token\":\"garbage\"}");
            assertThat(nextText(c)).isEqualTo("44{\"message\":\"Invalid token\"}");
            String noRole = E2e.token("RS256", AuthFixtures.claims("sio-guest").claim("roles", List.of("guest")).build());
            c.sendText("40{\"token\":\"" + noRole + "\"}");
            assertThat(nextText(c)).isEqualTo("44{\"message\":\"Forbidden\"}");
        }
        assertThat(e2e.upstream.received().subList(received, e2e.upstream.received().size()))
                .noneMatch(m -> m.text().startsWith("40"));
    }

    @Test
    void socketIoValidConnectCarriesTheIdentityNotTheToken() throws Exception {
        int received = e2e.upstream.received().size();
        String token = E2e.token("RS256", "sio-user");
        try (WsTestClient c = sio()) {
            c.sendText("3"); // an Engine.IO pong passes before auth
            c.sendText("40{\"token\":\"" + token + "\",\"user\":\"admin\"}");
            c.sendText("42[\"chat\",\"hi\"]");
            await().atMost(Duration.ofSeconds(3)).until(() -> e2e.upstream.received().size() >= received + 3);
        }
        List<String> seen = e2e.upstream.received().subList(received, e2e.upstream.received().size()).stream()
                .map(DemoUpstream.Received::text).toList();
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0)).isEqualTo("3");
        assertThat(seen.get(1)).startsWith("40{").contains("\"user\":\"sio-user\"").contains("\"roles\":[\"user\"]")
                .doesNotContain(token).doesNotContain("admin");
        assertThat(seen.get(2)).isEqualTo("42[\"chat\",\"hi\"]");
    }

    @Test
    void socketIoSilentClientIsClosedAfterAuthTimeout() throws Exception {
        try (WsTestClient c = sio()) {
            long t0 = System.nanoTime();
            int code = c.closeCode(Duration.ofSeconds(4));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[e2e] socketio_auth: silent client closed after %d ms (auth_timeout 1s)%n", ms);
            assertThat(code).isEqualTo(4401);
            assertThat(ms).isBetween(700L, 2500L);
        }
    }

    @Test
    void socketIoSessionCapAnswersTooManySessions() throws Exception {
        String url = e2e.ws("/capped/?EIO=4&transport=websocket");
        try (WsTestClient first = WsTestClient.to(url).connect(); WsTestClient second = WsTestClient.to(url).connect()) {
            first.sendText("40{\"token\":\"" + E2e.token("RS256", "sio-cap") + "\"}");
            assertThat(nextText(first)).startsWith("40{"); // the echo upstream answers the forwarded CONNECT
            second.sendText("40{\"token\":\"" + E2e.token("RS256", "sio-cap") + "\"}");
            assertThat(nextText(second)).isEqualTo("44{\"message\":\"Too many sessions\"}");
        }
    }

    @Test
    void socketIoRefreshIsConsumedAndABadOneCloses4401() throws Exception {
        int received = e2e.upstream.received().size();
        long exp = System.currentTimeMillis() / 1000 + 3;
        try (WsTestClient c = sio()) {
            c.sendText("40{\"token\":\"" + E2e.expiringAt("sio-ref", exp) + "\"}");
            assertThat(nextText(c)).startsWith("40{");
            c.sendText("42[\"auth\",{\"token\":\"" + E2e.token("RS256", "sio-ref") + "\"}]");
            Thread.sleep(Math.max(0, exp * 1000 + 1500 - System.currentTimeMillis()));
            c.sendText("42[\"chat\",\"after-old-exp\"]");
            assertThat(nextText(c)).isEqualTo("42[\"chat\",\"after-old-exp\"]");
            c.sendText("42[\"auth\",{\"token\":\"garbage\"}]");
            assertThat(c.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
        }
        assertThat(e2e.upstream.received().subList(received, e2e.upstream.received().size()))
                .noneMatch(m -> m.text().contains("\"auth\""));
    }

    @Test
    void socketIoSessionExpiresWith4401() throws Exception {
        long exp = System.currentTimeMillis() / 1000 + 2;
        try (WsTestClient c = sio()) {
            c.sendText("40{\"token\":\"" + E2e.expiringAt("sio-exp", exp) + "\"}");
            assertThat(nextText(c)).startsWith("40{");
            int code = c.closeCode(Duration.ofSeconds(5));
            long late = System.currentTimeMillis() - exp * 1000;
            System.out.printf("[e2e] socketio_auth: socket closed %d ms after exp%n", late);
            assertThat(code).isEqualTo(4401);
            assertThat(late).isBetween(-100L, 2000L);
        }
    }

    @Test
    void firstMessageSessionExpiresAndIsRevocable() throws Exception {
        long exp = System.currentTimeMillis() / 1000 + 2;
        try (WsTestClient c = WsTestClient.to(e2e.ws("/fm")).connect()) {
            c.sendText(auth(E2e.expiringAt("fm-exp", exp)));
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
            int code = c.closeCode(Duration.ofSeconds(5));
            long late = System.currentTimeMillis() - exp * 1000;
            System.out.printf("[e2e] first_message: socket closed %d ms after exp%n", late);
            assertThat(code).isEqualTo(4401);
            assertThat(late).isBetween(-100L, 2000L);
        }
        try (WsTestClient c = WsTestClient.to(e2e.ws("/fm")).connect()) {
            c.sendText(auth(E2e.token("RS256", "fm-rev")));
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
            assertThat(e2e.revoke("{\"sub\":\"fm-rev\"}")).isEqualTo(1);
            assertThat(c.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
        }
    }
}
