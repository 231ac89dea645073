package io.wsgate.interop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * socket.io-client → wsgate ({@code wsgate run} in a child JVM) → socket.io server, all real. The upstream
 * pings every {@value #PING_INTERVAL_MS} ms so that Engine.IO heartbeats cross the gateway during the tests.
 */
@Tag("interop")
class SocketIoThroughGatewayTest {
    private static final TestTokens TOKENS = TestTokens.random();
    private static final String ALICE = TOKENS.token("alice", "user");
    private static final String BOB = TOKENS.token("bob", "user");
    private static final String ROOT = TOKENS.token("root", "admin");
    private static final String FORGED = TOKENS.badSignature("alice", "admin");
    private static final int PING_INTERVAL_MS = 250;
    /** The attachment size of socketio-client.js's denied-binary scenario. */
    private static final int DENIED_BINARY_BYTES = 2047;

    private static NodeProcess upstream;
    private static UpstreamRecord record;
    private static WsgateProcess gateway;

    @BeforeAll
    static void start() {
        upstream = NodeProcess.startServer("socketio-server.js",
                "--ping-interval", String.valueOf(PING_INTERVAL_MS), "--ping-timeout", "3000");
        record = upstream.record();
        int port = WsgateProcess.freePort();
        Path dir = WsgateProcess.writePolicies(InteropPolicies.gateway(port, WsgateProcess.freePort()),
                Map.of("socketio.yaml", InteropPolicies.socketIo(upstream.port())));
        gateway = WsgateProcess.start(dir, port, Map.of(TestTokens.SECRET_ENV, TOKENS.secret()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (upstream != null) upstream.close();
    }

    @BeforeEach
    void clearRecord() {
        record.clear();
    }

    private static ClientScenarios client() {
        return ClientScenarios.socketIo(gateway.httpUrl()).tokens(ALICE, BOB, ROOT).badToken(FORGED);
    }

    @Test
    void everyScenarioPassesThroughTheGateway() {
        ScenarioResults r = client().arg("--min-pings", "3").run().assertAllOk();

        assertThat(r.names()).contains("connect", "no-token", "bad-token", "room", "ack", "binary", "denied-event",
                "unknown-event", "admin-ns-user", "admin-ns-admin", "admin-ns-notice", "denied-binary",
                "spoofed-identity", "binary-ack", "sanitize-binary", "binary-interleave", "multiplex-user",
                "multiplex-token-swap", "multiplex-admin", "heartbeat", "sanitize", "private-message", "typing");
        assertNothingRefusedReachedTheUpstream();
    }

    @Test
    void engineIoHeartbeatsCrossTheGatewayBothWays() {
        ScenarioResults r = client().scenarios("heartbeat").arg("--min-pings", "3").run().assertAllOk();

        assertThat(r.get("heartbeat").details().path("pings").asInt()).isGreaterThanOrEqualTo(3);
        // the client's pongs to the upstream's pings reached the upstream
        assertThat(record.ofKind("frame")).filteredOn(f -> f.path("type").asString("").equals("pong")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(record.ofKind("disconnect")).noneSatisfy(d -> assertThat(d.path("reason").asString()).isEqualTo("ping timeout"));
    }

    @Test
    void theTokenTravelsInEverySupportedWay() {
        for (String via : List.of("auth", "query", "header")) {
            record.clear();
            client().scenarios("connect", "room", "ack").arg("--token-via", via).run().assertAllOk();

            assertThat(record.ofKind("connect")).as(via).isNotEmpty().allSatisfy(c -> {
                assertThat(c.path("auth").path("user").asString()).isIn("alice", "bob");
                assertThat(c.path("auth").has("token")).isFalse();
            });
            assertThat(record.ofKind("handshake")).as(via).isNotEmpty().allSatisfy(h -> {
                assertThat(h.path("url").asString()).doesNotContain("access_token");
                assertThat(h.path("headers").has("authorization")).isFalse();
            });
            for (String token : List.of(ALICE, BOB)) assertThat(record.contains(token)).as("token leaked upstream via " + via).isFalse();
        }
    }

    @Test
    void upstreamSeesTheForwardedIdentityAndNeverAToken() {
        client().scenarios("room", "admin-ns-admin", "spoofed-identity").run().assertAllOk();
        client().scenarios("connect").arg("--token-via", "query").run().assertAllOk();

        List<JsonNode> connects = record.ofKind("connect");
        assertThat(connects).isNotEmpty().allSatisfy(c -> {
            assertThat(c.path("accepted").asBoolean()).isTrue();
            assertThat(c.path("auth").has("token")).isFalse();
        });
        assertThat(connects).extracting(c -> c.path("auth").path("user").asString() + c.path("auth").path("roles"))
                .contains("alice[\"user\"]", "bob[\"user\"]", "root[\"admin\"]")
                .allMatch(s -> s.equals("alice[\"user\"]") || s.equals("bob[\"user\"]") || s.equals("root[\"admin\"]"));
        assertThat(record.contains("mallory")).as("client-chosen identity forwarded").isFalse();
        assertThat(record.ofKind("handshake")).allSatisfy(h -> assertThat(h.path("url").asString()).doesNotContain("access_token"));
        for (String token : List.of(ALICE, BOB, ROOT)) assertThat(record.contains(token)).as("token leaked upstream").isFalse();
        assertThat(gateway.output()).doesNotContain(ALICE, BOB, ROOT);
    }

    @Test
    void refusedEventsNeverReachTheUpstream() {
        client().scenarios("denied-event", "unknown-event", "admin-ns-user", "denied-binary").run().assertAllOk();

        assertThat(record.events("admin-kick")).isEmpty();
        assertThat(record.events("no-such-event")).isEmpty();
        assertThat(record.ofKind("connect")).noneSatisfy(c -> assertThat(c.path("nsp").asString()).isEqualTo("/admin"));
        assertThat(record.ofKind("frame")).noneSatisfy(f -> assertThat(f.path("data").asString(""))
                .containsAnyOf("admin-kick", "no-such-event", "/admin"));
        // the refused BINARY_EVENT's attachment did not reach the upstream either
        assertThat(record.ofKind("frame")).noneSatisfy(f -> assertThat(f.path("data").has("$binary")).isTrue());
        // and nothing confused the upstream's parser: each socket ended only when the client left
        assertThat(record.ofKind("disconnect")).allSatisfy(d -> assertThat(d.path("reason").asString()).isEqualTo("client namespace disconnect"));
    }

    @Test
    void noticesAnswerInTheRefusedPacketsNamespace() {
        client().scenarios("admin-ns-notice").run().assertAllOk();

        assertThat(record.events("no-such-event")).isEmpty();
        assertThat(record.events("admin-kick")).singleElement().satisfies(e -> {
            assertThat(e.path("nsp").asString()).isEqualTo("/admin");
            assertThat(e.path("user").asString()).isEqualTo("root");
        });
    }

    @Test
    void refusedConnectsNeverReachTheUpstream() {
        client().scenarios("no-token", "bad-token").run().assertAllOk();

        // the Engine.IO socket may open (the upstream keeps the Engine.IO handshake), but no CONNECT passes
        assertThat(record.ofKind("connect")).isEmpty();
        assertThat(record.contains(FORGED)).isFalse();
    }

    @Test
    void theUpstreamReceivesTheSanitizedText() {
        client().scenarios("sanitize").run().assertAllOk();

        assertThat(record.events("send-message")).singleElement()
                .satisfies(e -> assertThat(e.path("args").get(0).path("message").asString()).isEqualTo("hi"));
        assertThat(record.contains("<script")).isFalse();
    }

    /** What every scenario may send; anything refused by the policy must be absent. */
    private static void assertNothingRefusedReachedTheUpstream() {
        assertThat(record.events("no-such-event")).isEmpty();
        assertThat(record.events("admin-kick")).isNotEmpty().allSatisfy(e -> {
            assertThat(e.path("nsp").asString()).isEqualTo("/admin");
            assertThat(e.path("user").asString()).isEqualTo("root");
        });
        assertThat(record.ofKind("connect")).allSatisfy(c -> assertThat(c.path("accepted").asBoolean()).isTrue())
                .filteredOn(c -> c.path("nsp").asString().equals("/admin"))
                .allSatisfy(c -> assertThat(c.path("auth").path("user").asString()).isEqualTo("root"));
        assertThat(record.ofKind("frame")).noneSatisfy(f -> assertThat(f.path("data").path("length").asInt())
                .isEqualTo(DENIED_BINARY_BYTES));
        assertThat(record.contains("<script")).isFalse();
        assertThat(record.contains("mallory")).isFalse();
        assertThat(record.contains(FORGED)).isFalse();
    }

    @Test
    void binaryAttachmentsArriveWhole() {
        client().scenarios("binary", "binary-ack").run().assertAllOk();

        assertThat(record.events("upload")).singleElement()
                .satisfies(e -> assertThat(e.path("args").get(0).path("length").asInt()).isEqualTo(4096));
        assertThat(record.events("ping-ack")).singleElement()
                .satisfies(e -> assertThat(e.path("args").get(0).path("length").asInt()).isEqualTo(1000));
    }

    @Test
    void aSanitizedBinaryEventKeepsItsAttachment() {
        client().scenarios("sanitize-binary").run().assertAllOk();

        assertThat(record.events("send-message")).singleElement().satisfies(e -> {
            assertThat(e.path("args").get(0).path("message").asString()).isEqualTo("hi");
            assertThat(e.path("args").get(0).path("file").path("length").asInt()).isEqualTo(512);
        });
        assertThat(record.contains("<script")).isFalse();
    }

    @Test
    void noticesNeverSplitABinaryPacketFromItsAttachments() {
        ScenarioResults r = client().scenarios("binary-interleave").run().assertAllOk();

        assertThat(r.get("binary-interleave").details().path("notices").asInt()).isPositive();
        assertThat(record.events("upload")).hasSize(30);
        assertThat(record.events("no-such-event")).isEmpty();
    }

    @Test
    void namespacesMultiplexedOnOneConnectionAreJudgedEachOnItsOwn() {
        client().scenarios("multiplex-user", "multiplex-token-swap", "multiplex-admin").run().assertAllOk();

        List<JsonNode> connects = record.ofKind("connect");
        assertThat(connects).filteredOn(c -> c.path("nsp").asString().equals("/admin"))
                .singleElement().satisfies(c -> assertThat(c.path("user").asString()).isEqualTo("root"));
        assertThat(connects).filteredOn(c -> c.path("nsp").asString().equals("/"))
                .extracting(c -> c.path("user").asString()).containsExactlyInAnyOrder("alice", "alice", "root");
        assertThat(connects).filteredOn(c -> c.path("user").asString().equals("root"))
                .extracting(c -> c.path("sid").asString()).hasSize(2).containsOnly(connects.stream()
                        .filter(c -> c.path("user").asString().equals("root")).findFirst().orElseThrow().path("sid").asString());
    }
}
