package io.wsgate.e2e;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a reload changes for sockets already open, and for new ones; the file watcher as a trigger. */
class LiveReloadEndToEndTest {
    @TempDir
    Path tmp;

    private static String route(String target, String rest) {
        return """
                route:
                  path: /chat
                  upstream: { targets: ["%s"] }
                protocol: { kind: json, event: type }
                %s""".formatted(target, rest);
    }

    @Test
    void anEventRemovedFromTheAllowlistIsRefusedOnAnOpenSocketFromTheNextMessage() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            String both = """
                    events:
                      default: deny
                      rules:
                        join-room: {}
                        typing: {}
                    """;
            fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), both)).start();
            try (WsTestClient c = fx.connect("/chat")) {
                c.sendText("{\"type\":\"typing\",\"n\":1}");
                await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 1);
                fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), both.replace("    typing: {}\n", "")));
                HttpResponse<String> r = fx.reload();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(OpsFixture.json(r.body()).path("routes").toString()).isEqualTo("[\"/chat\"]");
                c.sendText("{\"type\":\"typing\",\"n\":2}");
                c.sendText("{\"type\":\"join-room\",\"n\":3}");
                await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 2);
                assertThat(fx.receivedOn("/echo")).containsExactly("{\"type\":\"typing\",\"n\":1}",
                        "{\"type\":\"join-room\",\"n\":3}");
                JsonNode notice = null;
                while (notice == null) {
                    notice = OpsFixture.notice(c.next());
                }
                assertThat(notice.path("code").asString()).isEqualTo("unknown_event");
                assertThat(notice.path("event").asString()).isEqualTo("typing");
                assertThat(c.channel().isActive()).isTrue();
                assertThat(fx.scrape().count("wsgate_refusals_total", "route=/chat", "event=typing",
                        "reason=unknown_event")).isEqualTo(1);
            }
        }
    }

    @Test
    void anUpstreamChangeAppliesToNewConnectionsOnly() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp);
             DemoUpstream second = new DemoUpstream("127.0.0.1", 0).start()) {
            fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), "")).start();
            try (WsTestClient before = fx.connect("/chat")) {
                fx.route("chat.yaml", route("ws://127.0.0.1:" + second.port() + "/echo", ""));
                assertThat(fx.reload().statusCode()).isEqualTo(200);
                try (WsTestClient after = fx.connect("/chat")) {
                    before.sendText("{\"type\":\"x\",\"from\":\"before\"}");
                    after.sendText("{\"type\":\"x\",\"from\":\"after\"}");
                    await().atMost(Duration.ofSeconds(5)).until(() ->
                            fx.upstream.received().size() == 1 && second.received().size() == 1);
                    assertThat(fx.receivedOn("/echo")).containsExactly("{\"type\":\"x\",\"from\":\"before\"}");
                    assertThat(second.received().get(0).text()).isEqualTo("{\"type\":\"x\",\"from\":\"after\"}");
                    assertThat(fx.upstream.handshakes()).hasSize(1);
                    assertThat(second.handshakes()).hasSize(1);
                    assertThat(before.channel().isActive()).isTrue();
                }
            }
        }
    }

    @Test
    void theFileWatcherReloadsAChangedRouteAndTheNewLimitHoldsOnTheOpenSocket() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            fx.dir.write("gateway.yaml", """
                    listen: { host: 127.0.0.1, port: 0 }
                    admin: { host: 127.0.0.1, port: 0, token_env: WSGATE_ADMIN_TOKEN }
                    reload: { watch: true }
                    audit: { denials: "off" }
                    """);
            String limited = """
                    events:
                      default: allow
                      rules:
                        msg: { rate: { limit: %s } }
                    """;
            fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), limited.formatted("1000, per: 1s"))).start();
            try (WsTestClient c = fx.connect("/chat")) {
                for (int i = 1; i <= 3; i++) {
                    c.sendText("{\"type\":\"msg\",\"n\":" + i + "}");
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 3);
                assertThat(fx.gateway.policies().get().version()).isEqualTo(1);

                fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), limited.formatted("1, per: 1m")));
                await().atMost(Duration.ofSeconds(10)).until(() -> fx.gateway.policies().get().version() == 2);
                OpsFixture.Scrape m = fx.scrape();
                assertThat(m.count("wsgate_reloads_total", "outcome=success")).isEqualTo(1);
                assertThat(m.value("wsgate_policy_version")).isEqualTo(2);

                for (int i = 4; i <= 6; i++) {
                    c.sendText("{\"type\":\"msg\",\"n\":" + i + "}");
                }
                // 1 per minute now (the budget carries over proportionally: at most the one token of the new bucket)
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        fx.receivedOn("/echo").size() + fx.scrape().count("wsgate_rate_limited_total", "route=/chat") == 6);
                assertThat(fx.receivedOn("/echo").size()).isBetween(3, 4);
                assertThat(fx.scrape().count("wsgate_rate_limited_total", "route=/chat")).isGreaterThanOrEqualTo(2);
                assertThat(c.channel().isActive()).isTrue();

                // a broken file is refused by the watcher too: the old policy keeps serving
                fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), limited.formatted("1, per: never")));
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        fx.scrape().count("wsgate_reloads_total", "outcome=failure") == 1);
                assertThat(fx.gateway.policies().get().version()).isEqualTo(2);
            }
        }
    }

    @Test
    void sighupReloads() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), "")).start();
            // only where the JVM lets us handle HUP; otherwise the signal would end the test JVM
            org.junit.jupiter.api.Assumptions.assumeTrue(fx.gateway.reloads().installSighup());
            fx.route("more.yaml", route(fx.upstreamUrl("/echo"), "").replace("path: /chat", "path: /more"));
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
            assertThat(kill.waitFor()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> fx.gateway.policies().get().version() == 2);
            assertThat(fx.gateway.policies().get().route("/more")).isNotNull();
            try (WsTestClient c = fx.connect("/more")) {
                c.sendText("{\"type\":\"x\"}");
                await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 1);
            }
        }
    }

    @Test
    void aTighterPerUserLimitReachesTheUsersOpenSockets() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            String limits = OpsFixture.hs256Auth() + """
                    rate_limits:
                      per_user:
                        messages: { limit: %d, per: 1m }
                    """;
            fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), limits.formatted(100))).start();
            try (WsTestClient a1 = fx.connectAs("/chat", "alice"); WsTestClient a2 = fx.connectAs("/chat", "alice")) {
                a1.sendText("{\"type\":\"m\",\"n\":1}");
                a2.sendText("{\"type\":\"m\",\"n\":2}");
                await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 2);
                fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), limits.formatted(2)));
                assertThat(fx.reload().statusCode()).isEqualTo(200);
                // 98 of 100 left carry over as 98% of 2: one token at most, shared by both sockets
                for (int n = 3; n <= 6; n++) {
                    (n % 2 == 0 ? a2 : a1).sendText("{\"type\":\"m\",\"n\":" + n + "}");
                }
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        fx.receivedOn("/echo").size() + fx.scrape().count("wsgate_rate_limited_total", "route=/chat") == 6);
                assertThat(fx.receivedOn("/echo").size()).isBetween(2, 3);
                assertThat(a1.channel().isActive() && a2.channel().isActive()).isTrue();
            }
        }
    }

    @Test
    void aRemovedRoutesSocketsKeepTheirLastPolicyAndNewOnesGet404() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            fx.route("chat.yaml", route(fx.upstreamUrl("/echo"), """
                    events:
                      default: deny
                      rules:
                        ok: {}
                    """));
            fx.route("other.yaml", route(fx.upstreamUrl("/echo"), "").replace("path: /chat", "path: /other")).start();
            try (WsTestClient c = fx.connect("/chat")) {
                java.nio.file.Files.delete(fx.dir.path().resolve("chat.yaml"));
                HttpResponse<String> r = fx.reload();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(OpsFixture.json(r.body()).path("routes").toString()).isEqualTo("[\"/other\"]");
                c.sendText("{\"type\":\"no\"}");
                c.sendText("{\"type\":\"ok\"}");
                await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 1);
                assertThat(fx.receivedOn("/echo")).containsExactly("{\"type\":\"ok\"}");
                assertThat(fx.scrape().count("wsgate_refusals_total", "route=/chat", "event=no", "reason=unknown_event"))
                        .isEqualTo(1);
                WsTestClient.Refused refused = null;
                try (WsTestClient late = fx.connect("/chat")) {
                    assertThat(late).as("no route any more").isNull();
                } catch (WsTestClient.Refused e) {
                    refused = e;
                }
                assertThat(refused).isNotNull();
                assertThat(refused.status).isEqualTo(404);
            }
        }
    }
}
