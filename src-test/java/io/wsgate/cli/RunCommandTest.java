package io.wsgate.cli;

import io.wsgate.server.Gateway;
import io.wsgate.testing.PolicyDir;
import io.wsgate.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RunCommandTest {
    @Test
    void productionWiringServesHealthzAndAnswersUnknownPaths(@TempDir Path dir) throws Exception {
        PolicyDir.in(dir).write("echo.yaml", """
                route:
                  path: /echo
                  upstream: { targets: ["ws://127.0.0.1:1/echo"] }
                """);
        try (Gateway gw = Gateway.start(dir, Map.<String, String>of()::get)) {
            String res = RawHttp.exchange(gw.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), 3000);
            assertThat(RawHttp.status(res)).isEqualTo(200);
            String ws = RawHttp.exchange(gw.port(), RawHttp.upgrade("/nowhere", "").getBytes(), 3000);
            assertThat(RawHttp.status(ws)).isEqualTo(404);
            assertThat(RawHttp.body(ws)).startsWith("{\"error\":");
            // the upstream on port 1 is unreachable: 502 before any 101
            String up = RawHttp.exchange(gw.port(), RawHttp.upgrade("/echo", "").getBytes(), 5000);
            assertThat(RawHttp.status(up)).isEqualTo(502);
        }
    }

    @Test
    void unloadablePolicyDirectoryIsReportedAndRefused(@TempDir Path dir) throws Exception {
        assertThat(Gateway.startOrReport(dir.resolve("missing"), Map.<String, String>of()::get)).isNull();
        assertThat(new picocli.CommandLine(new Main()).execute("run", dir.resolve("missing").toString())).isEqualTo(1);
    }
}
