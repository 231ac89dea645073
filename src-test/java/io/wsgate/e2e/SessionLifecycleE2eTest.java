package io.wsgate.e2e;

import com.nimbusds.jwt.JWTClaimsSet;
import io.wsgate.auth.AuthFixtures;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3, open sockets through the whole gateway: expiry and admin revocations close them with 4401 (time to
 * close measured and printed), revoked tokens get 403 afterwards, a sub revocation spares later logins, DELETE
 * lifts it, the per-user session cap follows {@code on_excess_sessions}, and {@code refresh_event} moves the expiry.
 */
class SessionLifecycleE2eTest {
    /** clock_skew in the route files; expiry may close no later than exp + 1 s + this. */
    static final long SKEW_MS = 1000;

    @TempDir
    static Path dir;
    static E2e e2e;

    @BeforeAll
    static void start() throws Exception {
        e2e = E2e.start(dir,
                "live.yaml", E2e.jsonRoute("/live", "RS256, ES256", "  refresh_event: auth"),
                "one.yaml", E2e.jsonRoute("/one", "RS256", "  max_sessions_per_user: 1\n  on_excess_sessions: close_oldest"),
                "keep.yaml", E2e.jsonRoute("/keep", "RS256", "  close_on_expiry: false"),
                "only.yaml", E2e.jsonRoute("/only", "RS256", "  max_sessions_per_user: 1\n  on_excess_sessions: reject"));
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
    }

    static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void expiryClosesTheOpenSocketWith4401() throws Exception {
        long exp = nowSeconds() + 3; // 2..3 s ahead
        try (WsTestClient c = e2e.connect("/live", E2e.expiringAt("exp-user", exp))) {
            E2e.assertEchoes(c, "{\"type\":\"before\"}");
            int code = c.closeCode(Duration.ofSeconds(6));
            long closedAt = System.currentTimeMillis();
            long late = closedAt - exp * 1000;
            System.out.printf("[e2e] expiry: socket closed %d ms after exp (bound %d ms)%n", late, 1000 + SKEW_MS);
            assertThat(code).isEqualTo(4401);
            assertThat(late).isBetween(-100L, 1000 + SKEW_MS);
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> e2e.upstream.closeCodes().contains(1001));
    }

