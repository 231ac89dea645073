package io.wsgate.e2e;

import io.wsgate.testing.RawHttp;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /metrics} scraped after known traffic: every counter equals what was sent. */
class MetricsEndToEndTest {
    @TempDir
    Path tmp;

    private static final String CHAT = """
            route:
              path: /chat
              upstream: { targets: ["%s"] }
            protocol: { kind: json, event: type }
            %s
            events:
              default: deny
              rules:
                hello: {}
                limited: { rate: { limit: 1, per: 1m } }
            """;

    @Test
    void countersMatchTheTrafficSent() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            fx.route("chat.yaml", CHAT.formatted(fx.upstreamUrl("/echo"), OpsFixture.hs256Auth()));
            fx.route("down.yaml", """
                    route:
                      path: /down
                      upstream: { targets: ["ws://127.0.0.1:1/echo"], connect_timeout: 2s }
                    """);
            fx.start();

            // handshakes: 2 accepted, 2 x 401, 1 x 404, 1 x 502 (upstream unreachable)
            WsTestClient alice = fx.connectAs("/chat", "alice");
            WsTestClient bob = fx.connectAs("/chat", "bob");
            assertThat(RawHttp.status(RawHttp.exchange(fx.gateway.port(), RawHttp.upgrade("/chat", "").getBytes(), 3000)))
                    .isEqualTo(401);
            assertThat(RawHttp.status(RawHttp.exchange(fx.gateway.port(), RawHttp.upgrade("/chat",
                    "Authorization: Bearer " + fx.tokens.badSignature("mallory", "user") + "\r\n").getBytes(), 3000)))
                    .isEqualTo(401);
            assertThat(RawHttp.status(RawHttp.exchange(fx.gateway.port(), RawHttp.upgrade("/nowhere", "").getBytes(), 3000)))
                    .isEqualTo(404);
            assertThat(RawHttp.status(RawHttp.exchange(fx.gateway.port(), RawHttp.upgrade("/down", "").getBytes(), 5000)))
                    .isEqualTo(502);

