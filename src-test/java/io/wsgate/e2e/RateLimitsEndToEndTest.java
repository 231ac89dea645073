package io.wsgate.e2e;

import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Every rate-limit kind through the real gateway ({@code Gateway.start}) in front of the demo upstream: what the
 * upstream received is compared message by message with what the limits allow.
 */
class RateLimitsEndToEndTest {
    @TempDir
    Path tmp;
    private OpsFixture fx;
    private final List<WsTestClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(WsTestClient::close);
        if (fx != null) {
            fx.close();
        }
    }

    private WsTestClient track(WsTestClient c) {
        clients.add(c);
        return c;
    }

    private String route(String path, String protocolAndRest) {
        return """
                route:
                  path: %s
                  upstream: { targets: ["%s"] }
                %s""".formatted(path, fx.upstreamUrl("/echo"), protocolAndRest);
    }

    private void awaitDrops(String route, int n) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(fx.scrape().count("wsgate_rate_limited_total", "route=" + route)).isEqualTo(n));
    }

    /** The upstream's record catches up with the gateway's counters a moment later: wait for the exact list. */
    private void awaitReceived(List<String> expected) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(fx.receivedOn("/echo")).containsExactlyElementsOf(expected));
    }

    /** Collects notices from a client until {@code n} arrived (echoes skipped). */
    private static List<JsonNode> notices(WsTestClient c, int n) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (out.size() < n && System.nanoTime() < until) {
            WsTestClient.Frame f = c.poll();
            if (f == null) {
                Thread.sleep(10);
                continue;
            }
            JsonNode notice = OpsFixture.notice(f);
            if (notice != null) {
                out.add(notice);
            }
        }
        assertThat(out).as("notices received").hasSize(n);
        return out;
    }

    private static String msg(String type, String from, int n) {
        return "{\"type\":\"" + type + "\",\"from\":\"" + from + "\",\"n\":" + n + "}";
    }

    @Test
    void perIpMessagesAreSharedByTwoSocketsOfOneAddress() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("echo.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                rate_limits:
                  per_ip:
                    messages: { limit: 10, per: 1m }
                """)).start();
        WsTestClient a = track(fx.connect("/echo"));
        WsTestClient b = track(fx.connect("/echo"));
        for (int i = 1; i <= 6; i++) {
            a.sendText(msg("chat", "a", i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 6);
        for (int i = 1; i <= 6; i++) {
            b.sendText(msg("chat", "b", i));
        }
        awaitDrops("/echo", 2);
        // 10 tokens for the address: a's 6 and b's first 4; b's 5th and 6th are refused and never forwarded
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            expected.add(msg("chat", "a", i));
        }
        for (int i = 1; i <= 4; i++) {
            expected.add(msg("chat", "b", i));
        }
        awaitReceived(expected);
        JsonNode n = notices(b, 1).get(0);
        assertThat(n.path("code").asString()).isEqualTo("rate_limited");
        assertThat(n.path("event").asString()).isEqualTo("chat");
        // one token per 6 s: the wait is at most that, and more than the few ms the test took
        assertThat(n.path("retry_after_ms").asLong()).isBetween(3000L, 6000L);
        assertThat(a.channel().isActive()).isTrue();
        assertThat(b.channel().isActive()).isTrue();
    }

    /** Issue 8 finding 7: refused messages spend per_ip.messages tokens, so refusals are not a free flood. */
    @Test
    void refusedMessagesSpendTheMessageBudget() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("echo.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                events:
                  default: deny
                  rules:
                    chat: {}
                rate_limits:
                  per_ip:
                    messages: { limit: 4, per: 1m }
                """)).start();
        WsTestClient c = track(fx.connect("/echo"));
        c.sendText(msg("chat", "c", 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 1);
        for (int i = 0; i < 3; i++) {
            c.sendText(msg("nope", "c", i));       // unknown events: refused, and each spends a token
        }
        // notices are themselves sampled per code: one arrives; the counter says all three were refused
        assertThat(notices(c, 1).get(0).path("code").asString()).isEqualTo("unknown_event");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                fx.scrape().count("wsgate_refusals_total", "route=/echo", "reason=unknown_event")).isEqualTo(3));
        c.sendText(msg("chat", "c", 2));           // the budget of 4 is spent: 1 forwarded + 3 refused
        JsonNode n = notices(c, 1).get(0);
        assertThat(n.path("code").asString()).isEqualTo("rate_limited");
        awaitDrops("/echo", 1);
        assertThat(fx.receivedOn("/echo")).containsExactly(msg("chat", "c", 1));
        assertThat(c.channel().isActive()).as("close_after counts rate-limit drops only").isTrue();
    }

    @Test
    void perUserMessagesAreSharedByTwoSocketsOfOneUserOnly() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("chat.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                %s
                rate_limits:
                  per_user:
                    messages: { limit: 5, per: 1m }
                """.formatted(OpsFixture.hs256Auth()))).start();
        WsTestClient alice1 = track(fx.connectAs("/echo", "alice"));
        WsTestClient alice2 = track(fx.connectAs("/echo", "alice"));
        WsTestClient bob = track(fx.connectAs("/echo", "bob"));
        for (int i = 1; i <= 3; i++) {
            alice1.sendText(msg("chat", "alice1", i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 3);
        for (int i = 1; i <= 3; i++) {
            alice2.sendText(msg("chat", "alice2", i));
        }
        awaitDrops("/echo", 1);
        for (int i = 1; i <= 5; i++) {
            bob.sendText(msg("chat", "bob", i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 10);
        List<String> got = fx.receivedOn("/echo");
        assertThat(got.stream().filter(s -> s.contains("alice"))).containsExactly(
                msg("chat", "alice1", 1), msg("chat", "alice1", 2), msg("chat", "alice1", 3),
                msg("chat", "alice2", 1), msg("chat", "alice2", 2));
        assertThat(got.stream().filter(s -> s.contains("bob"))).hasSize(5);
        assertThat(fx.scrape().count("wsgate_rate_limited_total", "route=/echo")).isEqualTo(1);
        assertThat(notices(alice2, 1).get(0).path("code").asString()).isEqualTo("rate_limited");
    }

    @Test
    void eventRatesPerConnectionAndPerUser() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("chat.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                %s
                events:
                  default: allow
                  rules:
                    typing: { rate: { limit: 2, per: 1m } }
                    send-message: { rate: { limit: 3, per: 1m, scope: user } }
                """.formatted(OpsFixture.hs256Auth()))).start();
        WsTestClient a1 = track(fx.connectAs("/echo", "alice"));
        WsTestClient a2 = track(fx.connectAs("/echo", "alice"));
        for (int i = 1; i <= 3; i++) {
            a1.sendText(msg("typing", "a1", i));
            a1.sendText(msg("send-message", "a1", i));
            a1.sendText(msg("other", "a1", i));
        }
        awaitDrops("/echo", 1);
        for (int i = 1; i <= 3; i++) {
            a2.sendText(msg("typing", "a2", i));
            a2.sendText(msg("send-message", "a2", i));
            a2.sendText(msg("other", "a2", i));
        }
        // a2: typing has its own per-connection budget (2 of 3 pass), send-message's user budget is spent (0 of 3)
        awaitDrops("/echo", 1 + 1 + 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> fx.receivedOn("/echo").size() == 8 + 5);
        List<String> got = fx.receivedOn("/echo");
        assertThat(got.stream().filter(s -> s.contains("\"typing\""))).containsExactly(
                msg("typing", "a1", 1), msg("typing", "a1", 2), msg("typing", "a2", 1), msg("typing", "a2", 2));
        assertThat(got.stream().filter(s -> s.contains("\"send-message\""))).containsExactly(
                msg("send-message", "a1", 1), msg("send-message", "a1", 2), msg("send-message", "a1", 3));
        assertThat(got.stream().filter(s -> s.contains("\"other\""))).hasSize(6);
        OpsFixture.Scrape m = fx.scrape();
        assertThat(m.count("wsgate_refusals_total", "route=/echo", "event=typing", "reason=rate_limited")).isEqualTo(2);
        assertThat(m.count("wsgate_refusals_total", "route=/echo", "event=send-message", "reason=rate_limited"))
                .isEqualTo(3);
        // a notice names the event; only one per second and code per socket
        List<JsonNode> n2 = notices(a2, 1);
        assertThat(n2.get(0).path("event").asString()).isIn("typing", "send-message");
    }

    @Test
    void burstIsTheCapacityThenTokensRefillOneByOne() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("echo.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                events:
                  default: allow
                  rules:
                    ping-me: { rate: { limit: 1, per: 2s, burst: 5 } }
                """)).start();
        WsTestClient c = track(fx.connect("/echo"));
        long t0 = System.nanoTime();
        for (int i = 1; i <= 8; i++) {
            c.sendText(msg("ping-me", "c", i));
        }
        awaitDrops("/echo", 3);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("sent well within one refill").isLessThan(Duration.ofSeconds(2));
        awaitReceived(List.of(msg("ping-me", "c", 1), msg("ping-me", "c", 2),
                msg("ping-me", "c", 3), msg("ping-me", "c", 4), msg("ping-me", "c", 5)));
        JsonNode n = notices(c, 1).get(0);
        assertThat(n.path("type").asString()).isEqualTo("error");
        assertThat(n.path("code").asString()).isEqualTo("rate_limited");
        assertThat(n.path("event").asString()).isEqualTo("ping-me");
        long retry = n.path("retry_after_ms").asLong();
        assertThat(retry).isBetween(1L, 2000L);
        // after retry_after_ms one token is back: the next message passes, the one right after it does not
        Thread.sleep(retry + 150);
        c.sendText(msg("ping-me", "c", 9));
        c.sendText(msg("ping-me", "c", 10));
        awaitDrops("/echo", 4);
        awaitReceived(List.of(msg("ping-me", "c", 1), msg("ping-me", "c", 2), msg("ping-me", "c", 3),
                msg("ping-me", "c", 4), msg("ping-me", "c", 5), msg("ping-me", "c", 9)));
    }

    @Test
    void onExceedCloseClosesWith4429AndForwardsNothingMore() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("echo.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                rate_limits:
                  per_ip:
                    messages: { limit: 3, per: 1m }
                  on_exceed: close
                """)).start();
        WsTestClient c = track(fx.connect("/echo"));
        for (int i = 1; i <= 4; i++) {
            c.sendText(msg("chat", "c", i));
        }
        assertThat(c.closeCode()).isEqualTo(4429);
        awaitReceived(List.of(msg("chat", "c", 1), msg("chat", "c", 2), msg("chat", "c", 3)));
        await().atMost(Duration.ofSeconds(5)).until(() -> fx.upstream.closeCodes().contains(1001));
    }

    @Test
    void closeAfterClosesWith4429OnTheNthDrop() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("echo.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                rate_limits:
                  per_ip:
                    messages: { limit: 2, per: 1m }
                  close_after: 3
                """)).start();
        WsTestClient c = track(fx.connect("/echo"));
        for (int i = 1; i <= 4; i++) {
            c.sendText(msg("chat", "c", i));
        }
        awaitDrops("/echo", 2);
        // two drops: still open, and told so
        assertThat(notices(c, 1).get(0).path("code").asString()).isEqualTo("rate_limited");
        assertThat(c.channel().isActive()).isTrue();
        assertThatThrownBy(() -> c.closeCode(Duration.ofMillis(300))).isInstanceOf(java.util.concurrent.TimeoutException.class);
        c.sendText(msg("chat", "c", 5));
        assertThat(c.closeCode()).isEqualTo(4429);
        awaitReceived(List.of(msg("chat", "c", 1), msg("chat", "c", 2)));
        assertThat(fx.scrape().count("wsgate_rate_limited_total", "route=/echo")).isEqualTo(3);
    }

    @Test
    void perIpHandshakeRateAnswers429WithRetryAfter() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("echo.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                rate_limits:
                  per_ip:
                    connections: { limit: 2, per: 1m }
                """)).start();
        track(fx.connect("/echo"));
        track(fx.connect("/echo"));
        WsTestClient.Refused refused = null;
        try {
            track(fx.connect("/echo"));
        } catch (WsTestClient.Refused r) {
            refused = r;
        }
        assertThat(refused).as("third handshake within the minute").isNotNull();
        assertThat(refused.status).isEqualTo(429);
        int retryAfter = Integer.parseInt(refused.headers.get("Retry-After"));
        assertThat(retryAfter).isBetween(1, 30); // one connection token per 30 s
        assertThat(OpsFixture.json(refused.body).path("error").asString()).isNotEmpty();
        assertThat(fx.upstream.handshakes()).hasSize(2);
        OpsFixture.Scrape m = fx.scrape();
        assertThat(m.count("wsgate_handshakes_total", "outcome=refused", "status=429")).isEqualTo(1);
        assertThat(m.count("wsgate_handshakes_total", "outcome=accepted", "status=101")).isEqualTo(2);
    }

    @Test
    void pingsCountAgainstPerIpMessagesOnly() throws Exception {
        fx = OpsFixture.in(tmp);
        fx.route("echo.yaml", route("/echo", """
                protocol: { kind: json, event: type }
                rate_limits:
                  per_ip:
                    messages: { limit: 3, per: 1m }
                  per_user:
                    messages: { limit: 1, per: 1m }
                """)).start();
        WsTestClient c = track(fx.connect("/echo"));
        c.ping("one".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(c.next().type()).isEqualTo(WsTestClient.Type.PONG);
        c.ping("two".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(c.next().type()).isEqualTo(WsTestClient.Type.PONG);
        c.sendText(msg("chat", "c", 1));
        c.sendText(msg("chat", "c", 2));
        awaitDrops("/echo", 1);
        awaitReceived(List.of(msg("chat", "c", 1)));
        // the budget is spent: a ping is refused like a message (counted, not answered)
        c.ping("three".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        awaitDrops("/echo", 2);
        Thread.sleep(300);
        WsTestClient.Frame f;
        while ((f = c.poll()) != null) {
            assertThat(f.type()).as("no pong past the limit").isNotEqualTo(WsTestClient.Type.PONG);
        }
        assertThat(c.channel().isActive()).isTrue();
    }
}
