package io.wsgate.e2e;

import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.wsgate.testing.RedisServer;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3 across instances: two real gateways share revocations through a real redis-server on a free
 * 127.0.0.1 port; a revocation posted to A closes the user's socket on B with 4401 and B refuses the token.
 */
class RedisRevocationE2eTest {
    @TempDir
    static Path dir;
    static RedisServer redis;
    static E2e a;
    static E2e b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        int port = redis.port();
        String state = "state: { store: redis, redis_url: \"redis://127.0.0.1:" + port + "\", on_failure: fail_open }\n";
        String route = E2e.jsonRoute("/live", "RS256, ES256", "");
        a = E2e.start(dir.resolve("a"), state, List.of(), "live.yaml", route);
        b = E2e.start(dir.resolve("b"), state, List.of(), "live.yaml", route);
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void revocationPostedToAClosesTheSocketOnB() throws Exception {
        String sub = "redis-user-" + System.nanoTime();
        String token = E2e.token("RS256", sub);
        try (WsTestClient onB = b.connect("/live", token);
             WsTestClient otherOnB = b.connect("/live", E2e.token("RS256", "redis-bystander"))) {
            E2e.assertEchoes(onB, "{\"type\":\"x\"}");
            long t0 = System.nanoTime();
            int closedOnA = a.revoke("{\"sub\":\"" + sub + "\"}");
            assertThat(onB.closeCode(Duration.ofSeconds(5))).isEqualTo(4401);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[e2e] redis: revocation posted to A closed the socket on B after %d ms%n", ms);
            assertThat(closedOnA).as("A had no socket of that user").isZero();
            assertThat(ms).isLessThan(2000);
            E2e.assertEchoes(otherOnB, "{\"type\":\"still-here\"}");
        }
        int before = b.upstream.accepted();
        b.refused(WsTestClient.to(b.ws("/live")).header("Authorization", "Bearer " + token), 403);
        a.refused(WsTestClient.to(a.ws("/live")).header("Authorization", "Bearer " + token), 403);
        assertThat(b.upstream.accepted()).isEqualTo(before);
    }

    @Test
    void jtiRevocationPostedToBIsRefusedOnA() throws Exception {
        String jti = "redis-jti-" + System.nanoTime();
        String token = E2e.token("ES256", io.wsgate.auth.AuthFixtures.claims("redis-jti-user").jwtID(jti).build());
        try (WsTestClient onA = a.connect("/live", token)) {
            E2e.assertEchoes(onA, "{\"type\":\"x\"}");
            b.revoke("{\"jti\":\"" + jti + "\"}");
            assertThat(onA.closeCode(Duration.ofSeconds(5))).isEqualTo(4401);
        }
        a.refused(WsTestClient.to(a.ws("/live")).header("Authorization", "Bearer " + token), 403);
        // lifted on A: accepted on B again
        assertThat(a.admin("DELETE", "/admin/revoke", "{\"jti\":\"" + jti + "\"}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            try (WsTestClient c = b.connect("/live", token)) {
                E2e.assertEchoes(c, "{\"type\":\"back\"}");
            }
        });
    }
}
