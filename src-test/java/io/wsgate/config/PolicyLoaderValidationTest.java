package io.wsgate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.wsgate.config.PolicyFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every validation error is reported at the exact {@code file:line: key}; nothing else is reported. */
class PolicyLoaderValidationTest {
    /** Three lines; sections in the cases below start at line 4. */
    private static final String HEAD = """
            route:
              path: /a
              upstream: { targets: [ws://h:1/] }
            """;

    @TempDir
    Path dir;

    static Stream<Arguments> routeCases() {
        return Stream.of(
                arguments("path without slash", """
                        route:
                          path: chat
                          upstream: { targets: [ws://h:1/] }
                        """, List.of("r.yaml:2: route.path")),
                arguments("no upstream", "route:\n  path: /a\n", List.of("r.yaml:1: route.upstream")),
                arguments("no path", "route:\n  upstream: { targets: [ws://h:1/] }\n", List.of("r.yaml:1: route.path")),
                arguments("no targets", """
                        route:
                          path: /a
                          upstream: { balance: round_robin }
                        """, List.of("r.yaml:3: route.upstream.targets")),
                arguments("empty targets", """
                        route:
                          path: /a
                          upstream:
                            targets: []
                        """, List.of("r.yaml:4: route.upstream.targets")),
                arguments("http target", """
                        route:
                          path: /a
                          upstream:
                            targets:
                              - ws://ok:1/
                              - http://bad:1/
                              - wss://
                        """, List.of("r.yaml:6: route.upstream.targets[1]", "r.yaml:7: route.upstream.targets[2]")),
                arguments("non-string item keeps later lines right", """
                        route:
                          path: /a
                          upstream:
                            targets:
                              - 5
                              - http://bad:1/
                        """, List.of("r.yaml:5: route.upstream.targets[0]", "r.yaml:6: route.upstream.targets[1]")),
                arguments("typo", HEAD + "  max_mesage_bytes: 10\n", List.of("r.yaml:4: route.max_mesage_bytes")),
                arguments("unknown section", HEAD + "limits: {}\n", List.of("r.yaml:4: limits")),
                arguments("string for int", HEAD + "  max_message_bytes: lots\n", List.of("r.yaml:4: route.max_message_bytes")),
                arguments("zero size", HEAD + "  max_upstream_message_bytes: 0\n",
                        List.of("r.yaml:4: route.max_upstream_message_bytes")),
                arguments("decimal size", HEAD + "  max_message_bytes: 1.5\n", List.of("r.yaml:4: route.max_message_bytes")),
                arguments("quoted bool", HEAD + "  allow_no_origin: \"yes\"\n", List.of("r.yaml:4: route.allow_no_origin")),
                arguments("list expected", HEAD + "  allowed_origins: https://a.example\n", List.of("r.yaml:4: route.allowed_origins")),
                arguments("bad origin", HEAD + "  allowed_origins:\n    - https://a.example\n    - https://b.example/path\n",
                        List.of("r.yaml:6: route.allowed_origins[1]")),
                arguments("bad duration", """
                        route:
                          path: /a
                          upstream:
                            targets: [ws://h:1/]
                            connect_timeout: 5 seconds
                        """, List.of("r.yaml:5: route.upstream.connect_timeout")),
                arguments("zero duration", """
                        route:
                          path: /a
                          upstream:
                            targets: [ws://h:1/]
                            connect_timeout: 0s
                        """, List.of("r.yaml:5: route.upstream.connect_timeout")),
                arguments("bad enum", """
                        route:
                          path: /a
                          upstream:
                            targets: [ws://h:1/]
                            balance: random
                        """, List.of("r.yaml:5: route.upstream.balance")),
                arguments("ca_file missing", """
                        route:
                          path: /a
                          upstream:
                            targets: [wss://h:1/]
                            ca_file: certs/nope.pem
                        """, List.of("r.yaml:5: route.upstream.ca_file")),
                arguments("bad kind", HEAD + "protocol:\n  kind: graphql\n", List.of("r.yaml:5: protocol.kind")),
                arguments("event on raw", HEAD + "protocol:\n  kind: raw\n  event: type\n", List.of("r.yaml:6: protocol.event")),
                arguments("namespaces on json", HEAD + "protocol:\n  kind: json\n  namespaces: { \"/\": {} }\n  max_attachments: 2\n",
                        List.of("r.yaml:6: protocol.namespaces", "r.yaml:7: protocol.max_attachments")),
                arguments("namespace without slash", HEAD + "protocol:\n  kind: socketio\n  namespaces:\n    admin: { roles: [a] }\n",
                        List.of("r.yaml:7: protocol.namespaces.admin")),
                arguments("auth without jwt", HEAD + "auth:\n  required: true\n", List.of("r.yaml:4: auth.jwt")),
                arguments("two key sources", HEAD + """
                        auth:
                          jwt:
                            algorithms: [HS256]
                            jwks_url: https://idp.example/jwks
                            hmac_secret_env: SECRET
                        """, List.of("r.yaml:5: auth.jwt")),
                arguments("no key source", HEAD + "auth:\n  jwt:\n    algorithms: [RS256]\n", List.of("r.yaml:5: auth.jwt")),
                arguments("no algorithms", HEAD + "auth:\n  jwt:\n    jwks_url: https://idp.example/jwks\n",
                        List.of("r.yaml:5: auth.jwt.algorithms")),
                arguments("bad algorithm", HEAD + "auth:\n  jwt:\n    jwks_url: https://idp.example/jwks\n    algorithms: [RS256, none]\n",
                        List.of("r.yaml:7: auth.jwt.algorithms[1]")),
                arguments("mixed algorithms", HEAD + "auth:\n  jwt:\n    hmac_secret_env: S\n    algorithms: [HS256, RS256]\n",
                        List.of("r.yaml:7: auth.jwt.algorithms", "r.yaml:6: auth.jwt.hmac_secret_env")),
                arguments("HS with jwks", HEAD + "auth:\n  jwt:\n    jwks_url: https://idp.example/jwks\n    algorithms: [HS512]\n",
                        List.of("r.yaml:7: auth.jwt.algorithms")),
                arguments("jwks_file missing", HEAD + "auth:\n  jwt:\n    jwks_file: keys/none.json\n    algorithms: [ES256]\n",
                        List.of("r.yaml:6: auth.jwt.jwks_file")),
                arguments("jwks_url not http", HEAD + "auth:\n  jwt:\n    jwks_url: file:///etc/jwks\n    algorithms: [ES256]\n",
                        List.of("r.yaml:6: auth.jwt.jwks_url")),
                arguments("first_message on raw", HEAD + """
                        auth:
                          jwt: { algorithms: [RS256], jwks_url: "https://idp.example/jwks" }
                          token_from:
                            - header
                            - first_message:token
                        """, List.of("r.yaml:8: auth.token_from[1]")),
                arguments("socketio_auth on json", HEAD + """
                        protocol: { kind: json }
                        auth:
                          jwt: { algorithms: [RS256], jwks_url: "https://idp.example/jwks" }
                          token_from: [socketio_auth:token, "query:", bogus]
                        """, List.of("r.yaml:7: auth.token_from[0]", "r.yaml:7: auth.token_from[1]", "r.yaml:7: auth.token_from[2]")),
                arguments("refresh on raw", HEAD + """
                        auth:
                          jwt: { algorithms: [RS256], jwks_url: "https://idp.example/jwks" }
                          refresh_event: auth
                          max_sessions_per_user: -1
                          on_excess_sessions: kick
                        """, List.of("r.yaml:6: auth.refresh_event", "r.yaml:7: auth.max_sessions_per_user",
                        "r.yaml:8: auth.on_excess_sessions")),
                arguments("forward socketio_auth on json", HEAD + """
                        protocol: { kind: json }
                        forward:
                          headers: { user: "X User" }
                          socketio_auth: { user: u }
                        """, List.of("r.yaml:6: forward.headers.user", "r.yaml:7: forward.socketio_auth")),
                arguments("rate without per", HEAD + """
                        rate_limits:
                          per_ip:
                            messages: { limit: 0 }
                            connections: { limit: 1, per: 1m, scope: user }
                          close_after: 0
                        """, List.of("r.yaml:6: rate_limits.per_ip.messages.per", "r.yaml:6: rate_limits.per_ip.messages.limit",
                        "r.yaml:7: rate_limits.per_ip.connections.scope", "r.yaml:8: rate_limits.close_after")),
                arguments("events problems", HEAD + """
                        events:
                          default: maybe
                          rules:
                            send-message:
                              schema: schemas/missing.json
                              sanitize: { message: html }
                              max_length: { message: 0 }
                              rate: { limit: 1, per: 1s, scope: everyone }
                            typing: [roles]
                        """, List.of("r.yaml:8: events.rules.send-message.schema", "r.yaml:9: events.rules.send-message.sanitize.message",
                        "r.yaml:10: events.rules.send-message.max_length.message", "r.yaml:11: events.rules.send-message.rate.scope",
                        "r.yaml:12: events.rules.typing", "r.yaml:5: events.default")),
                arguments("duplicate key", HEAD + "  path: /b\n", List.of("r.yaml:4: route.path")),
                arguments("syntax error", HEAD + "protocol: { kind: json\nauth: x\n", List.of("r.yaml:5: ")),
                arguments("alias", HEAD + "  allowed_origins: &o [\"https://a.example\"]\n  subprotocols: *o\n",
                        List.of("r.yaml:5: route.subprotocols")),
                arguments("two documents", HEAD + "---\nroute: {}\n", List.of("r.yaml:5: ")),
                arguments("empty namespaces", HEAD + "protocol:\n  kind: socketio\n  namespaces: {}\n",
                        List.of("r.yaml:6: protocol.namespaces")),
                arguments("hex is not an integer", HEAD + "  max_message_bytes: 0x10\n", List.of("r.yaml:4: route.max_message_bytes")),
                arguments("empty file", "", List.of("r.yaml:1: route")),
                arguments("not a mapping", "- route\n", List.of("r.yaml:1: ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeCases")
    void routeProblemIsReportedAtItsLine(String name, String yaml, List<String> expected) {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "r.yaml", yaml);
        assertThat(PolicyFixtures.problemKeys(dir, Map.of())).containsExactlyInAnyOrderElementsOf(expected);
    }

    static Stream<Arguments> gatewayCases() {
        return Stream.of(
                arguments("port out of range", "listen:\n  port: 70000\n", List.of("gateway.yaml:2: listen.port")),
                arguments("negative admin port", "admin: { port: -1 }\n", List.of("gateway.yaml:1: admin.port")),
                arguments("tls files", "listen:\n  tls:\n    cert_file: certs/gw.pem\n",
                        List.of("gateway.yaml:2: listen.tls.key_file", "gateway.yaml:3: listen.tls.cert_file")),
                arguments("bad cidr", "listen:\n  trusted_proxies:\n    - 10.0.0.0/8\n    - 10.0.0.0/33\n    - example.com\n",
                        List.of("gateway.yaml:4: listen.trusted_proxies[1]", "gateway.yaml:5: listen.trusted_proxies[2]")),
                arguments("redis url", "state:\n  store: redis\n  redis_url: http://cache\n", List.of("gateway.yaml:3: state.redis_url")),
                arguments("timeouts", "connections:\n  handshake_timeout: 0s\n  ping_interval: 30\n  max_total: 0\n",
                        List.of("gateway.yaml:2: connections.handshake_timeout", "gateway.yaml:3: connections.ping_interval",
                                "gateway.yaml:4: connections.max_total")),
                arguments("unknown key", "reload: { watch: true, interval: 5s }\nlisten: {}\nmetrics: true\n",
                        List.of("gateway.yaml:1: reload.interval", "gateway.yaml:3: metrics")),
                arguments("wrong section type", "listen: 8080\n", List.of("gateway.yaml:1: listen")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gatewayCases")
    void gatewayProblemIsReportedAtItsLine(String name, String yaml, List<String> expected) {
        write(dir, "gateway.yaml", yaml);
        assertThat(PolicyFixtures.problemKeys(dir, Map.of())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void typoNamesTheIntendedKey() {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "chat.yaml", HEAD + "  max_mesage_bytes: 10\n");
        ConfigProblem p = PolicyFixtures.problems(dir, Map.of()).get(0);
        assertThat(p.toString()).startsWith("chat.yaml:4: route.max_mesage_bytes: unknown key (did you mean max_message_bytes?)");
    }

    @Test
    void oversizedFileIsRefusedUnread() {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "big.yaml", "# " + "x".repeat((int) PolicyLoader.MAX_FILE_BYTES) + "\n" + PolicyFixtures.MINIMAL_ROUTE);
        assertThat(PolicyFixtures.problemKeys(dir, Map.of())).containsExactly("big.yaml:0: ");
    }

    @Test
    void missingGatewayFileIsAnError() {
        write(dir, "chat.yaml", PolicyFixtures.MINIMAL_ROUTE);
        assertThat(PolicyFixtures.problemKeys(dir, Map.of())).containsExactly("gateway.yaml:0: ");
    }

    @Test
    void duplicateRoutePathsAcrossFiles() {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "a.yaml", PolicyFixtures.MINIMAL_ROUTE);
        write(dir, "b.yaml", "# second\n" + PolicyFixtures.MINIMAL_ROUTE);
        List<ConfigProblem> problems = PolicyFixtures.problems(dir, Map.of());
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).toString()).isEqualTo("b.yaml:3: route.path: duplicate route path /chat (also in a.yaml)");
    }

    @Test
    void problemsOfSeveralFilesAreAllCollected() {
        write(dir, "gateway.yaml", "listen:\n  port: 99999\n");
        write(dir, "a.yaml", HEAD + "  max_mesage_bytes: 10\n  allow_no_origin: 1\n");
        write(dir, "b.yaml", """
                route:
                  path: b
                  upstream: { targets: [http://x/] }
                """);
        assertThat(PolicyFixtures.problemKeys(dir, Map.of())).containsExactlyInAnyOrder(
                "gateway.yaml:2: listen.port", "a.yaml:4: route.max_mesage_bytes", "a.yaml:5: route.allow_no_origin",
                "b.yaml:2: route.path", "b.yaml:3: route.upstream.targets[0]");
    }

    @Test
    void compilerErrorsBecomeProblemsAtTheLineOfTheirKey() {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "a.yaml", HEAD + """
                auth:
                  jwt:
                    algorithms: [HS512]
                    hmac_secret_env: SHORT_SECRET
                """);
        write(dir, "b.yaml", PolicyFixtures.MINIMAL_ROUTE);
        write(dir, "c.yaml", PolicyFixtures.MINIMAL_ROUTE.replace("/chat", "/other"));
        PolicyLoader loader = new PolicyLoader(Map.<String, String>of()::get, config -> {
            switch (config.sourceFile()) {
                case "a.yaml" -> throw new InvalidSettingException("auth.jwt.hmac_secret_env", "HS512 needs a 64-byte secret");
                case "b.yaml" -> throw new InvalidSettingException("events.rules.x.schema", "no such rule");
                default -> throw new IllegalStateException("boom");
            }
        });
        try {
            loader.load(dir, 1);
        } catch (PolicyException e) {
            assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(
                    "a.yaml:7: auth.jwt.hmac_secret_env: HS512 needs a 64-byte secret",
                    "b.yaml:1: events.rules.x.schema: no such rule",
                    "c.yaml:1: route: cannot compile the route: java.lang.IllegalStateException: boom");
            return;
        }
        throw new AssertionError("expected a PolicyException");
    }

    @Test
    void compilerKeyPathsMapToTheNearestWrittenLine() {
        Map<String, Integer> lines = Map.of("route", 1, "auth", 5, "auth.jwt", 6, "auth.jwt.algorithms", 7,
                "auth.jwt.algorithms[0]", 7, "events.rules.chat.send", 12);
        assertThat(PolicyLoader.lineOf(lines, "auth.jwt.algorithms[0]")).isEqualTo(7);
        assertThat(PolicyLoader.lineOf(lines, "auth.jwt.hmac_secret_env")).isEqualTo(6);
        assertThat(PolicyLoader.lineOf(lines, "events.rules.chat.send.schema")).isEqualTo(12);
        assertThat(PolicyLoader.lineOf(lines, "rate_limits.per_ip")).isEqualTo(1);
    }

    /**
     * A field path the schema cannot hold fails the load itself, not only {@code check}: a reload with it keeps the
     * old policy serving, and a gateway does not start with it (a socketio payload is the argument array).
     */
    @Test
    void aFieldPathTheSchemaCannotHoldFailsTheLoad() {
        write(dir, "gateway.yaml", PolicyFixtures.GATEWAY);
        write(dir, "schemas/args.json", """
                {"type": "array", "prefixItems": [{"type": "object", "additionalProperties": false,
                  "properties": {"message": {"type": "string"}}}], "items": false}
                """);
        write(dir, "r.yaml", HEAD + """
                protocol: { kind: socketio }
                events:
                  rules:
                    chat:
                      schema: schemas/args.json
                      sanitize: { "[0].message": text, "[0].mesage": text, "[1].message": text }
                """);
        assertThat(PolicyFixtures.problems(dir, Map.of())).extracting(ConfigProblem::toString).containsExactly(
                "r.yaml:9: events.rules.chat.sanitize.[0].mesage: not a path schemas/args.json allows: [0] has no "
                        + "property \"mesage\" (did you mean message?) and additionalProperties is false",
                "r.yaml:9: events.rules.chat.sanitize.[1].message: not a path schemas/args.json allows: the payload has "
                        + "at most 1 item (prefixItems, items: false)");
    }
}
