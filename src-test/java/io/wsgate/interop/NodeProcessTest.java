package io.wsgate.interop;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("interop")
class NodeProcessTest {

    @Test
    void reportsItsPortAndIsGoneAfterClose() {
        int port;
        NodeProcess p = NodeProcess.startServer("ws-chat-server.js");
        try {
            port = p.port();
            assertThat(port).isBetween(1, 65535);
            assertThat(p.isAlive()).isTrue();
            assertThat(p.record().all()).isEmpty();
        } finally {
            p.close();
        }
        assertThat(p.isAlive()).isFalse();
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    void aScriptThatDoesNotStartFailsWithItsStderr() {
        NodeProcess.assumeNodeReady(); // outside the lambda: a skip must not count as the expected failure
        assertThatThrownBy(() -> NodeProcess.startServer("ws-chat-server.js", "--max-payload"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--max-payload needs a value");
    }

    @Test
    void parsesResultLinesAndKeepsOtherOutput() {
        ScenarioResults r = ClientScenarios.parse("x.js", List.of(
                "{\"scenario\":\"a\",\"ok\":true,\"ms\":3,\"details\":{}}",
                "noise",
                "{\"scenario\":\"b\",\"ok\":false,\"ms\":5,\"details\":{\"error\":\"boom\"}}"), "", 1);

        assertThat(r.names()).containsExactly("a", "b");
        assertThat(r.get("b").error()).isEqualTo("boom");
        assertThat(r.otherLines()).containsExactly("noise");
        assertThatThrownBy(r::assertAllOk).isInstanceOf(AssertionError.class).hasMessageContaining("boom");
    }
}
