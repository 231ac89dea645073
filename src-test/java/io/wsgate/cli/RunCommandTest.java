package io.wsgate.cli;

import io.wsgate.proxy.ProxyServer;
import io.wsgate.testing.RawHttp;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RunCommandTest {
    @Test
    void productionWiringServesHealthzAndAsksTheGuard() throws Exception {
        ProxyServer server = RunCommand.start(TestPolicy.gateway().route("/echo", "ws://127.0.0.1:1/echo").build());
        try {
            String res = RawHttp.exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), 3000);
            assertThat(RawHttp.status(res)).isEqualTo(200);
            // whatever the guard decides, an unknown path never reaches an upstream: a JSON refusal
            String ws = RawHttp.exchange(server.port(), RawHttp.upgrade("/nowhere", "").getBytes(), 3000);
            assertThat(RawHttp.status(ws)).isEqualTo(404);
            assertThat(RawHttp.body(ws)).startsWith("{\"error\":");
        } finally {
            server.shutdown(Duration.ofMillis(200));
        }
    }

    @Test
    void unloadablePolicyDirectoryIsReportedAndRefused(@TempDir Path dir) {
        assertThat(RunCommand.load(dir.resolve("missing"))).isNull();
    }
}
