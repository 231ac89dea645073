package io.wsgate.e2e;

import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reload test: four clients send continuously while the event limit is changed three times through
 * the route file + {@code POST /admin/reload} and one invalid file is submitted. Every message is tagged with its
 * client, sequence number and the reload phase in force when it was sent, so each one can be accounted for.
 */
class ReloadUnderLoadTest {
    private static final int CLIENTS = 4;
    private static final int PER_CLIENT = 300;
    private static final long GAP_MS = 15;

    @TempDir
    Path tmp;

    private String chatYaml(OpsFixture fx, String rate) {
        return """
                route:
                  path: /chat
                  upstream: { targets: ["%s"] }
                protocol: { kind: json, event: type }
                rate_limits: { on_exceed: drop, notify: true, close_after: 1000000 }
                events:
                  default: allow
                  rules:
                    msg: { rate: %s }
                """.formatted(fx.upstreamUrl("/echo"), rate);
    }

    private record Tagged(int client, int seq, int phase) {
        static Tagged of(String text) {
            JsonNode n = OpsFixture.json(text);
            return new Tagged(n.path("c").asInt(), n.path("seq").asInt(), n.path("p").asInt());
        }
    }

    @Test
    void limitsChangeThreeTimesAndAnInvalidFileIsRefusedWhileClientsSend() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            fx.route("chat.yaml", chatYaml(fx, "{ limit: 1000, per: 1s }")).start();
            List<WsTestClient> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(fx.connect("/chat"));
            }
            try {
                run(fx, clients);
            } finally {
                clients.forEach(WsTestClient::close);
            }
        }
    }

    private void run(OpsFixture fx, List<WsTestClient> clients) throws Exception {
        AtomicReference<Integer> phase = new AtomicReference<>(0);
        AtomicReference<Throwable> senderError = new AtomicReference<>();
        List<List<Tagged>> sent = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            List<Tagged> mine = new ArrayList<>();
            sent.add(mine);
            Thread t = new Thread(() -> {
                try {
                    for (int seq = 0; seq < PER_CLIENT; seq++) {
                        int p = phase.get();
                        clients.get(client).sendText("{\"type\":\"msg\",\"c\":" + client + ",\"seq\":" + seq
                                + ",\"p\":" + p + "}");
                        mine.add(new Tagged(client, seq, p));
                        Thread.sleep(GAP_MS);
                    }
                } catch (Throwable e) {
                    senderError.set(e);
                }
            }, "load-" + c);
            t.start();
            senders.add(t);
        }

        Thread.sleep(1000);
        HttpResponse<String> r1 = reloadWith(fx, "{ limit: 20, per: 1s }");
        phase.set(1);
        Thread.sleep(1000);
        HttpResponse<String> r2 = reloadWith(fx, "{ limit: 500, per: 1s }");
        phase.set(2);
        Thread.sleep(600);
        HttpResponse<String> bad = reloadWith(fx, "{ limit: 0, per: 1s }");
        Thread.sleep(600);
        HttpResponse<String> r3 = reloadWith(fx, "{ limit: 2, per: 1m }");
        phase.set(3);

        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(senderError.get()).isNull();

        assertThat(r1.statusCode()).isEqualTo(200);
        assertThat(OpsFixture.json(r1.body()).path("version").asLong()).isEqualTo(2);
        assertThat(OpsFixture.json(r2.body()).path("version").asLong()).isEqualTo(3);
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode errors = OpsFixture.json(bad.body()).path("errors");
        assertThat(errors.size()).isEqualTo(1);
        // line 9 of chat.yaml holds the msg rule
        assertThat(errors.get(0).asString()).matches("chat\\.yaml:9: events\\.rules\\.msg\\.rate\\.limit: .+");
        assertThat(r3.statusCode()).isEqualTo(200);
        assertThat(OpsFixture.json(r3.body()).path("version").asLong()).isEqualTo(4);

        // one more message per socket, more than a second after the last notice slot: refused with the new wait
        Thread.sleep(1100);
        for (int c = 0; c < CLIENTS; c++) {
            clients.get(c).sendText("{\"type\":\"msg\",\"c\":" + c + ",\"seq\":" + PER_CLIENT + ",\"p\":3}");
            sent.get(c).add(new Tagged(c, PER_CLIENT, 3));
        }

        int total = sent.stream().mapToInt(List::size).sum();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            OpsFixture.Scrape m = fx.scrape();
            double forwarded = fx.receivedOn("/echo").size();
            assertThat(forwarded + m.count("wsgate_rate_limited_total", "route=/chat")).isEqualTo(total);
        });

        List<Tagged> upstream = fx.receivedOn("/echo").stream().map(Tagged::of).toList();
        long dropped = 0;
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            List<Tagged> got = upstream.stream().filter(t -> t.client() == client).toList();
            // forwarded in order, never twice, nothing the client did not send
            assertThat(got).isSortedAccordingTo(java.util.Comparator.comparingInt(Tagged::seq));
            assertThat(got).doesNotHaveDuplicates();
            assertThat(sent.get(c)).containsAll(got);
            List<Tagged> refused = sent.get(c).stream().filter(t -> !got.contains(t)).toList();
            dropped += refused.size();
            // the echo of every forwarded message came back on the same socket
            List<Tagged> echoed = echoes(clients.get(c), got.size());
            assertThat(echoed).containsExactlyElementsOf(got);

            System.out.printf("client %d: sent per phase %s, refused per phase %s%n", c, perPhase(sent.get(c)),
                    perPhase(refused));
            assertThat(refused.stream().filter(t -> t.phase() == 0)).as("client %d, 1000/s", c).isEmpty();
            assertThat(refused.stream().filter(t -> t.phase() == 1)).as("client %d, 20/s", c).isNotEmpty();
            // at the switch from 20/s the budget is carried over proportionally (nearly empty): at most one refusal
            assertThat(refused.stream().filter(t -> t.phase() == 2).count()).as("client %d, 500/s", c).isLessThanOrEqualTo(1);
            long sentAfter = sent.get(c).stream().filter(t -> t.phase() == 3).count();
            long passedAfter = got.stream().filter(t -> t.phase() == 3).count();
            assertThat(sentAfter).as("messages sent after the last reload").isGreaterThan(20);
            assertThat(passedAfter).as("client %d under 2 per minute", c).isLessThanOrEqualTo(2);

            // no socket was closed: no close frame, channel still open
            assertThat(clients.get(c).channel().isActive()).isTrue();
        }
        System.out.printf("reload under load: %d sent, %d forwarded, %d refused by the limits%n", total,
                upstream.size(), dropped);
        assertThat(fx.upstream.closeCodes()).isEmpty();
        // scraped after every echo arrived, so the out counter is complete too
        OpsFixture.Scrape m = fx.scrape();
        // the metrics agree: every message counted in, every refusal counted, forwarded = in - refused
        assertThat(m.count("wsgate_messages_total", "route=/chat", "direction=in")).isEqualTo(total);
        assertThat(m.count("wsgate_rate_limited_total", "route=/chat")).isEqualTo(dropped);
        assertThat(m.count("wsgate_refusals_total", "route=/chat", "event=msg", "reason=rate_limited")).isEqualTo(dropped);
        assertThat(m.count("wsgate_messages_total", "route=/chat", "direction=out")).isEqualTo(upstream.size());
        assertThat(m.count("wsgate_messages_total", "route=/chat", "direction=in") - dropped).isEqualTo(upstream.size());
        assertThat(m.value("wsgate_connections_open", "route=/chat")).isEqualTo(CLIENTS);
        assertThat(m.count("wsgate_reloads_total", "outcome=success")).isEqualTo(3);
        assertThat(m.count("wsgate_reloads_total", "outcome=failure")).isEqualTo(1);
        assertThat(m.value("wsgate_policy_version")).isEqualTo(4);
        assertThat(fx.gateway.registry().total()).isEqualTo(CLIENTS);
    }

    private static List<Long> perPhase(List<Tagged> list) {
        List<Long> out = new ArrayList<>();
        for (int p = 0; p <= 3; p++) {
            int phase = p;
            out.add(list.stream().filter(t -> t.phase() == phase).count());
        }
        return out;
    }

    private HttpResponse<String> reloadWith(OpsFixture fx, String rate) throws Exception {
        fx.route("chat.yaml", chatYaml(fx, rate));
        return fx.reload();
    }

    /** Echoed messages (notices skipped); also checks the last notice carries the new limit's wait. */
    private static List<Tagged> echoes(WsTestClient client, int expected) throws InterruptedException {
        List<Tagged> out = new ArrayList<>();
        JsonNode lastNotice = null;
        while (true) {
            // wait while echoes are still due, then drain whatever else arrived
            WsTestClient.Frame f = out.size() < expected ? client.next(Duration.ofSeconds(5)) : client.poll();
            if (f == null) {
                break;
            }
            assertThat(f.type()).isNotEqualTo(WsTestClient.Type.CLOSE);
            if (f.type() != WsTestClient.Type.TEXT) {
                continue;
            }
            JsonNode notice = OpsFixture.notice(f);
            if (notice != null) {
                lastNotice = notice;
            } else {
                out.add(Tagged.of(f.text()));
            }
        }
        assertThat(out).hasSize(expected);
        assertThat(lastNotice).isNotNull();
        assertThat(lastNotice.path("code").asString()).isEqualTo("rate_limited");
        assertThat(lastNotice.path("event").asString()).isEqualTo("msg");
        // 2 per minute: the next token is up to 30 s away, far beyond what 20/s or 500/s would answer
        assertThat(lastNotice.path("retry_after_ms").asLong()).isBetween(1000L, 30_000L);
        return out;
    }
}
