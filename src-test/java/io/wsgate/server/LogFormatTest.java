package io.wsgate.server;

import io.wsgate.interop.WsgateProcess;
import io.wsgate.testing.RawHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code logging.format: json}: the gateway's own log lines on stderr are Logback JSON objects, one per line. */
class LogFormatTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @Test
    void jsonFormatWritesOneObjectPerLogLine() throws Exception {
        int port = WsgateProcess.freePort();
        int dead = WsgateProcess.freePort();
        Path dir = WsgateProcess.writePolicies("""
                listen: { host: 127.0.0.1, port: %d }
                admin: { host: 127.0.0.1, port: 0 }
                reload: { watch: false }
                audit: { denials: "off" }
                access_log: "off"
                logging: { format: json, level: info }
                shutdown: { drain_delay: 0s }
                """.formatted(port), Map.of("down.yaml", """
                route:
                  path: /down
                  upstream: { targets: ["ws://127.0.0.1:%d/x"], connect_timeout: 2s }
                """.formatted(dead)));
        try (WsgateProcess gw = WsgateProcess.start(dir, port, Map.of())) {
            assertThat(RawHttp.status(RawHttp.exchange(port, RawHttp.upgrade("/down", "").getBytes(), 5000))).isEqualTo(502);
            String failure = "upstream ws://127.0.0.1:" + dead + "/x: connection refused";
            await().atMost(Duration.ofSeconds(10)).until(() -> warnLine(gw.outputLines(), failure).isPresent());
            JsonNode warn = warnLine(gw.outputLines(), failure).orElseThrow();
            assertThat(warn.path("level").asString()).isEqualTo("WARN");
            assertThat(warn.path("loggerName").asString()).startsWith("io.wsgate.");
            // no pattern-formatted log line ("12:00:00.000 WARN  ...") is left
            assertThat(gw.outputLines()).noneMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"));
        }
    }

    private static Optional<JsonNode> warnLine(List<String> lines, String text) {
        return lines.stream().filter(l -> l.startsWith("{")).map(JSON::readTree)
                .filter(n -> n.path("formattedMessage").asString("").contains(text)).findFirst();
    }
}
