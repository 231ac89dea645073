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

/** ws client → wsgate ({@code wsgate run} in a child JVM) → ws JSON chat server, all real. */
@Tag("interop")
class WsJsonThroughGatewayTest {
    private static final TestTokens TOKENS = TestTokens.random();
    private static final String ALICE = TOKENS.token("alice", "user");
    private static final String BOB = TOKENS.token("bob", "user");
    private static final String ROOT = TOKENS.token("root", "admin");
    private static final String EXPIRED = TOKENS.expired("alice", "user");

    private static NodeProcess upstream;
    private static UpstreamRecord record;
    private static WsgateProcess gateway;

    @BeforeAll
    static void start() {
        upstream = NodeProcess.startServer("ws-chat-server.js");
        record = upstream.record();
        int port = WsgateProcess.freePort();
        Path dir = WsgateProcess.writePolicies(InteropPolicies.gateway(port, WsgateProcess.freePort()),
                Map.of("chat.yaml", InteropPolicies.wsJson(upstream.port()),
                        "chat-login.yaml", InteropPolicies.wsJsonFirstMessage(upstream.port())));
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
        return ClientScenarios.ws(gateway.wsUrl("/chat")).tokens(ALICE, BOB, ROOT).badToken(EXPIRED)
                .arg("--max-bytes", String.valueOf(InteropPolicies.MAX_MESSAGE_BYTES));
    }

    @Test
    void everyScenarioPassesThroughTheGateway() {
        ScenarioResults r = client().run().assertAllOk();

        assertThat(r.names()).contains("connect", "room", "spoofed-identity", "denied-event", "unknown-event",
                "admin-event", "sanitize", "private-message", "typing", "oversize", "no-token", "bad-token");
        assertNothingRefusedReachedTheUpstream();
    }

    /** What every scenario may send; anything refused by the policy must be absent. */
    private static void assertNothingRefusedReachedTheUpstream() {
        assertThat(record.jsonMessages("no-such-event")).isEmpty();
        assertThat(record.ofKind("message")).filteredOn(m -> m.path("text").asString("").contains("admin-kick"))
                .isNotEmpty().allSatisfy(m -> assertThat(m.path("user").asString()).isEqualTo("root"));
        assertThat(record.ofKind("message")).allSatisfy(m ->
                assertThat(m.path("bytes").asInt()).isLessThanOrEqualTo(InteropPolicies.MAX_MESSAGE_BYTES));
        assertThat(record.ofKind("upgrade")).allSatisfy(u -> assertThat(u.path("user").asString()).isIn("alice", "bob", "root"));
        assertThat(record.contains("<script")).isFalse();
        assertThat(record.contains("mallory")).isFalse();
        assertThat(record.contains(EXPIRED)).isFalse();
    }

    @Test
    void theTokenTravelsInEverySupportedWay() {
        for (String via : List.of("header", "query", "subprotocol")) {
            client().scenarios("connect", "room").arg("--token-via", via).run().assertAllOk();
        }
    }

    @Test
    void upstreamSeesIdentityHeadersAndNeverAToken() {
        client().scenarios("room", "spoofed-identity").run().assertAllOk();
        client().scenarios("connect").arg("--token-via", "query").run().assertAllOk();
        client().scenarios("connect").arg("--token-via", "subprotocol").run().assertAllOk();

        List<JsonNode> upgrades = record.ofKind("upgrade");
        assertThat(upgrades).isNotEmpty().allSatisfy(u -> {
            JsonNode h = u.path("headers");
            assertThat(h.path("x-user-id").asString()).isIn("alice", "bob");
            assertThat(h.toString()).doesNotContain("mallory");
            assertThat(h.path("x-user-roles").asString()).isEqualTo("user");
            assertThat(h.path("x-forwarded-for").asString()).isEqualTo("127.0.0.1");
            assertThat(h.has("authorization")).isFalse();
            assertThat(h.path("sec-websocket-protocol").asString("")).doesNotContain("bearer");
            assertThat(u.path("url").asString()).isEqualTo("/chat");
        });
        for (String token : List.of(ALICE, BOB)) assertThat(record.contains(token)).as("token leaked upstream").isFalse();
        assertThat(gateway.output()).doesNotContain(ALICE, BOB);
    }

    @Test
    void refusedMessagesNeverReachTheUpstream() {
        client().scenarios("denied-event", "unknown-event", "oversize", "sanitize").run().assertAllOk();

        assertThat(record.jsonMessages("admin-kick")).isEmpty();
        assertThat(record.jsonMessages("no-such-event")).isEmpty();
        assertThat(record.ofKind("message")).allSatisfy(m ->
                assertThat(m.path("bytes").asInt()).isLessThanOrEqualTo(InteropPolicies.MAX_MESSAGE_BYTES));
        assertThat(record.jsonMessages("send-message")).singleElement()
                .satisfies(m -> assertThat(m.path("message").asString()).isEqualTo("hi"));
        assertThat(record.contains("<script")).isFalse();
    }

    private static ClientScenarios firstMessageClient() {
        return ClientScenarios.ws(gateway.wsUrl(InteropPolicies.FIRST_MESSAGE_PATH)).tokens(ALICE, BOB, ROOT)
                .badToken(EXPIRED).arg("--token-via", "first-message");
    }

    @Test
    void theTokenCanArriveAsTheFirstMessage() {
        firstMessageClient().scenarios("connect", "room", "spoofed-identity", "sanitize", "denied-event", "admin-event",
                "private-message", "typing").run().assertAllOk();

        // the auth message is consumed: the upstream sees the identity headers, never the token
        assertThat(record.jsonMessages("auth")).isEmpty();
        assertThat(record.ofKind("upgrade")).isNotEmpty().allSatisfy(u -> {
            assertThat(u.path("headers").path("x-user-id").asString()).isIn("alice", "bob", "root");
            assertThat(u.path("headers").toString()).doesNotContain("mallory");
            assertThat(u.path("url").asString()).isEqualTo("/chat");
        });
        for (String token : List.of(ALICE, BOB, ROOT)) assertThat(record.contains(token)).as("token leaked upstream").isFalse();
        assertNothingRefusedReachedTheUpstream();

        // missing or invalid: closed 4401 before any upstream connection opens
        record.clear();
        firstMessageClient().scenarios("no-token", "bad-token").run().assertAllOk();
        assertThat(record.ofKind("upgrade")).isEmpty();
        assertThat(record.contains(EXPIRED)).isFalse();
    }

    @Test
    void refusedHandshakesOpenNoUpstreamConnection() {
        client().scenarios("no-token", "bad-token").run().assertAllOk();

        assertThat(record.ofKind("upgrade")).isEmpty();
    }
}