            // messages: alice 3 hello + 3 limited (1 passes) + 1 unknown; bob 1 hello -> 8 in, 5 forwarded and echoed
            for (int i = 0; i < 3; i++) {
                alice.sendText("{\"type\":\"hello\",\"i\":" + i + "}");
            }
            for (int i = 0; i < 3; i++) {
                alice.sendText("{\"type\":\"limited\",\"i\":" + i + "}");
            }
            alice.sendText("{\"type\":\"nope\"}");
            bob.sendText("{\"type\":\"hello\",\"i\":9}");
            await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 5);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    fx.scrape().count("wsgate_messages_total", "route=/chat", "direction=out") == 5
                            && fx.scrape().count("wsgate_messages_total", "route=/chat", "direction=in") == 8);

            // reloads: one success, one failure
            assertThat(fx.reload().statusCode()).isEqualTo(200);
            fx.route("down.yaml", "route: { path: /down, upstream: { targets: [] } }\n");
            assertThat(fx.reload().statusCode()).isEqualTo(400);

            OpsFixture.Scrape m = fx.scrape();
            assertThat(m.count("wsgate_handshakes_total", "route=/chat", "outcome=accepted", "status=101")).isEqualTo(2);
            assertThat(m.count("wsgate_handshakes_total", "outcome=refused", "status=401")).isEqualTo(2);
            assertThat(m.count("wsgate_handshakes_total", "outcome=refused", "status=404")).isEqualTo(1);
            assertThat(m.count("wsgate_handshakes_total", "route=/down", "outcome=refused", "status=502")).isEqualTo(1);
            assertThat(m.count("wsgate_handshakes_total", "route=/down", "status=101"))
                    .as("a 502 is not an accepted handshake").isZero();
            assertThat(m.count("wsgate_messages_total", "route=/chat", "direction=in")).isEqualTo(8);
            assertThat(m.count("wsgate_messages_total", "route=/chat", "direction=out")).isEqualTo(5);
            assertThat(m.count("wsgate_refusals_total", "route=/chat", "event=limited", "reason=rate_limited")).isEqualTo(2);
            assertThat(m.count("wsgate_refusals_total", "route=/chat", "event=nope", "reason=unknown_event")).isEqualTo(1);
            assertThat(m.count("wsgate_refusals_total", "route=/chat", "event=hello")).isZero();
            assertThat(m.count("wsgate_rate_limited_total", "route=/chat")).isEqualTo(2);
            assertThat(m.count("wsgate_upstream_connect_failures_total", "route=/down")).isEqualTo(1);
            assertThat(m.count("wsgate_upstream_connect_failures_total", "route=/chat")).isZero();
            assertThat(m.count("wsgate_reloads_total", "outcome=success")).isEqualTo(1);
            assertThat(m.count("wsgate_reloads_total", "outcome=failure")).isEqualTo(1);
            assertThat(m.value("wsgate_policy_version")).isEqualTo(2);
            assertThat(m.value("wsgate_state_store_up", "store=memory")).isEqualTo(1);
            assertThat(m.value("wsgate_connections_open", "route=/chat")).isEqualTo(2);
            // one latency sample per answered handshake (101 or refusal), measured, not zero
            // by route: /chat 2 accepted + 2 x 401, "none" the 404, /down the 502
            assertThat(m.value("wsgate_handshake_latency_seconds_count", "route=/chat")).isEqualTo(4);
            assertThat(m.value("wsgate_handshake_latency_seconds_count", "route=none")).isEqualTo(1);
            assertThat(m.value("wsgate_handshake_latency_seconds_count", "route=/down")).isEqualTo(1);
            assertThat(m.value("wsgate_handshake_latency_seconds_sum", "route=/chat")).isGreaterThan(0);
            assertThat(m.value("wsgate_handshake_latency_seconds_max", "route=/chat")).isGreaterThan(0);
            assertThat(m.text()).contains("wsgate_handshake_latency_seconds_bucket{route=\"/chat\",le=");
            Promtool.assertValid(m.text());
            assertThat(m.value("wsgate_build_info", "version=" + io.wsgate.metrics.BuildInfo.current().version()))
                    .isEqualTo(1);
            assertThat(m.value("process_files_open_files")).isGreaterThan(0);
            assertThat(m.value("jvm_threads_live_threads")).isGreaterThan(0);
            assertThat(m.text()).contains("jvm_memory_used_bytes{").contains("jvm_gc_");

            bob.close(1000, "bye");
            assertThat(bob.closeCode()).isEqualTo(1000);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    fx.scrape().value("wsgate_connections_open", "route=/chat") == 1);
            alice.close();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    fx.scrape().value("wsgate_connections_open", "route=/chat") == 0);
            assertThat(fx.scrape().value("wsgate_connections_open", "route=/down")).isZero();
        }
    }

    /** The latency of a refusal is the real time spent answering it, not 0. */
    @Test
    void handshakeLatencyCoversTheUpstreamConnect() throws Exception {
        // an upstream whose kernel accepts the TCP connection but which never answers the upgrade: 502 after 300 ms
        try (OpsFixture fx = OpsFixture.in(tmp);
             java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            fx.route("slow.yaml", """
                    route:
                      path: /slow
                      upstream: { targets: ["ws://127.0.0.1:%d/echo"], connect_timeout: 300ms }
                    """.formatted(silent.getLocalPort())).start();
            long t0 = System.nanoTime();
            String res = RawHttp.exchange(fx.gateway.port(), RawHttp.upgrade("/slow", "").getBytes(), 5000);
            long took = System.nanoTime() - t0;
            assertThat(RawHttp.status(res)).isEqualTo(502);
            OpsFixture.Scrape m = fx.scrape();
            assertThat(m.value("wsgate_handshake_latency_seconds_count", "route=/slow")).isEqualTo(1);
            double seconds = m.value("wsgate_handshake_latency_seconds_sum", "route=/slow");
            assertThat(seconds).isGreaterThanOrEqualTo(0.25).isLessThanOrEqualTo(took / 1e9);
        }
    }
}
