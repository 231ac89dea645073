package io.wsgate.e2e;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.proxy.ProxyServer;
import io.wsgate.server.Gateway;
import io.wsgate.testing.Crash;
import io.wsgate.testing.ProcSockets;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14, "Upstream faults": a real gateway ({@link Gateway#start}) on 127.0.0.1 in front of upstreams that
 * die, hang, stall or restart, judged from outside: close codes and statuses the clients get, the gateway's open
 * connection count (registry, {@code /admin/connections}, {@code wsgate_connections_open}), the sockets this JVM
 * still holds ({@link ProcSockets}), and what the upstream recorded. Netty leak detection is PARANOID for the
 * suite and {@code LeakCheckExtension} fails this class if a buffer leaked.
 */
class UpstreamFaultsTest {
    /** Gateway pings off: clients see only the frames a test provokes. */
    static final String GATEWAY = "connections: { ping_interval: 0s }\n";
    static final Duration CLOSE_BOUND = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T t) {
        cleanup.add(t);
        return t;
    }

    // ------------------------------------------------------------------ 1. killed mid-stream

    @Test
    void upstreamKilledMidStreamGivesEveryClient1014AndFreesBothLegs(@TempDir Path dir) throws Exception {
        DemoUpstream up = closing(new DemoUpstream("127.0.0.1", 0).start());
        int upPort = up.port();
        Gateway gw = closing(start(dir, route("/echo", "\"ws://127.0.0.1:" + upPort + "/echo\"", "2s", "")));
        int clients = 8;
        List<WsTestClient> cs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            cs.add(closing(WsTestClient.to(ws(gw, "/echo?c=" + i)).connect()));
        }
        await().atMost(CLOSE_BOUND).until(() -> up.handshakes().size() == clients);
        assertThat(gw.registry().total()).isEqualTo(clients);

        // every client exchanges messages in a loop until its socket closes
        AtomicIntegerArray echoed = new AtomicIntegerArray(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<String>> loops = new ArrayList<>();
        try {
            for (int k = 0; k < clients; k++) {
                int id = k;
                WsTestClient c = cs.get(k);
                loops.add(pool.submit(() -> {
                    for (int i = 0; i < 1_000_000; i++) {
                        String msg = "c" + id + "-m" + i;
                        try {
                            c.sendText(msg);
                        } catch (Exception e) {
                            // (Netty rethrows the checked ClosedChannelException unchecked-style, hence Exception)
                            return "send failed";
                        }
                        WsTestClient.Frame f = c.next(CLOSE_BOUND);
                        if (f.type() == WsTestClient.Type.CLOSE) {
                            return "closed";
                        }
                        if (f.type() != WsTestClient.Type.TEXT || !f.text().equals(msg)) {
                            return "wrong echo for " + msg + ": " + f.type() + " " + f.text();
                        }
                        echoed.incrementAndGet(id);
                    }
                    return "never closed";
                }));
            }
            // mid-stream: every client has had echoes, and keeps sending
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (int k = 0; k < clients; k++) {
                    if (echoed.get(k) < 20) {
                        return false;
                    }
                }
                return true;
            });
            long killedAt = System.nanoTime();
            Crash.kill(up);

            List<Integer> codes = new ArrayList<>();
            for (WsTestClient c : cs) {
                codes.add(c.closeCode(CLOSE_BOUND));
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertThat(codes).as("close codes, all within %d ms of the kill", tookMs).hasSize(clients).containsOnly(1014);
            assertThat(tookMs).as("ms from the kill to the last close frame").isLessThan(CLOSE_BOUND.toMillis());
            for (WsTestClient c : cs) {
                assertThat(c.closeReason()).isEqualTo("upstream failed");
            }
            for (Future<String> loop : loops) {
                assertThat(loop.get(CLOSE_BOUND.toSeconds(), TimeUnit.SECONDS)).isIn("closed", "send failed");
            }
        } finally {
            pool.shutdownNow();
        }
        // the gateway closes the TCP connection after the client answered its close frame
        for (WsTestClient c : cs) {
            assertThat(c.awaitClosed(CLOSE_BOUND)).as("client TCP closed").isTrue();
        }
        assertFreed(gw, "/echo", upPort);
    }

    // ------------------------------------------------------------------ 2. never answers the upgrade

    @Test
    void upstreamThatNeverAnswersTheUpgradeGets502WithinConnectTimeoutAndIsHungUpOn(@TempDir Path dir) throws Exception {
        RawUpstream silent = closing(new RawUpstream(RawUpstream.Mode.SILENT, 0));
        long connectTimeoutMs = 1000;
        Gateway gw = closing(start(dir, route("/silent", "\"ws://127.0.0.1:" + silent.port() + "/s\"",
                connectTimeoutMs + "ms", "")));

        long t0 = System.nanoTime();
        Throwable t = catchThrowable(() -> WsTestClient.to(ws(gw, "/silent")).connect());
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(t).isInstanceOf(WsTestClient.Refused.class);
        WsTestClient.Refused r = (WsTestClient.Refused) t;
        assertThat(r.status).as(r.body).isEqualTo(502);
        assertThat(r.body).contains("\"error\":\"bad_gateway\"");
        // not before connect_timeout (the gateway really waited for the 101), and well before it plus 3 s
        assertThat(tookMs).as("ms until the 502").isBetween(connectTimeoutMs - 50, connectTimeoutMs + 3000);

        // the gateway did send its upgrade to that socket, got nothing back, and then closed it
        assertThat(silent.connections()).hasSize(1);
        RawUpstream.Conn conn = silent.connections().get(0);
        assertThat(conn.request).succeedsWithin(CLOSE_BOUND).asString().startsWith("GET /s HTTP/1.1\r\n").containsIgnoringCase("upgrade: websocket");
        assertThat(conn.ended).as("the gateway closes the accepted socket").succeedsWithin(CLOSE_BOUND).isEqualTo("eof");
        assertFreed(gw, "/silent", silent.port());
    }

    // ------------------------------------------------------------------ 3. upgrades, then stops reading

    @Test
    void upstreamThatStopsReadingPushesBackToTheClientWithBoundedMemoryAndLosesNothing(@TempDir Path dir)
            throws Exception {
        // the gateway's buffers come from PooledByteBufAllocator.DEFAULT (ProxyServer.BUFFERS); this JVM's clients
        // and test upstreams use Netty 4.2's default (adaptive) allocator, so the pooled figures are the gateway's
        assertThat(ByteBufAllocator.DEFAULT).isNotSameAs(PooledByteBufAllocator.DEFAULT);
        int msgBytes = 16 * 1024;
        int upstreamRcvBuf = 64 * 1024;
        RawUpstream stall = closing(new RawUpstream(RawUpstream.Mode.STALL_AFTER_UPGRADE, upstreamRcvBuf));
        Gateway gw = closing(start(dir, route("/stall", "\"ws://127.0.0.1:" + stall.port() + "/s\"", "2s",
                "  max_message_bytes: " + msgBytes + "\n")));
        WsTestClient c = closing(WsTestClient.to(ws(gw, "/stall")).connect());
        Channel ch = c.channel();
        ch.config().setOption(ChannelOption.SO_SNDBUF, 64 * 1024);
        long clientSndBuf = ch.config().getOption(ChannelOption.SO_SNDBUF);
        await().atMost(CLOSE_BOUND).until(() -> stall.connections().size() == 1);
        long upstreamRcv = stall.connections().get(0).socket.getReceiveBufferSize();

        // what may sit between the client's writes and the stalled upstream: the kernel's socket buffers at their
        // largest (client send, gateway receive, gateway send, upstream receive) plus the gateway's own bound
        long gatewayBound = 2L * (ProxyServer.HIGH_WATER + 2L * ProxyServer.MAX_READ + 2L * msgBytes);
        long socketBound = clientSndBuf + sysctlMax("tcp_rmem") + sysctlMax("tcp_wmem") + upstreamRcv + gatewayBound;
        int total = (int) Math.min(Integer.MAX_VALUE / msgBytes, 2 * socketBound / msgBytes + 64);
        long pinnedBefore = PooledByteBufAllocator.DEFAULT.pinnedDirectMemory()
                + PooledByteBufAllocator.DEFAULT.pinnedHeapMemory();

        AtomicLong accepted = new AtomicLong();
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < total && !stop.get() && System.nanoTime() < deadline; ) {
                if (!ch.isWritable()) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                ch.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message(i, msgBytes))))
                        .addListener(f -> {
                            if (f.isSuccess()) {
                                accepted.addAndGet(msgBytes);
                            } else {
                                failed.incrementAndGet();
                            }
                        });
                issued.set(++i);
            }
        }, "stall-writer");
        writer.setDaemon(true);
        writer.start();

        // backpressure reached the client: for 3 s on end its channel stays unwritable, the bytes the network
        // accepted from it stay under the bound, it is far from done, and the gateway's pooled memory stays bounded
        AtomicLong worstPinned = new AtomicLong();
        try {
            await().atMost(Duration.ofSeconds(40)).during(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        long pinned = PooledByteBufAllocator.DEFAULT.pinnedDirectMemory()
                                + PooledByteBufAllocator.DEFAULT.pinnedHeapMemory() - pinnedBefore;
                        worstPinned.accumulateAndGet(pinned, Math::max);
                        return !ch.isWritable() && accepted.get() <= socketBound && issued.get() < total;
                    });
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertThat(writer.isAlive()).isFalse();
        int sent = issued.get();
        System.out.printf("stalled upstream: client wrote %d of %d messages (%d bytes accepted, bound %d);"
                        + " gateway pooled memory grew at most %d bytes (bound %d)%n",
                sent, total, accepted.get(), socketBound, worstPinned.get(), gatewayBound);
        assertThat(accepted.get()).as("bytes accepted from the client while stalled").isLessThanOrEqualTo(socketBound);
        assertThat(worstPinned.get()).as("gateway pooled memory growth while stalled").isLessThanOrEqualTo(gatewayBound);
        assertThat(stall.connections().get(0).messages).isEmpty();

        // the upstream reads again: everything the client sent arrives, whole and in order
        stall.resume();
        RawUpstream.Conn conn = stall.connections().get(0);
        await().atMost(Duration.ofSeconds(60)).until(() -> conn.messages.size() >= sent);
        assertThat(failed.get()).isZero();
        assertThat(accepted.get()).isEqualTo((long) sent * msgBytes);
        assertThat(conn.messages).hasSize(sent);
        for (int i = 0; i < sent; i++) {
            assertThat(conn.messages.get(i)).as("message %d", i).isEqualTo(message(i, msgBytes));
        }
        c.close(1000, "done");
        assertThat(c.closeCode(CLOSE_BOUND)).isEqualTo(1000);
        assertFreed(gw, "/stall", stall.port());
    }

    /** Message {@code i}: its number, then bytes that depend on it and on their position. */
    static byte[] message(int i, int size) {
        byte[] b = new byte[size];
        ByteBuffer.wrap(b).putInt(i);
        for (int j = 4; j < size; j++) {
            b[j] = (byte) (i * 31 + j);
        }
        return b;
    }

    static long sysctlMax(String name) throws Exception {
        // (readAllLines: Files.readString read a single byte of these /proc files here)
        String[] v = String.join(" ", Files.readAllLines(Path.of("/proc/sys/net/ipv4/" + name))).trim().split("\\s+");
        return Long.parseLong(v[2]);
    }

    // ------------------------------------------------------------------ 4. one of two targets down

    /**
     * Contract: "on failure or timeout the next target is tried while connect_timeout lasts". Every balance mode
     * puts the dead target first for some connections (round_robin: every other one; least_connections: every one,
     * the dead target never holds a connection; hash_user: every one of the route whose hash picks it), and each of
     * those must reach the live target instead of getting a 502.
     */
    @Test
    void withOneOfTwoTargetsDownEveryNewConnectionReachesTheLiveOne(@TempDir Path dir) throws Exception {
        DemoUpstream up = closing(new DemoUpstream("127.0.0.1", 0).start());
        String live = "\"ws://127.0.0.1:" + up.port() + "/echo\"";
        String dead = "\"ws://127.0.0.1:" + deadPort() + "/echo\"";
        Gateway gw = closing(start(dir,
                route("/rr", dead + ", " + live, "2s", ""),
                route("/lc", dead + ", " + live, "2s", "").replace("connect_timeout: 2s", "connect_timeout: 2s, balance: least_connections"),
                route("/h1", dead + ", " + live, "2s", "").replace("connect_timeout: 2s", "connect_timeout: 2s, balance: hash_user"),
                route("/h2", live + ", " + dead, "2s", "").replace("connect_timeout: 2s", "connect_timeout: 2s, balance: hash_user")));
        int n = 10;
        List<WsTestClient> open = new ArrayList<>();
        for (String path : List.of("/rr", "/lc", "/h1", "/h2")) {
            for (int i = 0; i < n; i++) {
                // kept open: least_connections sees the live target's load grow
                WsTestClient c = closing(WsTestClient.to(ws(gw, path + "?i=" + i)).connect());
                open.add(c);
                E2e.assertEchoes(c, path + " #" + i);
            }
        }
        // none lost, none duplicated: the live upstream saw exactly these handshakes, and all still echo
        assertThat(up.handshakes()).hasSize(4 * n);
        assertThat(up.accepted()).isEqualTo(4 * n);
        for (WsTestClient c : open) {
            E2e.assertEchoes(c, "again");
        }
        // and the dead target was really tried first where the balancer put it there
        OpsFixture.Scrape m = new OpsFixture.Scrape(get(gw.adminPort(), "/metrics").body());
        assertThat(m.count("wsgate_upstream_connect_failures_total", "route=/rr")).isEqualTo(n / 2);
        assertThat(m.count("wsgate_upstream_connect_failures_total", "route=/lc")).isEqualTo(n);
        assertThat(m.count("wsgate_upstream_connect_failures_total", "route=/h1")
                + m.count("wsgate_upstream_connect_failures_total", "route=/h2")).isEqualTo(n);
        for (WsTestClient c : open) {
            c.close(1000, "done");
            assertThat(c.closeCode(CLOSE_BOUND)).isEqualTo(1000);
        }
        assertFreed(gw, "/rr", up.port());
    }

    /**
     * "Down" may also mean hung: a frozen backend's kernel still completes TCP handshakes on its listen backlog,
     * and nothing answers the upgrade. That is a timeout of the upstream connect, so the contract's "the next
     * target is tried while connect_timeout lasts" applies: the hung target gets its share of connect_timeout,
     * then the live one is tried.
     */
    @Test
    void withOneOfTwoTargetsHungEveryNewConnectionReachesTheLiveOne(@TempDir Path dir) throws Exception {
        DemoUpstream up = closing(new DemoUpstream("127.0.0.1", 0).start());
        RawUpstream hung = closing(new RawUpstream(RawUpstream.Mode.SILENT, 0));
        long connectTimeoutMs = 2000;
        Gateway gw = closing(start(dir, route("/rr", "\"ws://127.0.0.1:" + hung.port() + "/echo\", \"ws://127.0.0.1:"
                + up.port() + "/echo\"", connectTimeoutMs + "ms", "")));
        int n = 4;
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (WsTestClient c = WsTestClient.to(ws(gw, "/rr?i=" + i)).connect()) {
                millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                E2e.assertEchoes(c, "#" + i);
            }
        }
        assertThat(up.handshakes()).hasSize(n);
        // round_robin put the hung target first for every other connection; each was given up in time
        assertThat(hung.connections()).hasSize(n / 2);
        for (RawUpstream.Conn conn : hung.connections()) {
            assertThat(conn.ended).as("the gateway hangs up on the hung target").succeedsWithin(CLOSE_BOUND).isEqualTo("eof");
        }
        assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(connectTimeoutMs + 3000));
        assertFreed(gw, "/rr", hung.port());
    }

    // ------------------------------------------------------------------ 5. restarts under load

    enum Phase { UP, STOPPING, DOWN, RESTARTING, UP_AGAIN }

    /** One connect-echo-close attempt, with the phase it started and ended in. */
    record Attempt(Phase from, Phase to, String outcome) {}

    @Test
    void upstreamRestartingUnderLoad502sDuringTheOutageAndServesAfterIt(@TempDir Path dir) throws Exception {
        DemoUpstream first = new DemoUpstream("127.0.0.1", 0).start();
        int port = first.port();
        DemoUpstream[] current = {first};
        cleanup.add(() -> current[0].close());
        Gateway gw = closing(start(dir, route("/echo", "\"ws://127.0.0.1:" + port + "/echo\"", "1s", "")));
        // long-lived sockets, open across the outage
        List<WsTestClient> longLived = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            WsTestClient c = closing(WsTestClient.to(ws(gw, "/echo?long=" + i)).connect());
            E2e.assertEchoes(c, "long " + i);
            longLived.add(c);
        }

        java.util.concurrent.atomic.AtomicReference<Phase> phase = new java.util.concurrent.atomic.AtomicReference<>(Phase.UP);
        ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        int loopers = 3;
        ExecutorService pool = Executors.newFixedThreadPool(loopers);
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < loopers; t++) {
            int id = t;
            loops.add(pool.submit(() -> {
                for (int i = 0; i < 10_000 && !stop.get(); i++) {
                    Phase from = phase.get();
                    String outcome = attempt(gw, "/echo?t=" + id + "&i=" + i);
                    attempts.add(new Attempt(from, phase.get(), outcome));
                }
                return null;
            }));
        }
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> count(attempts, Phase.UP, "ok") >= 15);
            phase.set(Phase.STOPPING);
            Crash.kill(first);
            phase.set(Phase.DOWN);
            for (WsTestClient c : longLived) {
                assertThat(c.closeCode(CLOSE_BOUND)).as("open socket when the upstream died").isEqualTo(1014);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count(attempts, Phase.DOWN, null) >= 10);
            phase.set(Phase.RESTARTING);
            current[0] = Crash.restartOn(port, Duration.ofSeconds(10));
            phase.set(Phase.UP_AGAIN);
            await().atMost(Duration.ofSeconds(30)).until(() -> count(attempts, Phase.UP_AGAIN, null) >= 15);
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        // nothing hangs: every loop ends promptly once told to
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("client loops ended").isTrue();
        for (Future<?> f : loops) {
            f.get();
        }
        List<Attempt> all = List.copyOf(attempts);
        System.out.printf("restart under load: %d attempts, %s%n", all.size(), all.stream()
                .collect(java.util.stream.Collectors.groupingBy(a -> a.from() + "->" + a.to() + " " + a.outcome(),
                        java.util.TreeMap::new, java.util.stream.Collectors.counting())));
        for (Attempt a : all) {
            if (a.from() == a.to() && (a.from() == Phase.UP || a.from() == Phase.UP_AGAIN)) {
                assertThat(a.outcome()).as("while the upstream is up: %s", a).isEqualTo("ok");
            } else if (a.from() == Phase.DOWN && a.to() == Phase.DOWN) {
                assertThat(a.outcome()).as("during the outage: %s", a).isEqualTo("502");
            } else {
                assertThat(a.outcome()).as("across a transition: %s", a).isIn("ok", "502", "1014");
            }
        }
        assertThat(count(all, Phase.UP_AGAIN, "ok")).isGreaterThanOrEqualTo(15);
        assertFreed(gw, "/echo", port);
    }

    /** Attempts that started and ended in {@code p} (with {@code outcome}, or any when null). */
    static long count(java.util.Collection<Attempt> attempts, Phase p, String outcome) {
        return attempts.stream().filter(a -> a.from() == p && a.to() == p
                && (outcome == null || outcome.equals(a.outcome()))).count();
    }

    /** Connect, one echo, close: "ok", "502" (or another status), "1014" (or another close code), or what failed. */
    static String attempt(Gateway gw, String pathAndQuery) {
        WsTestClient c;
        try {
            c = WsTestClient.to(ws(gw, pathAndQuery)).connect();
        } catch (WsTestClient.Refused r) {
            return String.valueOf(r.status);
        } catch (Exception e) {
            return "connect failed: " + e;
        }
        try (c) {
            String msg = "m " + pathAndQuery;
            try {
                c.sendText(msg);
            } catch (Exception e) {
                // the gateway may already have closed it (upstream died): the close code says why
            }
            WsTestClient.Frame f = c.next(CLOSE_BOUND);
            if (f.type() == WsTestClient.Type.CLOSE) {
                return String.valueOf(c.closeCode(CLOSE_BOUND));
            }
            if (f.type() != WsTestClient.Type.TEXT || !f.text().equals(msg)) {
                return "wrong echo: " + f.type() + " " + f.text();
            }
            c.close(1000, "done");
            int code = c.closeCode(CLOSE_BOUND);
            return code == 1000 ? "ok" : String.valueOf(code);
        } catch (Throwable t) {
            return "failed: " + t;
        }
    }

    // ------------------------------------------------------------------ helpers

    static String route(String path, String targets, String connectTimeout, String routeExtra) {
        return "r" + path.replace('/', '_') + ".yaml\n" + """
                route:
                  path: %s
                  upstream: { targets: [%s], connect_timeout: %s }
                %sprotocol: { kind: raw }
                """.formatted(path, targets, connectTimeout, routeExtra);
    }

    static Gateway start(Path dir, String... routes) throws Exception {
        String[] files = new String[routes.length * 2];
        for (int i = 0; i < routes.length; i++) {
            int nl = routes[i].indexOf('\n');
            files[2 * i] = routes[i].substring(0, nl);
            files[2 * i + 1] = routes[i].substring(nl + 1);
        }
        E2e.writePolicies(dir, GATEWAY, "", files);
        return Gateway.start(dir, E2e.ENV);
    }

    static String ws(Gateway gw, String pathAndQuery) {
        return "ws://127.0.0.1:" + gw.port() + pathAndQuery;
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + E2e.ADMIN_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Both legs freed: the gateway counts no open connection (registry, admin API, metric) and this JVM holds no
     * socket connected to the gateway's port or to the upstream's (gateway legs, clients and upstream alike).
     */
    static void assertFreed(Gateway gw, String routePath, int upstreamPort) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(gw.registry().total()).as("registry").isZero();
            assertThat(get(gw.adminPort(), "/admin/connections").body()).isEqualTo("[]");
            assertThat(new OpsFixture.Scrape(get(gw.adminPort(), "/metrics").body())
                    .count("wsgate_connections_open", "route=" + routePath)).as("wsgate_connections_open").isZero();
            if (ProcSockets.available()) {
                assertThat(ProcSockets.connectedOn(gw.port())).as("sockets on the gateway port").isEmpty();
                assertThat(ProcSockets.connectedOn(upstreamPort)).as("sockets to the upstream").isEmpty();
            }
        });
    }

    /** A port that refuses connections: bound once to find it, then released. */
    static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

}
