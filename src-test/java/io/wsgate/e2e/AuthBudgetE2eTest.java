package io.wsgate.e2e;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.wsgate.auth.AuthFixtures;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Finding 4, unmetered signature verification: bad ES256 tokens on one Socket.IO socket cost at most 3
 * verifications, and {@code connections.auth_failures_per_ip} (here 5 per minute) meters every failed verification
 * of a client IP (handshake, CONNECT, refresh, first message). Client IPs are simulated with X-Forwarded-For from
 * the trusted 127.0.0.1; every test uses its own addresses. Work is asserted through the gateway's verification
 * counter, never through timing.
 */
class AuthBudgetE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;
    /** Same kid as the trusted EC key, different key: every token it signs fails a real ECDSA verification. */
    static ECKey forger;
    static final AtomicInteger IPS = new AtomicInteger(1);

    @BeforeAll
    static void start() throws Exception {
        forger = new ECKeyGenerator(Curve.P_256).keyID(AuthFixtures.EC.getKeyID()).generate();
        String jwt = "jwt: { algorithms: [ES256], jwks_file: keys/jwks.json, issuer: %s, audience: %s, clock_skew: 1s }"
                .formatted(AuthFixtures.ISS, AuthFixtures.AUD);
        e2e = E2e.start(dir, """
                listen: { host: 127.0.0.1, port: 0, trusted_proxies: [127.0.0.1/32] }
                connections:
                  auth_failures_per_ip: { limit: 5, per: 1m }
                """, List.of(),
                "chat.yaml", E2e.jsonRoute("/chat", "ES256", "  refresh_event: auth"),
                "sio.yaml", """
                        route:
                          path: /socket.io/
                          upstream: { targets: ["${UP}/sio/"] }
                        protocol: { kind: socketio }
                        auth:
                          %s
                          token_from: ["socketio_auth:token"]
                          auth_timeout: 20s
                          refresh_event: auth
                        forward: { socketio_auth: { user: user }, strip_token: true }
                        """.formatted(jwt),
                "fm.yaml", """
                        route:
                          path: /fm
                          upstream: { targets: ["${UP}/echo"] }
                        protocol: { kind: json, event: type }
                        auth:
                          %s
                          token_from: ["first_message:token"]
                          auth_timeout: 20s
                        """.formatted(jwt));
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
    }

    static String ip() {
        return "203.0.113." + IPS.getAndIncrement();
    }

    static String bad(String sub) {
        return AuthFixtures.sign(forger, JWSAlgorithm.ES256, AuthFixtures.claims(sub).build());
    }

    static String good(String sub) {
        return E2e.token("ES256", sub);
    }

    static WsTestClient.Builder from(String ip, String path) {
        return WsTestClient.to(e2e.ws(path)).header("X-Forwarded-For", ip);
    }

    static WsTestClient sio(String ip) throws Exception {
        return from(ip, "/socket.io/?EIO=4&transport=websocket").connect();
    }

    static String nextText(WsTestClient c) throws InterruptedException {
        WsTestClient.Frame f = c.next(Duration.ofSeconds(5));
        assertThat(f).as("a frame before the timeout").isNotNull();
        assertThat(f.type()).isEqualTo(WsTestClient.Type.TEXT);
        return f.text();
    }

    static long verifications() {
        return e2e.gateway.tokenVerifications();
    }

    /** Spends {@code ip}'s whole budget with failed handshakes (each one verified). */
    static void exhaust(String ip) {
        for (int i = 0; i < 5; i++) {
            e2e.refused(from(ip, "/chat").header("Authorization", "Bearer " + bad("spender")), 401);
        }
    }

    /** Nothing the upstream received carries a bad token or a token at all. */
    static void upstreamSawNoToken(int from, String... tokens) {
        List<DemoUpstream.Received> seen = e2e.upstream.received().subList(from, e2e.upstream.received().size());
        for (DemoUpstream.Received r : seen) {
            assertThat(r.text()).doesNotContain("\"token\"");
            for (String t : tokens) {
                assertThat(r.text()).doesNotContain(t);
            }
        }
    }

    @Test
    void manyBadConnectsOnOneSocketCostThreeVerificationsAndReconnectingHitsTheIpBudget() throws Exception {
        String ip = ip();
        int received = e2e.upstream.received().size();
        String token = bad("mallory");
        long before = verifications();
        try (WsTestClient c = sio(ip)) {
            int sent = 0;
            try {
                for (; sent < 1500; sent++) {
                    c.sendText("40{\"token\":\"" + token + "\"}");
                }
            } catch (Exception closedByTheGateway) {
                // the 4th CONNECT closed the socket: later writes fail
            }
            assertThat(sent).isGreaterThan(3);
            for (int i = 0; i < 3; i++) {
                assertThat(nextText(c)).isEqualTo("44{\"message\":\"Invalid token\"}");
            }
            assertThat(c.closeCode(Duration.ofSeconds(5))).isEqualTo(4401);
        }
        assertThat(verifications() - before).as("verifications for 1500 bad CONNECTs").isEqualTo(3);

        // a new socket from the same IP: 2 failures left in its budget, then CONNECT closes 4429 unverified
        try (WsTestClient c = sio(ip)) {
            c.sendText("40{\"token\":\"" + token + "\"}");
            assertThat(nextText(c)).isEqualTo("44{\"message\":\"Invalid token\"}");
            c.sendText("40{\"token\":\"" + token + "\"}");
            assertThat(nextText(c)).isEqualTo("44{\"message\":\"Invalid token\"}");
            c.sendText("40{\"token\":\"" + good("alice") + "\"}");
            assertThat(c.closeCode(Duration.ofSeconds(5))).isEqualTo(4429);
        }
        assertThat(verifications() - before).isEqualTo(5);
        WsTestClient.Refused r = e2e.refused(from(ip, "/socket.io/?EIO=4&transport=websocket"), 429);
        assertThat(Long.parseLong(r.headers.get("Retry-After"))).isPositive();
        assertThat(verifications() - before).isEqualTo(5);
        upstreamSawNoToken(received, token);
        assertThat(e2e.upstream.received().subList(received, e2e.upstream.received().size()))
                .noneMatch(m -> m.text().startsWith("40"));
    }

    @Test
    void afterFiveFailedHandshakesAnIpGets429WithRetryAfterUnverifiedWhileOthersAreServed() throws Exception {
        String spent = ip();
        String other = ip();
        long before = verifications();
        exhaust(spent);
        assertThat(verifications() - before).isEqualTo(5);

        for (String token : List.of(bad("mallory"), good("alice"))) {
            WsTestClient.Refused r = e2e.refused(from(spent, "/chat").header("Authorization", "Bearer " + token), 429);
            assertThat(Long.parseLong(r.headers.get("Retry-After"))).as("12 s per token at 5/min").isBetween(1L, 12L);
        }
        e2e.refused(from(spent, "/fm"), 429);
        assertThat(verifications() - before).as("no verification over budget").isEqualTo(5);
        HttpResponse<String> metrics = e2e.admin("GET", "/metrics", null);
        assertThat(metrics.body()).containsPattern("(?m)^wsgate_auth_budget_refusals_total [1-9]")
                .containsPattern("(?m)^wsgate_token_verifications_total [1-9]");

        try (WsTestClient c = from(other, "/chat").header("Authorization", "Bearer " + good("bob")).connect()) {
            E2e.assertEchoes(c, "{\"type\":\"hello\"}");
        }
        e2e.refused(from(other, "/chat").header("Authorization", "Bearer " + bad("eve")), 401);
        assertThat(verifications() - before).as("the other IP is verified as usual").isEqualTo(7);
    }

    @Test
    void failingFirstMessageRefreshAndConnectFromAnOverBudgetIpClose4429() throws Exception {
        String ip = ip();
        int received = e2e.upstream.received().size();
        String token = bad("mallory");
        try (WsTestClient fm = from(ip, "/fm").connect();
             WsTestClient json = from(ip, "/chat").header("Authorization", "Bearer " + good("jo")).connect();
             WsTestClient sioAuthed = sio(ip);
             WsTestClient sioPending = sio(ip)) {
            sioAuthed.sendText("40{\"token\":\"" + good("sam") + "\"}");
            assertThat(nextText(sioAuthed)).startsWith("40{"); // the echo upstream answers the forwarded CONNECT
            exhaust(ip);
            long before = verifications();

            fm.sendText("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
            assertThat(fm.closeCode(Duration.ofSeconds(5))).as("first_message").isEqualTo(4429);
            json.sendText("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
            assertThat(json.closeCode(Duration.ofSeconds(5))).as("json refresh").isEqualTo(4429);
            sioAuthed.sendText("42[\"auth\",{\"token\":\"" + token + "\"}]");
            assertThat(sioAuthed.closeCode(Duration.ofSeconds(5))).as("socket.io refresh").isEqualTo(4429);
            sioPending.sendText("40{\"token\":\"" + token + "\"}");
            assertThat(sioPending.closeCode(Duration.ofSeconds(5))).as("CONNECT").isEqualTo(4429);
            assertThat(verifications() - before).as("none of them verified").isZero();
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> e2e.upstream.received().size() >= received + 1);
        upstreamSawNoToken(received, token);
    }

    @Test
    void aFailedRefreshOrFirstMessageUnderBudgetStillCloses4401AtOnce() throws Exception {
        String ip = ip();
        long before = verifications();
        try (WsTestClient fm = from(ip, "/fm").connect()) {
            fm.sendText("{\"type\":\"auth\",\"token\":\"" + bad("x") + "\"}");
            assertThat(fm.closeCode(Duration.ofSeconds(5))).isEqualTo(4401);
        }
        try (WsTestClient c = sio(ip)) {
            c.sendText("40{\"token\":\"" + good("sue") + "\"}");
            assertThat(nextText(c)).startsWith("40{");
            c.sendText("42[\"auth\",{\"token\":\"" + bad("sue") + "\"}]");
            assertThat(c.closeCode(Duration.ofSeconds(5))).isEqualTo(4401);
        }
        assertThat(verifications() - before).isEqualTo(3);
    }
}
