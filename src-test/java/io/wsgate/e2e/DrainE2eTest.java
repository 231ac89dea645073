package io.wsgate.e2e;

import io.wsgate.testing.RedisServer;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Readiness and drain (contract: {@code shutdown}, {@code GET /readyz}, {@code POST /admin/drain}): readiness
 * goes first, the listener stays open for {@code drain_delay} so a load balancer stops sending before anything
 * closes, then every socket gets 1001 and the listener is gone.
 */
class DrainE2eTest {
    @TempDir
    Path tmp;

    private static final String ECHO = """
            route:
              path: /echo
              upstream: { targets: ["%s"] }
            """;

    @Test
    void drainTurnsReadinessFirstThenClosesTheListenerAndEverySocketWith1001() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp, "shutdown: { drain_delay: 3s, drain_timeout: 5s }\n")) {
            fx.route("echo.yaml", ECHO.formatted(fx.upstreamUrl("/echo"))).start();
            assertThat(fx.admin("GET", "/readyz").statusCode()).isEqualTo(200);
            assertThat(fx.admin("GET", "/readyz").body()).isEqualTo("ready");
            try (WsTestClient open = fx.connect("/echo")) {
                E2e.assertEchoes(open, "before");
                long t0 = System.nanoTime();
                HttpResponse<String> drain = fx.admin("POST", "/admin/drain");
                assertThat(drain.statusCode()).isEqualTo(200);
                assertThat(drain.body()).isEqualTo("{\"open\":1}");
                HttpResponse<String> ready = fx.admin("GET", "/readyz");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).isEqualTo("draining");
                // within drain_delay: still serving, old and new sockets alike
                try (WsTestClient late = fx.connect("/echo")) {
                    E2e.assertEchoes(late, "during the delay");
                    E2e.assertEchoes(open, "still open");
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("checked inside the delay")
                            .isLessThan(Duration.ofSeconds(3));
                    assertThat(open.closeCode(Duration.ofSeconds(10))).isEqualTo(1001);
                    assertThat(open.closeReason()).isEqualTo("gateway shutting down");
                    assertThat(late.closeCode(Duration.ofSeconds(5))).isEqualTo(1001);
                }
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not before drain_delay")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
            }
            int port = fx.gateway.port();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                }
            }).isInstanceOf(java.net.ConnectException.class));
            // final: a second drain only reports; the admin API keeps answering
            assertThat(fx.admin("POST", "/admin/drain").body()).isEqualTo("{\"open\":0}");
            assertThat(fx.admin("GET", "/readyz").statusCode()).isEqualTo(503);
            assertThat(fx.admin("GET", "/admin/drain").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void notReadyWhileAJwksUrlHasNeverLoaded() throws Exception {
        int dead = RedisServer.freePort();
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            fx.route("echo.yaml", ECHO.formatted(fx.upstreamUrl("/echo")));
            fx.route("idp.yaml", """
                    route:
                      path: /idp
                      upstream: { targets: ["%s"] }
                    auth:
                      jwt:
                        algorithms: [RS256]
                        jwks_url: http://127.0.0.1:%d/jwks.json
                    """.formatted(fx.upstreamUrl("/echo"), dead)).start();
            HttpResponse<String> ready = fx.admin("GET", "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("jwks_url of route /idp never loaded");
            // alive all the same, and routes that need no keys still serve
            assertThat(fx.admin("GET", "/healthz").statusCode()).isEqualTo(200);
            try (WsTestClient c = fx.connect("/echo")) {
                E2e.assertEchoes(c, "x");
            }
        }
    }

    @Test
    void notReadyWhileTheStoreIsDownUnderFailClosedButReadyUnderFailOpen() throws Exception {
        int dead = RedisServer.freePort();
        String state = "state: { store: redis, redis_url: \"redis://127.0.0.1:%d\", on_failure: %s }\n";
        try (OpsFixture fx = OpsFixture.in(tmp.resolve("closed"), state.formatted(dead, "fail_closed"))) {
            fx.route("echo.yaml", ECHO.formatted(fx.upstreamUrl("/echo"))).start();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                HttpResponse<String> r = fx.admin("GET", "/readyz");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).isEqualTo("state store down (fail_closed)");
            });
            assertThat(fx.scrape().value("wsgate_state_store_up", "store=redis")).isZero();
        }
        try (OpsFixture fx = OpsFixture.in(tmp.resolve("open"), state.formatted(dead, "fail_open"))) {
            fx.route("echo.yaml", ECHO.formatted(fx.upstreamUrl("/echo"))).start();
            assertThat(fx.admin("GET", "/readyz").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(fx.scrape().value("wsgate_state_store_up", "store=redis")).isZero());
        }
    }
}
