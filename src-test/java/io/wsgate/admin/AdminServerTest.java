package io.wsgate.admin;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.config.ConfigProblem;
import io.wsgate.config.GatewayConfig;
import io.wsgate.config.PolicyException;
import io.wsgate.config.RouteConfig;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.reload.ReloadManager;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.Revocation;
import io.wsgate.state.RevocationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class AdminServerTest {
    private static final String TOKEN = "s3cret-admin-token-of-at-least-32-bytes";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final FakeRevocations revocations = new FakeRevocations();
    private final List<AutoCloseable> closers = new ArrayList<>();
    @TempDir
    Path dir;

    static final class FakeRevocations implements RevocationStore {
        final List<Revocation> revoked = new CopyOnWriteArrayList<>();
        final List<Revocation> lifted = new CopyOnWriteArrayList<>();

        @Override
        public boolean isRevoked(Identity identity) {
            return false;
        }

        @Override
        public int revoke(Revocation r) {
            revoked.add(r);
            return 3;
        }

        @Override
        public void lift(Revocation r) {
            lifted.add(r);
        }
    }

    static RoutePolicy route(String path) {
        RouteConfig cfg = new RouteConfig("x.yaml", new RouteConfig.Route(path, null, List.of(), false, 65536, 1 << 20,
                List.of(), false), null, null, null, null, null);
        return new RoutePolicy(cfg, null, null, null);
    }

    /** Admin audit lines as "action detail status". */
    private final List<String> adminLines = new CopyOnWriteArrayList<>();

    private int start(String tokenValue, ReloadManager.Loader loader, PolicyHolder holder) throws Exception {
        ReloadManager reloads = new ReloadManager(dir, loader, holder, metrics);
        AdminServer server = new AdminServer(new GatewayConfig.Admin("127.0.0.1", 0, "WSGATE_ADMIN_TOKEN"),
                name -> name.equals("WSGATE_ADMIN_TOKEN") ? tokenValue : null, metrics, reloads, revocations, registry)
                .audit(new io.wsgate.audit.AuditLog() {
                    @Override
                    public void handshakeRefused(String ip, String route, int status, String reason) {
                    }

                    @Override
                    public void messageRefused(long id, String ip, String user, String route, String event, String reason) {
                    }

                    @Override
                    public void adminAction(String ip, String action, String detail, int status) {
                        adminLines.add(ip + " " + action + " " + detail + " " + status);
                    }
                });
        closers.add(server);
        return server.start();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closers) {
            c.close();
        }
    }

    private HttpResponse<String> call(int port, String method, String path, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenShorterThan32BytesKeepsTheAdminApiOff() throws Exception {
        String short31 = "x".repeat(31);
        int port = start(short31, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of())));
        assertThat(call(port, "GET", "/admin/connections", "Bearer " + short31, null).statusCode()).isEqualTo(404);
        assertThat(call(port, "GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        assertThat(AdminServer.usableToken("T", "x".repeat(32))).isEqualTo("x".repeat(32));
        assertThat(AdminServer.usableToken("T", "é".repeat(16))).as("counted in UTF-8 bytes").isNotNull();
    }

    @Test
    void failedLoginsAreAuditedAndThrottledPerIpBeforeTheTokenIsCompared() throws Exception {
        int port = start(TOKEN, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of())));
        for (int i = 0; i < 10; i++) {
            assertThat(call(port, "GET", "/admin/connections", "Bearer wrong-" + i, null).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = call(port, "GET", "/admin/connections", "Bearer " + TOKEN, null);
        assertThat(throttled.statusCode()).as("even the right token waits once the IP is over budget").isEqualTo(429);
        assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        assertThat(adminLines).hasSize(10).allMatch(l -> l.equals("127.0.0.1 unauthorized GET /admin/connections 401"));
        assertThat(String.join("\n", adminLines)).doesNotContain("wrong-");
    }

    @Test
    void adminActionsAreAuditLinesWithoutTokens() throws Exception {
        int port = start(TOKEN, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of())));
        assertThat(call(port, "POST", "/admin/revoke", "Bearer " + TOKEN, "{\"sub\":\"mallory\"}").statusCode())
                .isEqualTo(200);
        assertThat(call(port, "DELETE", "/admin/revoke", "Bearer " + TOKEN, "{\"jti\":\"j-1\"}").statusCode())
                .isEqualTo(200);
        assertThat(call(port, "POST", "/admin/drain", "Bearer " + TOKEN, null).statusCode()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> adminLines.size() >= 3);
        assertThat(adminLines).containsExactly("127.0.0.1 revoke sub=mallory 200", "127.0.0.1 lift jti=j-1 200",
                "127.0.0.1 drain open 0 200");
    }

    @Test
    void healthAndMetricsNeedNoToken() throws Exception {
        int port = start(TOKEN, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of(route("/chat")))));
        metrics.route("/chat").messageIn();
        metrics.route("/chat").refused("send", "rate_limited");
        metrics.handshake("/chat", 429, 1_000_000);
        HttpResponse<String> h = call(port, "GET", "/healthz", null, null);
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(h.body()).isEqualTo("ok");
        HttpResponse<String> m = call(port, "GET", "/metrics", null, null);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).contains("wsgate_messages_total{direction=\"in\",route=\"/chat\"} 1.0")
                .contains("wsgate_refusals_total{event=\"send\",reason=\"rate_limited\",route=\"/chat\"} 1.0")
                .contains("wsgate_handshakes_total{outcome=\"refused\",route=\"/chat\",status=\"429\"} 1.0")
                .contains("wsgate_policy_version 1.0")
                .contains("wsgate_handshake_latency_seconds_bucket");
        assertThat(call(port, "GET", "/nope", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void adminNeedsTheBearerToken() throws Exception {
        int port = start(TOKEN, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of())));
        assertThat(call(port, "GET", "/admin/connections", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/admin/connections", "Bearer wrong", null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/admin/connections", "Bearer " + TOKEN + "x", null).statusCode()).isEqualTo(401);
        assertThat(call(port, "POST", "/admin/reload", TOKEN, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/admin/connections", "Bearer " + TOKEN, null).statusCode()).isEqualTo(200);
    }

    @Test
    void adminIsOffWithoutTheEnvVar() throws Exception {
        int port = start(null, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of())));
        assertThat(call(port, "GET", "/admin/connections", "Bearer anything", null).statusCode()).isEqualTo(404);
        assertThat(call(port, "POST", "/admin/reload", null, null).statusCode()).isEqualTo(404);
        assertThat(call(port, "GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void reloadSwapsThePolicyOrKeepsTheOldOne() throws Exception {
        PolicyHolder holder = new PolicyHolder(new Policy(4, null, List.of(route("/chat"))));
        AtomicReference<Boolean> broken = new AtomicReference<>(false);
        int port = start(TOKEN, (d, v) -> {
            assertThat(d).isEqualTo(dir);
            if (broken.get()) {
                throw new PolicyException(List.of(new ConfigProblem("chat.yaml", 12, "rate_limits.per_ip.messages.limit",
                        "must be at least 1")));
            }
            return new Policy(v, null, List.of(route("/chat"), route("/socket.io/")));
        }, holder);
        HttpResponse<String> ok = call(port, "POST", "/admin/reload", "Bearer " + TOKEN, null);
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(ok.body());
        assertThat(body.get("version").asLong()).isEqualTo(5);
        assertThat(body.get("routes").toString()).isEqualTo("[\"/chat\",\"/socket.io/\"]");
        assertThat(holder.get().version()).isEqualTo(5);

        broken.set(true);
        HttpResponse<String> bad = call(port, "POST", "/admin/reload", "Bearer " + TOKEN, null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("errors").get(0).asString())
                .isEqualTo("chat.yaml:12: rate_limits.per_ip.messages.limit: must be at least 1");
        assertThat(holder.get().version()).as("old policy still serving").isEqualTo(5);
        String scrape = call(port, "GET", "/metrics", null, null).body();
        assertThat(scrape).contains("wsgate_reloads_total{outcome=\"success\"} 1.0")
                .contains("wsgate_reloads_total{outcome=\"failure\"} 1.0")
                .contains("wsgate_policy_version 5.0");
        assertThat(call(port, "GET", "/admin/reload", "Bearer " + TOKEN, null).statusCode()).isEqualTo(405);
    }

    @Test
    void revokeAndLiftCallTheStore() throws Exception {
        int port = start(TOKEN, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of())));
        String auth = "Bearer " + TOKEN;
        HttpResponse<String> r = call(port, "POST", "/admin/revoke", auth, "{\"jti\":\"abc\",\"ttl\":\"1h\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("closed").asInt()).isEqualTo(3);
        Revocation byJti = revocations.revoked.get(0);
        assertThat(byJti.jti()).isEqualTo("abc");
        assertThat(byJti.untilEpochSeconds() - byJti.atEpochSeconds()).isEqualTo(3600);

        call(port, "POST", "/admin/revoke", auth, "{\"sub\":\"alice\"}");
        Revocation bySub = revocations.revoked.get(1);
        assertThat(bySub.subject()).isEqualTo("alice");
        assertThat(bySub.untilEpochSeconds() - bySub.atEpochSeconds()).isEqualTo(AdminApi.DEFAULT_REVOKE_TTL.toSeconds());
        assertThat(Math.abs(bySub.atEpochSeconds() - Instant.now().getEpochSecond())).isLessThan(5);

        long exp = Instant.now().plusSeconds(900).getEpochSecond();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder().subject("bob").expirationTime(new Date(exp * 1000)).build());
        jwt.sign(new MACSigner("0123456789abcdef0123456789abcdef".getBytes()));
        String token = jwt.serialize();
        call(port, "POST", "/admin/revoke", auth, "{\"token\":\"" + token + "\"}");
        Revocation byToken = revocations.revoked.get(2);
        assertThat(byToken.tokenDigest()).isEqualTo(io.wsgate.auth.CompactJws.revocationDigest(token)).hasSize(64).doesNotContain(token);
        assertThat(byToken.untilEpochSeconds()).isEqualTo(exp);

        HttpResponse<String> lift = call(port, "DELETE", "/admin/revoke", auth, "{\"jti\":\"abc\"}");
        assertThat(lift.statusCode()).isEqualTo(200);
        assertThat(revocations.lifted).singleElement().extracting(Revocation::jti).isEqualTo("abc");
    }

    @Test
    void badRevokeBodiesAre400() throws Exception {
        int port = start(TOKEN, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of())));
        String auth = "Bearer " + TOKEN;
        for (String body : List.of("{not json", "[1]", "{}", "{\"jti\":\"a\",\"sub\":\"b\"}", "{\"jti\":5}",
                "{\"jti\":\"a\",\"ttl\":\"forever\"}", "{\"jti\":\"a\",\"extra\":1}", "",
                // a token must be a compact JWS in canonical base64url (the gateway would refuse any other spelling)
                "{\"token\":\"garbage\"}", "{\"token\":\"eyJhbGciOiJIUzI1NiJ9.e30.AB\"}",
                "{\"token\":\"eyJhbGciOiJIUzI1NiJ9.e30.AA==\"}", "{\"token\":\"eyJhbGciOiJIUzI1NiJ9.e30.A\"}",
                "{\"token\":\"eyJhbGciOiJIUzI1NiJ9.e3+.AA\"}")) {
            HttpResponse<String> r = call(port, "POST", "/admin/revoke", auth, body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asString()).as(body).isNotBlank();
        }
        assertThat(revocations.revoked).isEmpty();
        String huge = "{\"jti\":\"" + "a".repeat(AdminServer.MAX_BODY_BYTES) + "\"}";
        assertThat(call(port, "POST", "/admin/revoke", auth, huge).statusCode()).isEqualTo(413);
        assertThat(revocations.revoked).isEmpty();
    }

    @Test
    void listsOpenConnections() throws Exception {
        int port = start(TOKEN, (d, v) -> null, new PolicyHolder(new Policy(1, null, List.of())));
        Session s = new Session(7, "10.0.0.5", "/chat", Instant.parse("2026-11-26T06:00:00Z").toEpochMilli());
        s.identity(new Identity("alice", List.of("user"), "j", 0, 0, "d"));
        s.countIn();
        s.countIn();
        s.countOut();
        registry.add(s);
        registry.add(new Session(8, "10.0.0.6", "/pub", 0));
        JsonNode list = JSON.readTree(call(port, "GET", "/admin/connections", "Bearer " + TOKEN, null).body());
        assertThat(list.size()).isEqualTo(2);
        JsonNode a = list.get(0).get("id").asLong() == 7 ? list.get(0) : list.get(1);
        assertThat(JSON.convertValue(a, Map.class)).containsEntry("ip", "10.0.0.5").containsEntry("user", "alice")
                .containsEntry("route", "/chat").containsEntry("since", "2026-11-26T06:00:00Z")
                .containsEntry("in", 2).containsEntry("out", 1);
    }
}
