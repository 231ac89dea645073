package io.wsgate.e2e;

import io.wsgate.testing.RawHttp;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code audit: {denials: FILE}}: one JSON line per refusal, handshake or message, never with a token in it. */
class AuditEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void everyRefusalIsOneJsonLineWithoutTheToken() throws Exception {
        OpsFixture fx = OpsFixture.in(tmp, "audit: { denials: audit.log }\n");
        String valid;
        String badSig;
        String garbage = "eyJhbGciOiJIUzI1NiJ9.U0VDUkVUTUFSS0VS.bm90LWEtc2lnbmF0dXJl";
        try (fx) {
            fx.route("chat.yaml", """
                    route:
                      path: /chat
                      upstream: { targets: ["%s"] }
                    protocol: { kind: json, event: type }
                    %s
                    events:
                      default: deny
                      rules:
                        hello: { rate: { limit: 1, per: 1m } }
                    """.formatted(fx.upstreamUrl("/echo"), OpsFixture.hs256Auth()));
            fx.route("down.yaml", """
                    route:
                      path: /down
                      upstream: { targets: ["ws://127.0.0.1:1/echo"] }
                    """);
            fx.start();
            valid = fx.tokens.token("alice", "user");
            badSig = fx.tokens.badSignature("alice", "user");
            int port = fx.gateway.port();
            // handshake refusals: 401 (no token), 401 (bad signature, query), 401 (garbage, header), 404, 502
            assertThat(RawHttp.status(RawHttp.exchange(port, RawHttp.upgrade("/chat", "").getBytes(), 3000))).isEqualTo(401);
            assertThat(RawHttp.status(RawHttp.exchange(port,
                    RawHttp.upgrade("/chat?access_token=" + badSig, "").getBytes(), 3000))).isEqualTo(401);
            assertThat(RawHttp.status(RawHttp.exchange(port,
                    RawHttp.upgrade("/chat", "Authorization: Bearer " + garbage + "\r\n").getBytes(), 3000))).isEqualTo(401);
            assertThat(RawHttp.status(RawHttp.exchange(port, RawHttp.upgrade("/nowhere", "").getBytes(), 3000))).isEqualTo(404);
            String down = RawHttp.exchange(port, RawHttp.upgrade("/down", "").getBytes(), 5000);
            assertThat(RawHttp.status(down)).isEqualTo(502);
            // the client is told the upstream failed, not which one or why, and never a Java class name
            assertThat(down).contains("{\"error\":\"bad_gateway\",\"reason\":\"upstream unavailable\"}")
                    .doesNotContain("Exception").doesNotContain("127.0.0.1:1");
            // message refusals: an unknown event and a rate-limited one (the first hello passes)
            try (WsTestClient c = WsTestClient.to(fx.wsUrl("/chat?access_token=" + valid)).connect()) {
                c.sendText("{\"type\":\"nope\",\"token\":\"" + valid + "\"}");
                c.sendText("{\"type\":\"hello\"}");
                c.sendText("{\"type\":\"hello\"}");
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        fx.scrape().count("wsgate_messages_total", "route=/chat", "direction=in") == 3);
            }
        } // closing the gateway flushes the audit log

        List<String> lines = Files.readAllLines(tmp.resolve("audit.log"));
        assertThat(lines).hasSize(7);
        for (String line : lines) {
            assertThat(line).doesNotContain(valid).doesNotContain(badSig).doesNotContain(garbage);
            for (String part : (valid + "." + badSig + "." + garbage).split("\\.")) {
                assertThat(line).doesNotContain(part);
            }
        }
        List<JsonNode> handshakes = lines.stream().map(OpsFixture::json)
                .filter(n -> n.path("kind").asString().equals("handshake")).toList();
        List<JsonNode> messages = lines.stream().map(OpsFixture::json)
                .filter(n -> n.path("kind").asString().equals("message")).toList();
        assertThat(handshakes.stream().map(n -> n.path("status").asInt())).containsExactly(401, 401, 401, 404, 502);
        assertThat(handshakes).allSatisfy(n -> {
            assertThat(n.path("ip").asString()).isEqualTo("127.0.0.1");
            assertThat(n.path("time").asString()).isNotEmpty();
            assertThat(n.path("reason").asString()).isNotEmpty();
        });
        assertThat(handshakes.get(4).path("route").asString()).isEqualTo("/down");
        // the operator's record names the target and a plain reason
        assertThat(handshakes.get(4).path("reason").asString())
                .isEqualTo("upstream ws://127.0.0.1:1/echo: connection refused");
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).path("event").asString()).isEqualTo("nope");
        assertThat(messages.get(0).path("reason").asString()).isEqualTo("unknown_event");
        assertThat(messages.get(1).path("event").asString()).isEqualTo("hello");
        assertThat(messages.get(1).path("reason").asString()).isEqualTo("rate_limited");
        assertThat(messages).allSatisfy(n -> {
            assertThat(n.path("user").asString()).isEqualTo("alice");
            assertThat(n.path("route").asString()).isEqualTo("/chat");
            assertThat(n.path("connection").asLong()).isPositive();
        });
    }

    /** A refusal after the token verified names the user; admin actions are {@code kind: admin} lines. */
    @Test
    void refusalsOfVerifiedTokensNameTheUserAndAdminActionsAreAudited() throws Exception {
        OpsFixture fx = OpsFixture.in(tmp, "audit: { denials: audit.log }\n");
        String token;
        try (fx) {
            fx.route("chat.yaml", """
                    route:
                      path: /chat
                      upstream: { targets: ["%s"] }
                    %s
                    """.formatted(fx.upstreamUrl("/echo"), OpsFixture.hs256Auth())).start();
            token = fx.tokens.token("mallory", "user");
            assertThat(fx.admin("POST", "/admin/revoke", "{\"sub\":\"mallory\"}").statusCode()).isEqualTo(200);
            assertThat(RawHttp.status(RawHttp.exchange(fx.gateway.port(),
                    RawHttp.upgrade("/chat", "Authorization: Bearer " + token + "\r\n").getBytes(), 3000))).isEqualTo(403);
            assertThat(fx.admin("POST", "/admin/reload").statusCode()).isEqualTo(200);
        }
        List<JsonNode> lines = Files.readAllLines(tmp.resolve("audit.log")).stream().map(OpsFixture::json).toList();
        assertThat(lines).extracting(n -> n.path("kind").asString()).containsExactly("admin", "handshake", "admin");
        assertThat(lines.get(0).path("action").asString()).isEqualTo("revoke");
        assertThat(lines.get(0).path("detail").asString()).isEqualTo("sub=mallory");
        assertThat(lines.get(1).path("status").asInt()).isEqualTo(403);
        assertThat(lines.get(1).path("user").asString()).isEqualTo("mallory");
        assertThat(lines.get(1).path("reason").asString()).isEqualTo("token revoked");
        assertThat(lines.get(2).path("action").asString()).isEqualTo("reload");
        assertThat(lines.get(2).path("detail").asString()).isEqualTo("version 2");
        assertThat(String.join("\n", Files.readAllLines(tmp.resolve("audit.log")))).doesNotContain(token.split("\\.")[2]);
    }
}
