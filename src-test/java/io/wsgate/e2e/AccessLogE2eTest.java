package io.wsgate.e2e;

import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.RawHttp;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code access_log}: one JSON line per closed connection with exact counts, and who closed it. */
class AccessLogE2eTest {
    @TempDir
    Path tmp;

    @Test
    void oneLinePerClosedConnectionWithExactCountsAndTheSideThatClosed() throws Exception {
        Path log = tmp.resolve("access.log");
        try (OpsFixture fx = OpsFixture.in(tmp.resolve("p"), "access_log: " + log + "\n")) {
            fx.route("chat.yaml", """
                    route:
                      path: /chat
                      upstream: { targets: ["%s"] }
                    protocol: { kind: json, event: type }
                    %s
                    events:
                      default: deny
                      rules:
                        hello: {}
                    """.formatted(fx.upstreamUrl("/echo"), OpsFixture.hs256Auth())).start();
            String hello = "{\"type\":\"hello\",\"text\":\"hé\"}";
            String refused = "{\"type\":\"admin-kick\"}";
            try (WsTestClient c = fx.connectAs("/chat", "alice")) {
                E2e.assertEchoes(c, hello);
                c.sendText(refused);
                assertThat(OpsFixture.notice(c.next()).path("code").asString()).isEqualTo("unknown_event");
                E2e.assertEchoes(c, hello);
                c.close(1000, "bye");
                assertThat(c.closeCode(Duration.ofSeconds(5))).isEqualTo(1000);
            }
            // the upstream ends the second one
            int before = fx.upstream.handshakes().size();
            try (WsTestClient c = fx.connectAs("/chat", "bob")) {
                await().atMost(Duration.ofSeconds(5)).until(() -> fx.upstream.handshakes().size() > before);
                DemoUpstream.Handshake hs = fx.upstream.handshakes().get(fx.upstream.handshakes().size() - 1);
                hs.channel().writeAndFlush(new CloseWebSocketFrame(4000, "done for today"));
                assertThat(c.closeCode(Duration.ofSeconds(5))).isEqualTo(4000);
            }
            // a refused handshake is an audit line, not an access line
            assertThat(RawHttp.status(RawHttp.exchange(fx.gateway.port(), RawHttp.upgrade("/chat", "").getBytes(), 3000)))
                    .isEqualTo(401);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 2);
        } // closing flushes the log

        List<JsonNode> lines = Files.readAllLines(log).stream().map(OpsFixture::json).toList();
        assertThat(lines).hasSize(2);
        JsonNode a = lines.get(0);
        int helloBytes = "{\"type\":\"hello\",\"text\":\"hé\"}".getBytes(StandardCharsets.UTF_8).length;
        assertThat(a.path("kind").asString()).isEqualTo("access");
        assertThat(a.path("user").asString()).isEqualTo("alice");
        assertThat(a.path("ip").asString()).isEqualTo("127.0.0.1");
        assertThat(a.path("route").asString()).isEqualTo("/chat");
        assertThat(a.path("transport").asString()).isEqualTo("websocket");
        assertThat(a.path("upstream").asString()).startsWith("ws://127.0.0.1:").endsWith("/echo");
        assertThat(a.path("messages_in").asLong()).isEqualTo(3);
        assertThat(a.path("messages_out").asLong()).isEqualTo(2);
        assertThat(a.path("bytes_in").asLong()).isEqualTo(2L * helloBytes + "{\"type\":\"admin-kick\"}".length());
        assertThat(a.path("bytes_out").asLong()).isEqualTo(2L * helloBytes);
        assertThat(a.path("refused").asLong()).isEqualTo(1);
        assertThat(a.path("close_code").asInt()).isEqualTo(1000);
        assertThat(a.path("close_by").asString()).isEqualTo("client");
        assertThat(a.path("close_reason").asString()).isEqualTo("bye");
        assertThat(a.path("duration_ms").asLong()).isNotNegative();
        assertThat(a.path("connection").asLong()).isPositive();
        assertThat(a.path("time").asString()).endsWith("Z");

        JsonNode b = lines.get(1);
        assertThat(b.path("user").asString()).isEqualTo("bob");
        assertThat(b.path("messages_in").asLong()).isZero();
        assertThat(b.path("close_code").asInt()).isEqualTo(4000);
        assertThat(b.path("close_by").asString()).isEqualTo("upstream");
        assertThat(b.path("close_reason").asString()).isEqualTo("done for today");
    }
}
