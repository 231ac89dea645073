package io.wsgate.e2e;

import io.wsgate.auth.AuthFixtures;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.WsTestClient;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Contract "Work per input is bounded", over real sockets with the gateway on ONE event-loop thread: a
 * 15-byte number that would expand to millions of digits is refused at once (socketio: 1008, json:
 * {@code invalid}) and never reaches the upstream; a json message starting with a byte-order mark is invalid;
 * and the largest inputs the caps allow (numbers, depth, escapes, sanitizer input, attachments) leave another
 * connection on the same loop answered within a generous second. Prints the time per hostile message.
 */
class BoundedWorkE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;
    static String token;

    static String route(String path, String target, String protocol, String events) {
        return """
                route:
                  path: %s
                  upstream: { targets: ["${UP}%s"], connect_timeout: 2s }
                protocol: %s
                auth:
                  jwt: { algorithms: [RS256], jwks_file: keys/jwks.json, issuer: %s, audience: %s, clock_skew: 1s }
                events:
                %s
                """.formatted(path, target, protocol, AuthFixtures.ISS, AuthFixtures.AUD, events);
    }

    @BeforeAll
    static void start() throws Exception {
        String schema = """
                {"type":"object","properties":{"n":{"type":"array",
                 "items":{"type":"number","multipleOf":1e-400,"minimum":-1e400,"maximum":1e400}}}}""";
        // PARANOID leak tracking records a stack trace on every buffer access and would be most of what this test
        // times; sampled tracking stays on, and LeakCheckExtension checks after PARANOID is back (see stop())
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        System.setProperty("wsgate.eventLoopThreads", "1");
        try {
            e2e = E2e.start(dir, "", List.of(),
                    "schemas/chat.json", schema,
                    "json.yaml", route("/j", "/echo", "{ kind: json, event: type }", """
                              default: deny
                              rules:
                                ping: {}
                                $default: {}
                                chat: { schema: schemas/chat.json, sanitize: { m: text } }
                            """),
                    "observer.yaml", route("/obs", "/observer", "{ kind: json, event: type }", "  default: allow"),
                    "sio.yaml", route("/socket.io/", "/sio/", "{ kind: socketio, max_attachments: 1000 }", """
                              default: allow
                              rules:
                                chat: { sanitize: { "[0].m": basic_html } }
                            """));
        } finally {
            System.clearProperty("wsgate.eventLoopThreads");
        }
        token = E2e.token("RS256", "bounded-user");
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
        if (leakLevel != null) {
            ResourceLeakDetector.setLevel(leakLevel);
        }
    }

    private static ResourceLeakDetector.Level leakLevel;

    WsTestClient json() throws Exception {
        return e2e.connect("/j", token);
    }

    WsTestClient sio() throws Exception {
        return e2e.connect("/socket.io/?EIO=4&transport=websocket", token);
    }

    static String nextText(WsTestClient c) throws InterruptedException {
        WsTestClient.Frame f = c.next(Duration.ofSeconds(5));
        assertThat(f.type()).isEqualTo(WsTestClient.Type.TEXT);
        return f.text();
    }

    List<String> receivedSince(int from) {
        List<DemoUpstream.Received> all = e2e.upstream.received();
        return all.subList(from, all.size()).stream().map(DemoUpstream.Received::text).toList();
    }

    // ---- the hostile packets

    @Test
    void socketIoNumbersOutOfBoundsClose1008AndNeverReachTheUpstream() throws Exception {
        for (String packet : List.of("42[1e20000000,\"x\"]", "42[\"x\",1e-20000000]", "42[\"x\",{\"a\":[1E+401]}]",
                "40{\"n\":1e20000000}", "431[1e-20000000]", "42[\"x\"," + "7".repeat(101) + "]", "42\uFEFF[\"x\"]")) {
            int from = e2e.upstream.received().size();
            int closes = e2e.upstream.closeCodes().size();
            try (WsTestClient c = sio()) {
                c.sendText("42[\"before\"]");
                assertThat(nextText(c)).isEqualTo("42[\"before\"]");
                long t0 = System.nanoTime();
                c.sendText(packet);
                assertThat(c.closeCode(Duration.ofSeconds(5))).as(packet).isEqualTo(1008);
                System.out.printf("[bounded-work] socketio %-28s closed 1008 after %d ms%n", packet,
                        (System.nanoTime() - t0) / 1_000_000);
            }
            // the upstream side is closed after anything forwarded on it: its record is complete
            await().atMost(Duration.ofSeconds(5)).until(() -> e2e.upstream.closeCodes().size() > closes);
            assertThat(receivedSince(from)).as(packet).containsExactly("42[\"before\"]");
        }
    }

    @Test
    void jsonNumbersOutOfBoundsAndByteOrderMarksAreInvalidAndNeverReachTheUpstream() throws Exception {
        for (String msg : List.of("{\"type\":\"chat\",\"n\":[1e20000000]}", "{\"type\":\"ping\",\"x\":{\"y\":[1e-20000000]}}",
                "{\"type\":1E+401}", "1e401", "{\"type\":\"ping\",\"n\":" + "3".repeat(101) + "}",
                "\uFEFF{\"type\":\"ping\"}", "\uFEFFnot json")) {
            int from = e2e.upstream.received().size();
            try (WsTestClient c = json()) {
                long t0 = System.nanoTime();
                c.sendText(msg);
                assertThat(nextText(c)).as(msg).isEqualTo("{\"type\":\"error\",\"code\":\"invalid\"}");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                c.sendText("{\"type\":\"ping\",\"i\":\"after\"}");
                assertThat(nextText(c)).isEqualTo("{\"type\":\"ping\",\"i\":\"after\"}");
                System.out.printf("[bounded-work] json %-30.30s invalid after %d ms%n", msg.replace("\uFEFF", "<BOM>"), ms);
            }
            assertThat(receivedSince(from)).as(msg).containsExactly("{\"type\":\"ping\",\"i\":\"after\"}");
        }
    }

    // ---- the largest inputs the caps allow, beside a connection on the same event loop

    /** 100 characters, exponent 399: within both caps, and within the schema's minimum/maximum. */
    static final String BIG = "-9." + "9".repeat(92) + "e+399";
    /** 100 characters, exponent -400, a multiple of the schema's multipleOf 1e-400 (exercises its arithmetic). */
    static final String TINY = "-1." + "0".repeat(92) + "e-400";
    static final int BUDGET = 65_000; // under max_message_bytes 65536

    static String fill(String head, String unit, String sep, String tail) {
        return fill(BUDGET, head, unit, sep, tail);
    }

    static String fill(int budget, String head, String unit, String sep, String tail) {
        StringBuilder b = new StringBuilder(head).append(unit);
        while (b.length() + sep.length() + unit.length() + tail.length() <= budget) {
            b.append(sep).append(unit);
        }
        return b.append(tail).toString();
    }

    static Observer observer;

    static String nest(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void largestInputsTheCapsAllowLeaveTheLoopResponsive() throws Exception {
        assertThat(BIG).hasSize(100);
        assertThat(TINY).hasSize(100);
        Observer obs = new Observer(e2e.connect("/obs", token));
        observer = obs;
        obs.start();
        try {
            String numbers = fill("{\"type\":\"chat\",\"n\":[", BIG, ",", "," + TINY + "]}");
            flood("json numbers-near-caps", json(), 30, "/echo", c -> c.sendText(numbers), numbers.length());
            // root object (1) + "d" array (2) + 62 more levels: exactly the depth cap of 64
            String deep = fill("{\"type\":\"chat\",\"d\":[", nest(62), ",", "]}");
            flood("json depth-64", json(), 30, "/echo", c -> c.sendText(deep), deep.length());
            String escapes = fill("{\"type\":\"chat\",\"e\":\"", "\\u00e9\\n\\\"\\\\", "", "\"}");
            flood("json escapes", json(), 30, "/echo", c -> c.sendText(escapes), escapes.length());
            String tags = fill("{\"type\":\"chat\",\"m\":\"", "<b><i x=1>&amp;&#x3c;", "", "\"}");
            flood("json sanitize-text", json(), 30, "/echo", c -> c.sendText(tags), tags.length());

            String sioNumbers = fill("42[9007199254740991,[", BIG, ",", "]]");
            flood("socketio numbers-near-caps", sio(), 30, "/sio/", c -> c.sendText(sioNumbers), sioNumbers.length());
            String sioDeep = fill("42[\"chat\",", nest(63), ",", "]");
            flood("socketio depth-64", sio(), 30, "/sio/", c -> c.sendText(sioDeep), sioDeep.length());
            String sioEscapes = fill("42[\"chat\",\"", "\\ud83d\\ude00\\t", "", "\"]");
            flood("socketio escapes", sio(), 30, "/sio/", c -> c.sendText(sioEscapes), sioEscapes.length());
            // basic_html adds rel="nofollow noopener" to each link: half the budget keeps the output under the cap
            String sioTags = fill(BUDGET / 2, "42[\"chat\",{\"m\":\"", "<a href=\\\"http://e.x/\\\"><b>&lt;", "", "\"}]");
            flood("socketio sanitize-basic_html", sio(), 30, "/sio/", c -> c.sendText(sioTags), sioTags.length());
            StringBuilder ph = new StringBuilder("451000-[\"file\"");
            for (int i = 0; i < 1000; i++) {
                ph.append(",{\"_placeholder\":true,\"num\":").append(i).append('}');
            }
            String binary = ph.append(']').toString();
            byte[] one = {1};
            flood("socketio 1000-attachments", sio(), 5, "/sio/", c -> {
                c.sendText(binary);
                for (int i = 0; i < 1000; i++) {
                    c.sendBinary(one);
                }
            }, binary.length() + 1000);
        } finally {
            obs.stop();
        }
        System.out.printf("[bounded-work] observer on the same loop: %d round trips, worst %d ms%n",
                obs.count, obs.worstNanos / 1_000_000);
        assertThat(obs.failure).isNull();
        assertThat(obs.count).isGreaterThan(10);
        assertThat(obs.worstNanos).isLessThan(Duration.ofSeconds(1).toNanos());
    }

    /**
     * Sends {@code n} messages and a sentinel, waits for the sentinel's echo (every message before it has been
     * inspected and relayed), prints the time per message and checks that all {@code n} were forwarded.
     */
    void flood(String kind, WsTestClient c, int n, String upstreamPath, Consumer<WsTestClient> send, int bytes)
            throws Exception {
        try (c) {
            boolean sio = upstreamPath.startsWith("/sio");
            String sentinel = sio ? "42[\"sentinel\"]" : "{\"type\":\"ping\",\"i\":\"sentinel\"}";
            int from = e2e.upstream.received().size();
            observer.phaseWorstNanos = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                send.accept(c);
            }
            c.sendText(sentinel);
            while (true) {
                WsTestClient.Frame f = c.next(Duration.ofSeconds(30));
                assertThat(f.type()).as(kind).isIn(WsTestClient.Type.TEXT, WsTestClient.Type.BINARY);
                if (f.type() == WsTestClient.Type.TEXT && f.text().equals(sentinel)) {
                    break;
                }
            }
            long perMsg = (System.nanoTime() - t0) / 1000 / n;
            System.out.printf("[bounded-work] %-30s %3d msgs x %6d B: %6d us/msg (inspected, relayed and echoed);"
                    + " observer worst round trip meanwhile %d ms%n", kind, n, bytes, perMsg, observer.phaseWorstNanos / 1_000_000);
            List<DemoUpstream.Received> got = e2e.upstream.received();
            long texts = got.subList(from, got.size()).stream()
                    .filter(r -> r.path().equals(upstreamPath) && !r.binary()).count();
            assertThat(texts).as(kind + ": every message within the caps is forwarded").isEqualTo(n + 1);
        }
    }

    /** Keeps one ping in flight on the observer route and records the worst round trip. */
    static final class Observer implements Runnable {
        private final WsTestClient c;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(this, "bounded-work-observer");
        volatile int count;
        volatile long worstNanos;
        volatile long phaseWorstNanos;
        volatile Throwable failure;

        Observer(WsTestClient c) {
            this.c = c;
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            c.close();
        }

        @Override
        public void run() {
            try {
                for (int i = 0; running.get(); i++) {
                    String msg = "{\"type\":\"tick\",\"i\":" + i + "}";
                    long t0 = System.nanoTime();
                    c.sendText(msg);
                    WsTestClient.Frame f;
                    do {
                        f = c.next(Duration.ofSeconds(5));
                    } while (f.type() == WsTestClient.Type.PING || f.type() == WsTestClient.Type.PONG);
                    String back = f.text();
                    long rtt = System.nanoTime() - t0;
                    if (!back.equals(msg)) {
                        throw new AssertionError("observer got " + back + " for " + msg);
                    }
                    worstNanos = Math.max(worstNanos, rtt);
                    phaseWorstNanos = Math.max(phaseWorstNanos, rtt);
                    count = i + 1;
                    Thread.sleep(2);
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }
}
