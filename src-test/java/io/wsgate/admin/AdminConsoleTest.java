package io.wsgate.admin;

import io.wsgate.audit.AuditLog;
import io.wsgate.audit.AuditRing;
import io.wsgate.audit.RefusalTally;
import io.wsgate.config.ConfigProblem;
import io.wsgate.config.GatewayConfig;
import io.wsgate.config.PolicyException;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.Session;
import io.wsgate.reload.ReloadManager;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's files, headers and Host check, and the endpoints behind it, over real sockets on 127.0.0.1. */
class AdminConsoleTest {
    private static final String TOKEN = "console-test-token-0123456789abcdef";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final GatewayMetrics metrics = new GatewayMetrics();
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final RefusalTally refusals = new RefusalTally(AuditLog.OFF);
    private final AuditRing ring = new AuditRing(100);
    private final AtomicBoolean storeUp = new AtomicBoolean(true);
    private final AtomicBoolean brokenPolicy = new AtomicBoolean(false);
    private final List<AutoCloseable> closers = new ArrayList<>();
    private ReloadManager reloads;
    @TempDir
    Path dir;

    private int start(boolean console, String token) throws Exception {
        PolicyHolder holder = new PolicyHolder(new Policy(3, null, List.of(AdminServerTest.route("/chat"),
                AdminServerTest.route("/idle"))));
        reloads = new ReloadManager(dir, (d, v) -> {
            if (brokenPolicy.get()) {
                throw new PolicyException(List.of(new ConfigProblem("chat.yaml", 7, "events.rules", "unknown key: x")));
            }
            return new Policy(v, null, List.of(AdminServerTest.route("/chat")));
        }, holder, metrics);
        AdminServer server = new AdminServer(new GatewayConfig.Admin("127.0.0.1", 0, "WSGATE_ADMIN_TOKEN", console),
                name -> name.equals("WSGATE_ADMIN_TOKEN") ? token : null, metrics, reloads,
                new AdminServerTest.FakeRevocations(), registry,
                new ConsoleSources(holder, refusals, ring, "redis", storeUp::get));
        closers.add(server);
        return server.start();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closers) {
            c.close();
        }
    }

    /** One request with the given Host (null: none) and optional token; the raw answer. */
    private static String get(int port, String method, String path, String host, String token) throws IOException {
        String req = method + " " + path + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Connection: close\r\n\r\n";
        return RawHttp.exchange(port, req.getBytes(StandardCharsets.US_ASCII), 5000);
    }

    private static String header(String response, String name) {
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ": *([^\r\n]*)").matcher(response);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void consoleIsOffByDefault() throws Exception {
        int port = start(false, TOKEN);
        String r = get(port, "GET", "/", "127.0.0.1:" + port, null);
        assertThat(RawHttp.status(r)).isEqualTo(404);
        assertThat(RawHttp.status(get(port, "GET", "/console/app.js", "127.0.0.1:" + port, null))).isEqualTo(404);
        assertThat(RawHttp.status(get(port, "GET", "/admin/stats", "127.0.0.1:" + port, TOKEN)))
                .as("the API does not need the console").isEqualTo(200);
    }

    @Test
    void everyConsoleAnswerCarriesTheSecurityHeaders() throws Exception {
        int port = start(true, TOKEN);
        String host = "127.0.0.1:" + port;
        String page = get(port, "GET", "/", host, null);
        assertThat(RawHttp.status(page)).isEqualTo(200);
        assertThat(header(page, "Content-Type")).isEqualTo("text/html; charset=utf-8");
        List<String> paths = new ArrayList<>(List.of("/"));
        Matcher refs = Pattern.compile("(?:src|href)=\"(/[^\"]+)\"").matcher(RawHttp.body(page));
        while (refs.find()) {
            paths.add(refs.group(1));
        }
        assertThat(paths).contains("/console/app.js", "/console/console.css", "/webjars/uplot/dist/uPlot.iife.min.js",
                "/webjars/uplot/dist/uPlot.min.css");
        paths.addAll(List.of("/console/views.js", "/console/charts.js", "/console/nope.js", "/admin/stats", "/healthz"));
        for (String p : paths) {
            String r = get(port, "GET", p, host, p.equals("/admin/stats") ? TOKEN : null);
            assertThat(RawHttp.status(r)).as(p).isEqualTo(p.equals("/console/nope.js") ? 404 : 200);
            String csp = header(r, "Content-Security-Policy");
            assertThat(csp).as(p).contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "base-uri 'none'",
                    "form-action 'self'", "frame-ancestors 'none'", "object-src 'none'").doesNotContain("unsafe");
            assertThat(header(r, "X-Content-Type-Options")).as(p).isEqualTo("nosniff");
            assertThat(header(r, "Referrer-Policy")).as(p).isEqualTo("no-referrer");
            assertThat(header(r, "X-Frame-Options")).as(p).isEqualTo("DENY");
            assertThat(header(r, "Set-Cookie")).as(p).isNull();
        }
        assertThat(header(get(port, "GET", "/admin/stats", host, TOKEN), "Cache-Control")).isEqualTo("no-store");
        assertThat(header(get(port, "GET", "/", host, null), "Cache-Control")).isEqualTo("no-store");
        assertThat(header(get(port, "GET", "/console/app.js", host, null), "Content-Type")).startsWith("text/javascript");
        assertThat(RawHttp.body(get(port, "GET", "/webjars/uplot/dist/uPlot.iife.min.js", host, null)))
                .as("uPlot from the WebJar").contains("uPlot");
        assertThat(RawHttp.status(get(port, "POST", "/", host, null))).isEqualTo(405);
    }

    @Test
    void thePageHasNothingTheCspWouldBlock() throws Exception {
        int port = start(true, TOKEN);
        String html = RawHttp.body(get(port, "GET", "/", "localhost:" + port, null));
        assertThat(html).doesNotContainPattern("<script(?![^>]*\\ssrc=)") // every script is a file
                .doesNotContainPattern("(?i)\\sstyle=")
                .doesNotContainPattern("(?i)\\son[a-z]+=")
                .doesNotContainPattern("(?i)javascript:")
                .doesNotContain("<style")
                .doesNotContain("http://", "https://"); // no CDN
        for (String js : List.of("app.js", "views.js", "charts.js")) {
            String code = RawHttp.body(get(port, "GET", "/console/" + js, "localhost:" + port, null));
            assertThat(code).as(js).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                    "document.cookie", "localStorage");
        }
    }

    @Test
    void hostMustBeTheAdminAddress() throws Exception {
        int port = start(true, TOKEN);
        for (String ok : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port)) {
            assertThat(RawHttp.status(get(port, "GET", "/", ok, null))).as(ok).isEqualTo(200);
        }
        for (String bad : List.of("evil.example:" + port, "127.0.0.1", "127.0.0.1:1", "localhost", "127.0.0.1:" + port + ".evil",
                "attacker.test")) {
            String r = get(port, "GET", "/", bad, null);
            assertThat(RawHttp.status(r)).as(bad).isEqualTo(421);
            assertThat(r).as(bad).doesNotContain("<html");
            assertThat(header(r, "Content-Security-Policy")).as(bad).isNotNull();
        }
        assertThat(RawHttp.status(get(port, "GET", "/console/app.js", "evil.example:" + port, null))).isEqualTo(421);
        // HTTP/1.1 without Host: the codec or the check refuses it, never the console
        assertThat(RawHttp.status(get(port, "GET", "/", null, null))).isIn(400, 421);
    }

    @Test
    void statsAndAuditNeedTheToken() throws Exception {
        int port = start(true, TOKEN);
        String host = "127.0.0.1:" + port;
        for (String p : List.of("/admin/stats", "/admin/audit", "/admin/audit?since=3")) {
            assertThat(RawHttp.status(get(port, "GET", p, host, null))).as(p).isEqualTo(401);
            assertThat(RawHttp.status(get(port, "GET", p, host, TOKEN + "x"))).as(p).isEqualTo(401);
            assertThat(RawHttp.status(get(port, "GET", p, host, TOKEN))).as(p).isEqualTo(200);
        }
        assertThat(RawHttp.status(get(port, "DELETE", "/admin/connections/1", host, null))).isEqualTo(401);
    }

    @Test
    void statsAndAuditAreOffWithoutTheTokenVariable() throws Exception {
        int port = start(true, null);
        String host = "127.0.0.1:" + port;
        assertThat(RawHttp.status(get(port, "GET", "/admin/stats", host, "anything"))).isEqualTo(404);
        assertThat(RawHttp.status(get(port, "GET", "/admin/audit", host, "anything"))).isEqualTo(404);
        assertThat(RawHttp.status(get(port, "GET", "/", host, null))).as("the page loads, its login then says why").isEqualTo(200);
    }

    private Session session(long id, String ip, String route, String user, AtomicReference<String> closedWith) {
        Session s = new Session(id, ip, route, System.currentTimeMillis());
        if (user != null) {
            s.identity(new Identity(user, List.of("user"), "jti-" + id, 0, Long.MAX_VALUE, null));
        }
        s.closer((code, reason) -> closedWith.set(code + " " + reason));
        registry.add(s);
        return s;
    }

    @Test
    void statsCountWhatHappened() throws Exception {
        int port = start(true, TOKEN);
        AtomicReference<String> ignored = new AtomicReference<>();
        Session a = session(1, "10.0.0.1", "/chat", "alice", ignored);
        session(2, "10.0.0.1", "/chat", "bob", ignored);
        session(3, "10.0.0.2", "/chat", null, ignored);
        for (int i = 0; i < 5; i++) {
            a.countIn();
            metrics.route("/chat").messageIn();
        }
        a.countOut();
        metrics.route("/chat").messageOut();
        metrics.route("/chat").refused("nope", "unknown_event");
        metrics.route("/chat").refused("nope", "unknown_event");
        metrics.route("/chat").refused("kick", "forbidden");
        metrics.handshake("/chat", 401, 1000);
        metrics.handshake(null, 404, 1000);
        metrics.handshake("/chat", 101, 1000);
        refusals.messageRefused(2, "10.0.0.1", "bob", "/chat", "nope", "unknown_event");
        refusals.messageRefused(2, "10.0.0.1", "bob", "/chat", "nope", "unknown_event");
        refusals.handshakeRefused("10.0.0.9", "/chat", 401, "token required");
        storeUp.set(false);

        JsonNode s = JSON.readTree(RawHttp.body(get(port, "GET", "/admin/stats", "127.0.0.1:" + port, TOKEN)));
        assertThat(s.at("/time_ms").asLong()).isPositive();
        assertThat(s.at("/policy/version").asLong()).isEqualTo(3);
        assertThat(s.at("/policy/last_reload").isNull()).isTrue();
        assertThat(s.at("/store/kind").asString()).isEqualTo("redis");
        assertThat(s.at("/store/up").asBoolean()).isFalse();
        assertThat(s.at("/connections/open").asInt()).isEqualTo(3);
        assertThat(s.at("/connections/by_route").toString())
                .isEqualTo("[{\"route\":\"/chat\",\"transport\":\"websocket\",\"open\":3},"
                        + "{\"route\":\"/idle\",\"transport\":\"websocket\",\"open\":0}]");
        assertThat(s.at("/messages/in").asLong()).isEqualTo(5);
        assertThat(s.at("/messages/out").asLong()).isEqualTo(1);
        assertThat(s.at("/refusals/total").asLong()).isEqualTo(3);
        assertThat(s.at("/refusals/by_reason").toString()).isEqualTo("{\"forbidden\":1,\"unknown_event\":2}");
        assertThat(s.at("/refusals/by_route").toString()).isEqualTo(
                "[{\"route\":\"/chat\",\"reason\":\"forbidden\",\"count\":1},{\"route\":\"/chat\",\"reason\":\"unknown_event\",\"count\":2}]");
        assertThat(s.at("/handshakes/accepted").asLong()).isEqualTo(1);
        assertThat(s.at("/handshakes/refused").asLong()).isEqualTo(2);
        assertThat(s.at("/handshakes/refused_by_status").toString()).isEqualTo("{\"401\":1,\"404\":1}");
        assertThat(s.at("/top/ips_by_refusals").toString())
                .isEqualTo("[{\"ip\":\"10.0.0.1\",\"count\":2},{\"ip\":\"10.0.0.9\",\"count\":1}]");
        assertThat(s.at("/top/users_by_refusals").toString()).isEqualTo("[{\"user\":\"bob\",\"count\":2}]");
        assertThat(s.at("/top/ips_by_traffic/0").toString()).isEqualTo("{\"ip\":\"10.0.0.1\",\"messages\":6,\"connections\":2}");
        assertThat(s.at("/top/users_by_traffic").toString())
                .isEqualTo("[{\"user\":\"alice\",\"messages\":6,\"connections\":1},{\"user\":\"bob\",\"messages\":0,\"connections\":1}]");

        reloads.reload();
        JsonNode after = JSON.readTree(RawHttp.body(get(port, "GET", "/admin/stats", "127.0.0.1:" + port, TOKEN)));
        assertThat(after.at("/policy/version").asLong()).isEqualTo(4);
        assertThat(after.at("/policy/last_reload/ok").asBoolean()).isTrue();
        assertThat(after.at("/policy/last_reload/version").asLong()).isEqualTo(4);
        assertThat(after.at("/connections/by_route").size()).as("/idle is gone with v4").isEqualTo(1);

        brokenPolicy.set(true);
        reloads.reload();
        JsonNode failed = JSON.readTree(RawHttp.body(get(port, "GET", "/admin/stats", "127.0.0.1:" + port, TOKEN)));
        assertThat(failed.at("/policy/version").asLong()).as("the old policy still serves").isEqualTo(4);
        assertThat(failed.at("/policy/last_reload/ok").asBoolean()).isFalse();
        assertThat(failed.at("/policy/last_reload/errors").toString()).isEqualTo("[\"chat.yaml:7: events.rules: unknown key: x\"]");
    }

    @Test
    void auditPagesFollowTheCursor() throws Exception {
        int port = start(true, TOKEN);
        String host = "127.0.0.1:" + port;
        JsonNode empty = JSON.readTree(RawHttp.body(get(port, "GET", "/admin/audit", host, TOKEN)));
        assertThat(empty.toString()).isEqualTo("{\"enabled\":true,\"last\":0,\"lines\":[]}");
        ring.add("{\"kind\":\"handshake\",\"user\":\"<img src=x>\"}");
        ring.add("{\"kind\":\"message\"}");
        JsonNode first = JSON.readTree(RawHttp.body(get(port, "GET", "/admin/audit?since=0", host, TOKEN)));
        assertThat(first.at("/last").asLong()).isEqualTo(2);
        assertThat(first.at("/lines/0/user").asString()).isEqualTo("<img src=x>");
        assertThat(first.at("/lines/1/kind").asString()).isEqualTo("message");
        ring.add("{\"kind\":\"summary\",\"left_out\":3}");
        JsonNode next = JSON.readTree(RawHttp.body(get(port, "GET", "/admin/audit?since=2", host, TOKEN)));
        assertThat(next.at("/lines").size()).isEqualTo(1);
        assertThat(next.at("/lines/0/left_out").asInt()).isEqualTo(3);
        for (String bad : List.of("-1", "x", "1e3", "99999999999999999999", "1&since=2")) {
            assertThat(RawHttp.status(get(port, "GET", "/admin/audit?since=" + bad, host, TOKEN))).as(bad).isEqualTo(400);
        }
        assertThat(RawHttp.status(get(port, "POST", "/admin/audit", host, TOKEN))).isEqualTo(405);
    }

    @Test
    void deleteClosesOneConnection() throws Exception {
        int port = start(true, TOKEN);
        String host = "127.0.0.1:" + port;
        AtomicReference<String> one = new AtomicReference<>();
        AtomicReference<String> two = new AtomicReference<>();
        session(41, "10.0.0.1", "/chat", "alice", one);
        session(42, "10.0.0.1", "/chat", "alice", two);
        String r = get(port, "DELETE", "/admin/connections/42", host, TOKEN);
        assertThat(RawHttp.status(r)).isEqualTo(200);
        assertThat(RawHttp.body(r)).isEqualTo("{\"closed\":1}");
        assertThat(two.get()).isEqualTo(StatsApi.CLOSE_CODE + " " + StatsApi.CLOSE_REASON);
        assertThat(one.get()).isNull();
        assertThat(RawHttp.status(get(port, "DELETE", "/admin/connections/43", host, TOKEN))).isEqualTo(404);
        assertThat(RawHttp.status(get(port, "DELETE", "/admin/connections/x", host, TOKEN))).isEqualTo(404);
        assertThat(RawHttp.status(get(port, "GET", "/admin/connections/41", host, TOKEN))).isEqualTo(405);
        assertThat(one.get()).isNull();
    }
}
