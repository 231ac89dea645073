package io.wsgate.config;

import io.wsgate.policy.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.wsgate.config.PolicyFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

class PolicyLoaderDefaultsTest {
    @TempDir
    Path dir;

    @Test
    void emptyGatewayFileGetsTheContractDefaults() throws Exception {
        write(dir, "gateway.yaml", "# nothing set\n");
        GatewayConfig g = PolicyFixtures.loader(Map.of()).load(dir, 7).gateway();

        assertThat(g.listen()).isEqualTo(new GatewayConfig.Listen("0.0.0.0", 8080, null, false, List.of()));
        assertThat(g.admin()).isEqualTo(new GatewayConfig.Admin("127.0.0.1", 9090, "WSGATE_ADMIN_TOKEN"));
        assertThat(g.state()).isEqualTo(new GatewayConfig.State(GatewayConfig.Store.MEMORY, "redis://127.0.0.1:6379",
                GatewayConfig.OnFailure.FAIL_OPEN));
        assertThat(g.connections()).isEqualTo(new GatewayConfig.Connections(9000, 200, Duration.ofSeconds(5),
                Duration.ofSeconds(120), Duration.ofSeconds(30)));
        assertThat(g.reload().watch()).isTrue();
        assertThat(g.audit().denials()).isEqualTo("stdout");
    }

    @Test
    void gatewayValuesAreRead() throws Exception {
        write(dir, "gateway.yaml", """
                listen:
                  host: 127.0.0.1
                  port: 8443
                  proxy_protocol: true
                  trusted_proxies: [10.0.0.0/8, "::1"]
                admin: { host: 0.0.0.0, port: 0, token_env: MY_TOKEN }
                state: { store: redis, redis_url: "rediss://cache:6380", on_failure: fail_closed }
                connections: { max_total: 10, max_per_ip: 2, handshake_timeout: 500ms, idle_timeout: 1m, ping_interval: 0s }
                reload: { watch: false }
                audit: { denials: off }
                """);
        GatewayConfig g = PolicyFixtures.loader(Map.of()).load(dir, 1).gateway();
        assertThat(g.listen()).isEqualTo(new GatewayConfig.Listen("127.0.0.1", 8443, null, true, List.of("10.0.0.0/8", "::1")));
        assertThat(g.admin()).isEqualTo(new GatewayConfig.Admin("0.0.0.0", 0, "MY_TOKEN"));
        assertThat(g.state()).isEqualTo(new GatewayConfig.State(GatewayConfig.Store.REDIS, "rediss://cache:6380",
                GatewayConfig.OnFailure.FAIL_CLOSED));
        assertThat(g.connections()).isEqualTo(new GatewayConfig.Connections(10, 2, Duration.ofMillis(500),
                Duration.ofMinutes(1), Duration.ZERO));
        assertThat(g.reload().watch()).isFalse();
        assertThat(g.audit().denials()).isEqualTo("off");
    }

    @Test
    void minimalRouteGetsRouteDefaultsAndLeavesSectionsNull() throws Exception {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "chat.yaml", PolicyFixtures.MINIMAL_ROUTE);
        PolicyLoader loader = PolicyFixtures.loader(Map.of());
        Policy policy = loader.load(dir, 3);

