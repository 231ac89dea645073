package io.wsgate.interop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** socketio-client.js straight against socketio-server.js (no gateway): proves both peers and the harness. */
@Tag("interop")
class SocketIoPeersDirectTest {
    private static NodeProcess server;
    private static UpstreamRecord record;

    @BeforeAll
    static void start() {
        server = NodeProcess.startServer("socketio-server.js");
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
        return ClientScenarios.socketIo(server.httpUri().toString()).direct();
    }

    @Test
    void directScenariosAllPass() {
        ScenarioResults r = client().run().assertAllOk();

        assertThat(r.names()).containsExactly("connect", "no-token", "room", "ack", "binary", "binary-ack", "multiplex-admin", "heartbeat", "admin-ns-admin",
                "private-message", "typing");
        assertThat(r.get("no-token").details().path("message").asString()).isEqualTo("Not authorized");
    }

    @Test
    void roomMessageIsRecordedWithTheForwardedIdentity() {
        ScenarioResults r = client().scenarios("room").run().assertAllOk();
        String sent = r.get("room").details().path("received").path("message").asString();

        List<JsonNode> sends = record.events("send-message");
        assertThat(sends).hasSize(1);
        assertThat(sends.get(0).path("user").asString()).isEqualTo("alice");
        assertThat(sends.get(0).path("args").get(0).path("message").asString()).isEqualTo(sent);
        assertThat(record.ofKind("connect"))
                .extracting(e -> e.path("auth").path("user").asString())
                .containsExactlyInAnyOrder("alice", "bob");
        assertThat(record.ofKind("connect").get(0).path("auth").path("roles").get(0).asString()).isEqualTo("user");
        assertThat(record.ofKind("handshake").get(0).path("url").asString()).startsWith("/socket.io/?EIO=4&transport=websocket");
        assertThat(record.ofKind("frame")).anySatisfy(f -> assertThat(f.path("data").asString()).contains(sent));
    }

    @Test
    void refusedConnectIsRecordedAsRefused() {
        client().scenarios("no-token").run().assertAllOk();

        List<JsonNode> connects = record.ofKind("connect");
        assertThat(connects).hasSize(1);
        assertThat(connects.get(0).path("accepted").asBoolean(true)).isFalse();
        assertThat(record.ofKind("event")).isEmpty();
    }

    @Test
    void binaryUploadIsRecordedAsBytes() {
        client().scenarios("binary").run().assertAllOk();

        List<JsonNode> uploads = record.events("upload");
        assertThat(uploads).hasSize(1);
        JsonNode bin = uploads.get(0).path("args").get(0);
        assertThat(bin.path("length").asInt()).isEqualTo(4096);
        byte[] bytes = Base64.getDecoder().decode(bin.path("$binary").asString());
        for (int i = 0; i < 256; i++) assertThat(bytes[i]).isEqualTo((byte) i);
        // a BINARY_EVENT header with one attachment and ack id 0 (the Engine.IO "4" is the frame's type), then the bytes
        assertThat(record.ofKind("frame")).anySatisfy(f -> assertThat(f.path("data").asString("")).startsWith("51-0[\"upload\""));
        assertThat(record.ofKind("frame")).anySatisfy(f -> assertThat(f.path("data").path("length").asInt()).isEqualTo(4096));
    }

    @Test
    void adminNamespaceEventIsRecordedInItsNamespace() {
        client().scenarios("admin-ns-admin").run().assertAllOk();

        assertThat(record.events("admin-kick")).singleElement()
                .satisfies(e -> {
                    assertThat(e.path("nsp").asString()).isEqualTo("/admin");
                    assertThat(e.path("user").asString()).isEqualTo("root");
                });
    }

    /** The gateway-only expectations must fail without a gateway, or they could not catch a gateway that lets things through. */
    @Test
    void gatewayOnlyScenariosFailWithoutAGateway() {
        ScenarioResults r = client().scenarios("sanitize", "denied-event", "admin-ns-user").timeoutMs(1_500).run();

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.failed()).extracting(ScenarioResult::scenario)
                .containsExactly("sanitize", "denied-event", "admin-ns-user");
        assertThat(r.get("sanitize").error()).contains("<script>alert(1)</script>hi");
        assertThat(record.events("admin-kick")).hasSize(1);
    }
}
