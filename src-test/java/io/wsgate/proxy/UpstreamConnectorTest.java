package io.wsgate.proxy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.policy.HandshakeDecision;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamConnectorTest {
    @Test
    void addressAppendsTheRemainderAndQueryToTheTargetPath() {
        assertThat(UpstreamConnector.address("ws://h:3000/socket.io/", "?EIO=4&transport=websocket"))
                .hasToString("ws://h:3000/socket.io/?EIO=4&transport=websocket");
        assertThat(UpstreamConnector.address("ws://h:3000/chat", "")).hasToString("ws://h:3000/chat");
        assertThat(UpstreamConnector.address("ws://h/api/", "a/b?x=1")).hasToString("ws://h/api/a/b?x=1");
        assertThat(UpstreamConnector.address("wss://h:8443/v1", "a")).hasToString("wss://h:8443/v1/a");
        assertThat(UpstreamConnector.address("ws://h:9000", null)).hasToString("ws://h:9000/");
    }

    @Test
    void guardHeadersReplaceClientHeadersAndEmptyMeansNone() {
        HttpHeaders client = new DefaultHttpHeaders()
                .add("Cookie", "access_token=secret").add("User-Agent", "ua").add("Origin", "https://o")
                .add("X-User-Id", "forged").add("Authorization", "Bearer secret");
        HandshakeDecision d = new HandshakeDecision(101, null, null, Map.of(), null, null,
                HandshakeDecision.PendingAuth.NONE, "", List.of(Map.entry("X-User-Id", "alice"),
                Map.entry("Cookie", "")), List.of(), null, List.of());
        HttpHeaders up = UpstreamConnector.upstreamHeaders(d, client);
        assertThat(up.getAll("X-User-Id")).containsExactly("alice");
        assertThat(up.contains("Cookie")).isFalse();
        assertThat(up.contains("Authorization")).isFalse();
        assertThat(up.get("User-Agent")).isEqualTo("ua");
        assertThat(up.get("Origin")).isEqualTo("https://o");
    }
}