    @Test
    void revocationByJtiClosesAndLaterHandshakesGet403UntilLifted() throws Exception {
        String jti = "jti-" + System.nanoTime();
        String token = E2e.token("RS256", AuthFixtures.claims("jti-user").jwtID(jti).build());
        try (WsTestClient c = e2e.connect("/live", token);
             WsTestClient other = e2e.connect("/live", E2e.token("RS256", "jti-user"))) {
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
            long t0 = System.nanoTime();
            assertThat(e2e.revoke("{\"jti\":\"" + jti + "\"}")).isEqualTo(1);
            assertThat(c.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
            System.out.printf("[e2e] revoke jti: socket closed %.1f ms after the POST was sent%n", (System.nanoTime() - t0) / 1e6);
            // the same user's other token is untouched
            E2e.assertEchoes(other, "{\"type\":\"still-here\"}");
        }
        int before = e2e.upstream.accepted();
        WsTestClient.Refused r = e2e.refused(WsTestClient.to(e2e.ws("/live")).header("Authorization", "Bearer " + token), 403);
        assertThat(r.body).doesNotContain(token);
        assertThat(e2e.upstream.accepted()).isEqualTo(before);

        HttpResponse<String> lifted = e2e.admin("DELETE", "/admin/revoke", "{\"jti\":\"" + jti + "\"}");
        assertThat(lifted.statusCode()).isEqualTo(200);
        try (WsTestClient c = e2e.connect("/live", token)) {
            E2e.assertEchoes(c, "{\"type\":\"back\"}");
        }
    }

    @Test
    void revocationByTokenClosesOnlyThatToken() throws Exception {
        String token = E2e.token("ES256", "tok-user");
        try (WsTestClient a = e2e.connect("/live", token);
             WsTestClient b = e2e.connect("/live", token);
             WsTestClient other = e2e.connect("/live", E2e.token("ES256", "tok-user"))) {
            E2e.assertEchoes(a, "{\"type\":\"x\"}");
            E2e.assertEchoes(b, "{\"type\":\"x\"}");
            assertThat(e2e.revoke("{\"token\":\"" + token + "\"}")).isEqualTo(2);
            assertThat(a.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
            assertThat(b.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
            E2e.assertEchoes(other, "{\"type\":\"still-here\"}");
        }
        e2e.refused(WsTestClient.to(e2e.ws("/live?access_token=" + token)), 403);
        assertThat(e2e.admin("DELETE", "/admin/revoke", "{\"token\":\"" + token + "\"}").statusCode()).isEqualTo(200);
        try (WsTestClient c = e2e.connect("/live", token)) {
            E2e.assertEchoes(c, "{\"type\":\"back\"}");
        }
    }

    @Test
    void revocationBySubClosesEverySocketOfTheUserAndSparesLaterLogins() throws Exception {
        String sub = "sub-user-" + System.nanoTime();
        String t1 = E2e.token("RS256", sub);
        String t2 = E2e.token("RS256", sub);
        try (WsTestClient a = e2e.connect("/live", t1);
             WsTestClient b = e2e.connect("/one", t2);
             WsTestClient bystander = e2e.connect("/live", E2e.token("RS256", "bystander"))) {
            E2e.assertEchoes(a, "{\"type\":\"x\"}");
            E2e.assertEchoes(b, "{\"type\":\"x\"}");
            long t0 = System.nanoTime();
            int closed = e2e.revoke("{\"sub\":\"" + sub + "\"}");
            assertThat(a.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
            assertThat(b.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[e2e] revoke sub: both sockets closed %d ms after the POST was sent%n", ms);
            assertThat(closed).isEqualTo(2);
            assertThat(ms).isLessThan(1000);
            E2e.assertEchoes(bystander, "{\"type\":\"still-here\"}");
        }
        // tokens issued at or before the revocation: 403
        e2e.refused(WsTestClient.to(e2e.ws("/live")).header("Authorization", "Bearer " + t1), 403);
        String sameSecond = E2e.token("RS256", AuthFixtures.claims(sub).issueTime(new Date(nowSeconds() * 1000 - 1)).build());
        e2e.refused(WsTestClient.to(e2e.ws("/live")).header("Authorization", "Bearer " + sameSecond), 403);
        // a fresh login (iat after the revocation second) connects
        long next = (nowSeconds() + 1) * 1000;
        Thread.sleep(Math.max(0, next - System.currentTimeMillis() + 20));
        String fresh = E2e.token("RS256", AuthFixtures.claims(sub).issueTime(new Date()).build());
        try (WsTestClient c = e2e.connect("/live", fresh)) {
            E2e.assertEchoes(c, "{\"type\":\"fresh\"}");
        }
        // DELETE lifts it: the old token works again
        assertThat(e2e.admin("DELETE", "/admin/revoke", "{\"sub\":\"" + sub + "\"}").statusCode()).isEqualTo(200);
        try (WsTestClient c = e2e.connect("/live", t1)) {
            E2e.assertEchoes(c, "{\"type\":\"old-again\"}");
        }
    }

    @Test
    void revokeCountsOnlySocketsItClosed() throws Exception {
        assertThat(e2e.revoke("{\"sub\":\"nobody-" + System.nanoTime() + "\"}")).isZero();
        assertThat(e2e.admin("POST", "/admin/revoke", "{\"sub\":\"a\",\"jti\":\"b\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> noAuth = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("http://127.0.0.1:" + e2e.gateway.adminPort() + "/admin/revoke"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"sub\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noAuth.statusCode()).isEqualTo(401);
    }

    @Test
    void closeOldestReplacesTheOldSessionWith4409() throws Exception {
        try (WsTestClient old = e2e.connect("/one", E2e.token("RS256", "cap-user"))) {
            E2e.assertEchoes(old, "{\"type\":\"x\"}");
            try (WsTestClient fresh = e2e.connect("/one", E2e.token("RS256", "cap-user"))) {
                assertThat(old.closeCode(Duration.ofSeconds(3))).isEqualTo(4409);
                E2e.assertEchoes(fresh, "{\"type\":\"y\"}");
            }
        }
    }

    @Test
    void rejectRefusesTheExtraSessionWith429AndRetryAfter() throws Exception {
        try (WsTestClient first = e2e.connect("/only", E2e.token("RS256", "rej-user"))) {
            E2e.assertEchoes(first, "{\"type\":\"x\"}");
            int before = e2e.upstream.accepted();
            WsTestClient.Refused r = e2e.refused(WsTestClient.to(e2e.ws("/only"))
                    .header("Authorization", "Bearer " + E2e.token("RS256", "rej-user")), 429);
            assertThat(r.headers.get("Retry-After")).matches("\\d+");
            assertThat(e2e.upstream.accepted()).isEqualTo(before);
            E2e.assertEchoes(first, "{\"type\":\"still-here\"}");
        }
        // once the first one is gone, the user may connect again
        await().atMost(Duration.ofSeconds(3)).ignoreExceptions().untilAsserted(() -> {
            try (WsTestClient again = e2e.connect("/only", E2e.token("RS256", "rej-user"))) {
                E2e.assertEchoes(again, "{\"type\":\"z\"}");
            }
        });
    }

    @Test
    void refreshEventMovesTheExpiry() throws Exception {
        long exp = nowSeconds() + 3;
        int receivedBefore = e2e.upstream.received().size();
        try (WsTestClient c = e2e.connect("/live", E2e.expiringAt("ref-user", exp))) {
            String fresh = E2e.token("ES256", "ref-user");
            c.sendText("{\"type\":\"auth\",\"token\":\"" + fresh + "\"}");
            // past the old exp (+ skew) the socket still relays
            Thread.sleep(Math.max(0, exp * 1000 + SKEW_MS + 500 - System.currentTimeMillis()));
            E2e.assertEchoes(c, "{\"type\":\"after-old-exp\"}");
            assertThat(c.poll()).isNull();
        }
        // the refresh message was consumed: the upstream only saw the test message
        assertThat(e2e.upstream.received().subList(receivedBefore, e2e.upstream.received().size()))
                .noneMatch(m -> m.text().contains("\"auth\""));
    }

    @Test
    void invalidRefreshCloses4401() throws Exception {
        try (WsTestClient c = e2e.connect("/live", E2e.token("RS256", "bad-ref"))) {
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
            c.sendText("{\"type\":\"auth\",\"token\":\"garbage\"}");
            assertThat(c.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
        }
        try (WsTestClient c = e2e.connect("/live", E2e.token("RS256", "bad-ref"))) {
            c.sendText("{\"type\":\"auth\",\"token\":\"" + E2e.token("RS256", "someone-else") + "\"}");
            assertThat(c.closeCode(Duration.ofSeconds(3))).as("refresh for another subject").isEqualTo(4401);
        }
        JWTClaimsSet expired = AuthFixtures.claims("bad-ref").expirationTime(new Date(System.currentTimeMillis() - 60_000)).build();
        try (WsTestClient c = e2e.connect("/live", E2e.token("RS256", "bad-ref"))) {
            c.sendText("{\"type\":\"auth\",\"token\":\"" + E2e.token("RS256", expired) + "\"}");
            assertThat(c.closeCode(Duration.ofSeconds(3))).as("expired refresh").isEqualTo(4401);
        }
    }

    @Test
    void refreshWithARevokedTokenCloses4401() throws Exception {
        String jti = "rev-ref-" + System.nanoTime();
        String revoked = E2e.token("RS256", AuthFixtures.claims("rev-ref").jwtID(jti).build());
        assertThat(e2e.revoke("{\"jti\":\"" + jti + "\"}")).isZero();
        try (WsTestClient c = e2e.connect("/live", E2e.token("RS256", "rev-ref"))) {
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
            c.sendText("{\"type\":\"auth\",\"token\":\"" + revoked + "\"}");
            assertThat(c.closeCode(Duration.ofSeconds(3))).isEqualTo(4401);
        }
    }

    @Test
    void revocationWithTtlEndsByItself() throws Exception {
        String jti = "ttl-" + System.nanoTime();
        String token = E2e.token("RS256", AuthFixtures.claims("ttl-user").jwtID(jti).build());
        assertThat(e2e.revoke("{\"jti\":\"" + jti + "\",\"ttl\":\"2s\"}")).isZero();
        e2e.refused(WsTestClient.to(e2e.ws("/live")).header("Authorization", "Bearer " + token), 403);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
            try (WsTestClient c = e2e.connect("/live", token)) {
                E2e.assertEchoes(c, "{\"type\":\"x\"}");
            }
        });
    }

    @Test
    void closeOnExpiryFalseKeepsTheSocketOpen() throws Exception {
        long exp = nowSeconds() + 2;
        try (WsTestClient c = e2e.connect("/keep", E2e.expiringAt("keep-user", exp))) {
            Thread.sleep(Math.max(0, exp * 1000 + SKEW_MS + 300 - System.currentTimeMillis()));
            E2e.assertEchoes(c, "{\"type\":\"still-open\"}");
        }
    }
}
