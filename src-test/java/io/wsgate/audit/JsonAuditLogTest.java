package io.wsgate.audit;

import io.wsgate.config.GatewayConfig;
import io.wsgate.testing.ManualTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class JsonAuditLogTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static List<JsonNode> lines(StringWriter out) {
        String s;
        synchronized (out.getBuffer()) {
            s = out.toString();
        }
        return s.lines().map(l -> (JsonNode) JSON.readTree(l)).toList();
    }

    @Test
    void writesOneJsonLinePerRefusal() {
        ManualTime t = new ManualTime(Instant.parse("2026-11-26T06:00:00Z"));
        StringWriter out = new StringWriter();
        try (JsonAuditLog log = new JsonAuditLog(out, false, 100, 64, t, t)) {
            log.handshakeRefused("10.0.0.1", "/chat", 401, "invalid_token");
            log.messageRefused(42, "10.0.0.2", "alice", "/chat", "admin-kick", "forbidden");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 2);
        }
        List<JsonNode> l = lines(out);
        assertThat(l).hasSize(2);
        JsonNode h = l.get(0);
        assertThat(h.get("time").asString()).isEqualTo("2026-11-26T06:00:00Z");
        assertThat(h.get("kind").asString()).isEqualTo("handshake");
        assertThat(h.get("ip").asString()).isEqualTo("10.0.0.1");
        assertThat(h.get("route").asString()).isEqualTo("/chat");
        assertThat(h.get("status").asInt()).isEqualTo(401);
        assertThat(h.get("reason").asString()).isEqualTo("invalid_token");
        assertThat(h.get("user").isNull()).isTrue();
        JsonNode m = l.get(1);
        assertThat(m.get("kind").asString()).isEqualTo("message");
        assertThat(m.get("connection").asLong()).isEqualTo(42);
        assertThat(m.get("user").asString()).isEqualTo("alice");
        assertThat(m.get("event").asString()).isEqualTo("admin-kick");
        assertThat(m.get("reason").asString()).isEqualTo("forbidden");
    }

    @Test
    void theRingKeepsTheLinesAsWritten() {
        ManualTime t = new ManualTime(Instant.parse("2026-11-26T06:00:00Z"));
        StringWriter out = new StringWriter();
        try (JsonAuditLog log = new JsonAuditLog(out, false, 100, 64, t, t)) {
            log.handshakeRefused("10.0.0.1", "/chat", 401, "invalid_token");
            log.messageRefused(42, "10.0.0.2", "<b>x</b>", "/chat", "e\"v", "forbidden");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 2);
            synchronized (out.getBuffer()) {
                assertThat(log.recent().since(0, 10).lines()).containsExactlyElementsOf(out.toString().lines().toList());
            }
        }
    }

    @Test
    void floodIsSampledWithASummaryOfWhatWasLeftOut() {
        ManualTime t = new ManualTime(Instant.parse("2026-11-26T06:00:00Z"));
        StringWriter out = new StringWriter();
        try (JsonAuditLog log = new JsonAuditLog(out, false, 5, 1000, t, t)) {
            for (int i = 0; i < 25; i++) {
                log.messageRefused(i, "10.0.0.9", "mallory", "/chat", "e\"v\n" + i, "rate_limited");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 5);
            assertThat(log.leftOutTotal()).isEqualTo(20);
            t.advance(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> lines(out).size() == 6);
            // a second later the budget is back
            log.messageRefused(99, "10.0.0.9", "mallory", "/chat", "x", "rate_limited");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 6);
        }
        List<JsonNode> l = lines(out);
        assertThat(l.get(0).get("event").asString()).isEqualTo("e\"v\n0");
        JsonNode summary = l.get(5);
        assertThat(summary.get("kind").asString()).isEqualTo("summary");
        assertThat(summary.get("left_out").asLong()).isEqualTo(20);
        assertThat(l.get(6).get("connection").asLong()).isEqualTo(99);
        assertThat(l).hasSize(7);
    }

    @Test
    void fullQueueCountsAsLeftOut() throws Exception {
        ManualTime t = new ManualTime(Instant.parse("2026-11-26T06:00:00Z"));
        StringWriter out = new StringWriter();
        // the writer blocks on this lock while the test floods the 2-slot queue
        JsonAuditLog log;
        synchronized (out.getBuffer()) {
            log = new JsonAuditLog(out, false, 1000, 2, t, t);
            for (int i = 0; i < 10; i++) {
                log.handshakeRefused("1.1.1." + i, "/chat", 429, "rate");
            }
        }
        log.close();
        List<JsonNode> l = lines(out);
        long written = l.stream().filter(n -> n.get("kind").asString().equals("handshake")).count();
        long left = l.stream().filter(n -> n.get("kind").asString().equals("summary"))
                .mapToLong(n -> n.get("left_out").asLong()).sum();
        assertThat(written + left).isEqualTo(10);
        assertThat(left).isPositive();
        assertThat(log.leftOutTotal()).isEqualTo(left);
    }

    @Test
    void fileAndOffDestinations(@TempDir Path dir) throws Exception {
        assertThat(JsonAuditLog.create(new GatewayConfig.Audit("off"))).isSameAs(AuditLog.OFF);
        Path f = dir.resolve("audit.log");
        AuditLog log = JsonAuditLog.create(new GatewayConfig.Audit(f.toString()));
        log.handshakeRefused("10.1.1.1", "/x", 403, "revoked");
        ((JsonAuditLog) log).close();
        List<String> lines = Files.readAllLines(f);
        assertThat(lines).hasSize(1);
        assertThat(JSON.readTree(lines.get(0)).get("status").asInt()).isEqualTo(403);
    }
}
