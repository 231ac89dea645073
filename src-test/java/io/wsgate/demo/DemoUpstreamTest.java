package io.wsgate.demo;

import io.wsgate.testing.Harness;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DemoUpstreamTest {
    private DemoUpstream up;

    @BeforeEach
    void start() throws Exception {
        up = Harness.upstream();
    }

    @AfterEach
    void stop() {
        up.close();
    }

    private WsTestClient user(String id) throws Exception {
        WsTestClient.Builder b = WsTestClient.to("ws://127.0.0.1:" + up.port() + "/chat");
        if (id != null) {
            b.header("X-User-Id", id);
        }
        return b.connect();
    }

    @Test
    void chatBroadcastsToTheRoomWithTheSender() throws Exception {
        try (WsTestClient alice = user("alice"); WsTestClient bob = user("bob"); WsTestClient eve = user(null)) {
            alice.sendText("{\"type\":\"join-room\",\"room\":\"r1\"}");
            assertThat(alice.next().text()).contains("\"type\":\"joined\"");
            bob.sendText("{\"type\":\"join-room\",\"room\":\"r1\"}");
            bob.next();
            eve.sendText("{\"type\":\"join-room\",\"room\":\"r2\"}");
            eve.next();

            alice.sendText("{\"type\":\"send-message\",\"room\":\"r1\",\"message\":\"hi <b>all</b>\"}");
            String expected = "{\"type\":\"message\",\"room\":\"r1\",\"from\":\"alice\",\"message\":\"hi <b>all</b>\"}";
            assertThat(alice.next().text()).isEqualTo(expected);
            assertThat(bob.next().text()).isEqualTo(expected);

            bob.sendText("{\"type\":\"typing\",\"room\":\"r1\"}");
            assertThat(alice.next().text()).isEqualTo("{\"type\":\"typing\",\"room\":\"r1\",\"from\":\"bob\"}");

            eve.sendText("{\"type\":\"send-message\",\"room\":\"r2\",\"message\":\"alone\"}");
            assertThat(eve.next().text()).contains("\"from\":\"anonymous\"");
            Thread.sleep(200);
            assertThat(alice.poll()).isNull();
            assertThat(bob.poll()).isNull();
            assertThat(up.received()).hasSize(6);
        }
    }

    @Test
    void chatRefusesMessagesToRoomsNotJoinedAndNonJson() throws Exception {
        try (WsTestClient alice = user("alice")) {
            alice.sendText("{\"type\":\"send-message\",\"room\":\"r9\",\"message\":\"x\"}");
            assertThat(alice.next().text()).contains("not_in_room");
            alice.sendText("not json");
            assertThat(alice.next().text()).contains("invalid");
        }
    }

    @Test
    void echoIsByteExactForTextAndBinary() throws Exception {
        try (WsTestClient c = WsTestClient.to("ws://127.0.0.1:" + up.port() + "/echo").connect()) {
            c.sendBinary(new byte[]{0, (byte) 0xff, 7});
            assertThat(c.next().data()).containsExactly(0, 0xff, 7);
            c.sendText("ü");
            assertThat(c.next().text()).isEqualTo("ü");
        }
        assertThat(up.received()).extracting(DemoUpstream.Received::path).containsOnly("/echo");
    }

    @Test
    void chatThroughTheGateway() throws Exception {
        try (Harness gw = new Harness(TestPolicy.gateway().route("/chat", Harness.target(up, "/chat")).build());
             WsTestClient c = WsTestClient.to(gw.ws("/chat")).connect()) {
            c.sendText("{\"type\":\"join-room\",\"room\":\"lobby\"}");
            assertThat(c.next(Duration.ofSeconds(5)).text()).contains("joined");
            c.sendText("{\"type\":\"send-message\",\"room\":\"lobby\",\"message\":\"hello\"}");
            assertThat(c.next().text()).isEqualTo(
                    "{\"type\":\"message\",\"room\":\"lobby\",\"from\":\"anonymous\",\"message\":\"hello\"}");
        }
    }
}
