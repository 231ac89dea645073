package io.wsgate.interop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** ws-client.js straight against ws-chat-server.js (no gateway): proves both peers and the harness. */
@Tag("interop")
class WsJsonPeersDirectTest {
    private static final int MAX = 4096;
    private static NodeProcess server;
    private static UpstreamRecord record;

    @BeforeAll
    static void start() {
        server = NodeProcess.startServer("ws-chat-server.js", "--max-payload", String.valueOf(MAX), "--require-user");
        record = server.record();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @BeforeEach
    void clearRecord() {
        record.clear();
    }

    private static ClientScenarios client() {
        return ClientScenarios.ws(server.wsUri("/chat").toString()).direct().arg("--max-bytes", String.valueOf(MAX));
    }

    @Test
    void directScenariosAllPass() {
        ScenarioResults r = client().run().assertAllOk();

        assertThat(r.names()).containsExactly("connect", "room", "admin-event", "private-message", "typing", "oversize", "no-token");
        assertThat(r.get("oversize").details().path("close").path("code").asInt()).isEqualTo(1009);
        assertThat(r.get("no-token").details().path("status").asInt()).isEqualTo(401);
    }

    @Test
    void upgradeHeadersAndRawMessagesAreRecorded() {
        ScenarioResults r = client().scenarios("room").run().assertAllOk();
        String sent = r.get("room").details().path("received").path("message").asString();

        List<JsonNode> upgrades = record.ofKind("upgrade");
        assertThat(upgrades).extracting(u -> u.path("headers").path("x-user-id").asString())
                .containsExactlyInAnyOrder("alice", "bob");
        assertThat(upgrades).allSatisfy(u -> {
            assertThat(u.path("url").asString()).isEqualTo("/chat");
            assertThat(u.path("remoteAddress").asString()).contains("127.0.0.1");
            assertThat(u.path("headers").has("authorization")).isFalse();
        });
        List<JsonNode> sends = record.jsonMessages("send-message");
        assertThat(sends).singleElement().satisfies(m -> assertThat(m.path("message").asString()).isEqualTo(sent));
        assertThat(record.jsonMessages("join-room")).hasSize(2);
        assertThat(record.ofKind("message")).allSatisfy(m -> assertThat(m.path("binary").asBoolean(true)).isFalse());
    }

    @Test
    void oversizeMessageIsClosedWith1009AndNeverDelivered() {
        client().scenarios("oversize").run().assertAllOk();

        assertThat(record.ofKind("message")).isEmpty();
        assertThat(record.ofKind("error")).singleElement()
                .satisfies(e -> assertThat(e.path("message").asString()).contains("Max payload size exceeded"));
    }

    @Test
    void handshakeWithoutIdentityIsRefusedBeforeAnyMessage() {
        client().scenarios("no-token").run().assertAllOk();

        assertThat(record.ofKind("upgrade")).isEmpty();
        assertThat(record.ofKind("upgrade-refused")).hasSize(1);
    }

    @Test
    void gatewayOnlyScenariosFailWithoutAGateway() {
        ScenarioResults r = client().scenarios("sanitize", "denied-event", "unknown-event").timeoutMs(1_500).run();

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.failed()).extracting(ScenarioResult::scenario)
                .containsExactly("sanitize", "denied-event", "unknown-event");
        assertThat(r.get("denied-event").details().path("received").path("type").asString()).isEqualTo("kicked");
        assertThat(record.jsonMessages("admin-kick")).hasSize(1);
    }
}