        assertThat(policy.version()).isEqualTo(3);
        RouteConfig c = policy.route("/chat").config();
        assertThat(c.sourceFile()).isEqualTo("chat.yaml");
        assertThat(c.route()).isEqualTo(new RouteConfig.Route("/chat",
                new RouteConfig.Upstream(List.of("ws://127.0.0.1:9000/chat"), RouteConfig.Balance.ROUND_ROBIN, Duration.ofSeconds(3), null),
                List.of(), false, 65536, 1048576, List.of(), false));
        assertThat(c.protocol()).isEqualTo(new RouteConfig.Protocol(RouteConfig.Kind.RAW, null, null, 10));
        assertThat(c.auth()).isNull();
        assertThat(c.rateLimits()).isNull();
        assertThat(c.events()).isNull();
        assertThat(c.forward()).isEqualTo(new RouteConfig.Forward(
                new RouteConfig.Headers("X-User-Id", "X-User-Roles", "X-Forwarded-For"), null, true));
        assertThat(loader.warnings()).extracting(p -> p.file() + ":" + p.line() + ": " + p.key())
                .containsExactly("chat.yaml:1: auth", "chat.yaml:1: rate_limits", "chat.yaml:1: events");
    }

    @Test
    void sectionDefaultsOnAJsonRoute() throws Exception {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        PolicyFixtures.jwks(dir, "keys/jwks.json");
        write(dir, "chat.yaml", PolicyFixtures.MINIMAL_ROUTE + """
                protocol: { kind: json }
                auth:
                  jwt: { algorithms: [RS256], jwks_file: keys/jwks.json }
                rate_limits:
                  per_ip:
                    messages: { limit: 300, per: 10s }
                events:
                  rules:
                    send-message: { rate: { limit: 10, per: 1s } }
                    ping:
                """);
        PolicyLoader loader = PolicyFixtures.loader(Map.of());
        RouteConfig c = loader.load(dir, 1).route("/chat").config();

        assertThat(c.protocol()).isEqualTo(new RouteConfig.Protocol(RouteConfig.Kind.JSON, "type", null, 10));
        assertThat(c.auth()).isEqualTo(new RouteConfig.Auth(true,
                new RouteConfig.Jwt(List.of("RS256"), dir.resolve("keys/jwks.json").toAbsolutePath().normalize(), null, null, null, null,
                        Duration.ofSeconds(30), "sub", "roles", 8192),
                List.of("header", "query:access_token", "cookie:access_token", "subprotocol"), Duration.ofSeconds(5),
                List.of(), true, null, 0, RouteConfig.OnExcess.CLOSE_OLDEST));
        assertThat(c.rateLimits()).isEqualTo(new RouteConfig.RateLimits(
                new RouteConfig.PerIp(null, new RouteConfig.Rate(300, Duration.ofSeconds(10), 300, RouteConfig.Scope.CONNECTION)),
                null, RouteConfig.OnExceed.DROP, true, 50));
        assertThat(c.events().defaultAction()).isEqualTo(RouteConfig.DefaultAction.DENY);
        assertThat(c.events().onDeny()).isEqualTo(RouteConfig.OnDeny.DROP);
        assertThat(c.events().notifyClient()).isTrue();
        assertThat(c.events().notifyEvent()).isEqualTo("error");
        assertThat(c.events().rules().get("send-message"))
                .isEqualTo(new RouteConfig.EventRule(null, 0, new RouteConfig.Rate(10, Duration.ofSeconds(1), 10, RouteConfig.Scope.CONNECTION),
                        null, Map.of(), Map.of()));
        assertThat(c.events().rules()).containsKey("ping");
        assertThat(loader.warnings()).isEmpty();
    }

    @Test
    void socketioRouteDefaults() throws Exception {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "sio.yaml", """
                route:
                  path: /socket.io/
                  upstream: { targets: ["wss://127.0.0.1:3000/socket.io/"] }
                protocol: { kind: socketio }
                auth:
                  jwt: { algorithms: [HS256], hmac_secret_env: SECRET }
                """);
        RouteConfig c = PolicyFixtures.loader(Map.of("SECRET", "s".repeat(32))).load(dir, 1).route("/socket.io/").config();

        assertThat(c.protocol()).isEqualTo(new RouteConfig.Protocol(RouteConfig.Kind.SOCKETIO, null, null, 10));
        assertThat(c.auth().tokenFrom())
                .containsExactly("header", "query:access_token", "cookie:access_token", "subprotocol", "socketio_auth:token");
        assertThat(c.auth().jwt().hmacSecretEnv()).isEqualTo("SECRET");
        assertThat(c.forward().socketioAuth()).isEqualTo(new RouteConfig.SocketioAuth("user", "roles"));
    }

    @Test
    void notifyAndDefaultKeysMapToRenamedComponentsAndEnumsAreSnakeCase() throws Exception {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "chat.yaml", """
                route:
                  path: /chat
                  upstream: { targets: [ws://h:1/x], balance: least_connections }
                protocol: { kind: socketio, namespaces: { "/": {}, "/admin": { roles: [admin] } }, max_attachments: 0 }
                forward:
                  headers: { user: X-Who, roles: null }
                  socketio_auth: { user: uid }
                  strip_token: false
                rate_limits: { on_exceed: close, notify: false, close_after: 3 }
                events:
                  default: allow
                  on_deny: close
                  notify: false
                  notify_event: oops
                  rules:
                    say:
                      roles: []
                      max_bytes: 100
                      rate: { limit: 2, per: 1h, burst: 5, scope: user }
                      sanitize: { "[0].message": basic_html, "[0].data.text": text }
                      max_length: { "[0].message": 20 }
                """);
        RouteConfig c = PolicyFixtures.loader(Map.of()).load(dir, 1).route("/chat").config();

        assertThat(c.route().upstream().balance()).isEqualTo(RouteConfig.Balance.LEAST_CONNECTIONS);
        assertThat(c.protocol().namespaces()).containsOnlyKeys("/", "/admin");
        assertThat(c.protocol().namespaces().get("/admin").roles()).containsExactly("admin");
        assertThat(c.protocol().namespaces().get("/").roles()).isEmpty();
        assertThat(c.protocol().maxAttachments()).isZero();
        assertThat(c.forward()).isEqualTo(new RouteConfig.Forward(new RouteConfig.Headers("X-Who", null, "X-Forwarded-For"),
                new RouteConfig.SocketioAuth("uid", "roles"), false));
        assertThat(c.rateLimits()).isEqualTo(new RouteConfig.RateLimits(null, null, RouteConfig.OnExceed.CLOSE, false, 3));
        RouteConfig.Events e = c.events();
        assertThat(e.defaultAction()).isEqualTo(RouteConfig.DefaultAction.ALLOW);
        assertThat(e.onDeny()).isEqualTo(RouteConfig.OnDeny.CLOSE);
        assertThat(e.notifyClient()).isFalse();
        assertThat(e.notifyEvent()).isEqualTo("oops");
        assertThat(e.rules().get("say")).isEqualTo(new RouteConfig.EventRule(List.of(), 100,
                new RouteConfig.Rate(2, Duration.ofHours(1), 5, RouteConfig.Scope.USER), null,
                Map.of("[0].message", RouteConfig.SanitizeMode.BASIC_HTML, "[0].data.text", RouteConfig.SanitizeMode.TEXT),
                Map.of("[0].message", 20)));
    }

    @Test
    void nonYamlFilesAndSubfoldersAreIgnored() throws Exception {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "chat.yaml", PolicyFixtures.MINIMAL_ROUTE);
        write(dir, "notes.txt", "route: [not yaml at all");
        write(dir, "old.yml", "broken: [");
        write(dir, "sub/other.yaml", "broken: [");
        assertThat(PolicyFixtures.loader(Map.of()).load(dir, 1).routes()).hasSize(1);
    }
}
