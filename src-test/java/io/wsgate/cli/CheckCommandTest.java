package io.wsgate.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CheckCommandTest {
    private static final Path PROJECT = Path.of(System.getProperty("wsgate.projectDir", "."));

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int check(Map<String, String> env, String... args) {
        CommandLine cl = new CommandLine(new CheckCommand(env::get));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    @Test
    void validDirectoryExitsZeroWithWarningsAndSummary() throws IOException {
        write("gateway.yaml", "listen:\n  port: ${PORT:-8080}\n");
        write("echo.yaml", "route:\n  path: /echo\n  upstream: { targets: [ws://127.0.0.1:9000/echo] }\n");

        assertThat(check(Map.of(), dir.toString())).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "echo.yaml:1: auth: warning: no auth section: the route is public",
                "echo.yaml:1: rate_limits: warning: no rate_limits section: the route has no rate limits",
                "echo.yaml:1: events: warning: no events section: every event is allowed",
                dir + ": ok, 1 route, 3 warnings");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void invalidDirectoryExitsOnePrintingEveryProblem() throws IOException {
        write("gateway.yaml", "listen:\n  port: ${PORT}\n");
        write("chat.yaml", "route:\n  path: /chat\n  upstream: { targets: [ws://h:1/] }\n  max_mesage_bytes: 10\n");

        assertThat(check(Map.of(), dir.toString())).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly(
                "gateway.yaml:2: listen.port: environment variable PORT is not set (use ${PORT:-default})",
                "chat.yaml:4: route.max_mesage_bytes: unknown key (did you mean max_message_bytes?) (allowed: allow_no_origin, "
                        + "allowed_origins, max_message_bytes, max_upstream_message_bytes, path, permessage_deflate, subprotocols, upstream)",
                dir + ": 2 problems");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void environmentFixesTheSameDirectory() throws IOException {
        write("gateway.yaml", "listen:\n  port: ${PORT}\n");
        assertThat(check(Map.of("PORT", "8081"), dir.toString())).isZero();
        assertThat(out.toString()).contains("ok, 0 routes, 0 warnings");
    }

    @Test
    void missingDirectoryExitsOne() {
        assertThat(check(Map.of(), dir.resolve("nope").toString())).isEqualTo(1);
        assertThat(err.toString()).contains(dir.resolve("nope") + ": not a directory").doesNotContain(":0:");
    }

    /** Like run, check serves policies/ when no folder is named (the tests run in the project folder). */
    @Test
    void defaultsToThePoliciesFolder() {
        int code = check(Map.of());
        assertThat(out.toString() + err.toString()).contains("policies");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("policies: ok,");
    }

    @Test
    void reachableFromTheMainCommand() throws IOException {
        write("gateway.yaml", "admin: { port: 70000 }\n");
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("check", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("gateway.yaml:1: admin.port: must be between 0 and 65535, got 70000");
    }

    @Test
    void shippedPoliciesPassTheCheck() throws IOException {
        Path shipped = Path.of(System.getProperty("wsgate.projectDir", ".")).resolve("policies");
        // the dev keys are made by the auth work; without them only the missing key file may be reported
        int code = check(Map.of(), shipped.toString());
        if (Files.exists(shipped.resolve("keys/dev-jwks.json"))) {
            assertThat(code).as(err.toString()).isZero();
        } else {
            assertThat(code).isEqualTo(1);
            assertThat(err.toString().lines().filter(l -> l.contains(".yaml:")))
                    .isNotEmpty()
                    .allMatch(l -> l.contains("auth.jwt.jwks_file: file not found"));
        }
    }

    private static final String PUBLIC_ROUTE_WARNINGS_OF = "%1$s:1: auth: warning: no auth section: the route is public|"
            + "%1$s:1: rate_limits: warning: no rate_limits section: the route has no rate limits|"
            + "%1$s:1: events: warning: no events section: every event is allowed";

    private static String[] publicRouteWarnings(String file) {
        return PUBLIC_ROUTE_WARNINGS_OF.formatted(file).split("\\|");
    }

    @Test
    void proxyProtocolWithoutTrustedProxiesIsAWarning() throws IOException {
        write("gateway.yaml", "listen:\n  port: 8080\n  proxy_protocol: true\n  trusted_proxies: []\n");
        write("echo.yaml", "route:\n  path: /echo\n  upstream: { targets: [ws://127.0.0.1:9000/echo] }\n");

        assertThat(check(Map.of(), dir.toString())).isZero();
        assertThat(out.toString().lines()).startsWith(
                "gateway.yaml:3: listen.proxy_protocol: warning: true with empty trusted_proxies: every connection "
                        + "will be refused (list the balancer's addresses in listen.trusted_proxies)")
                .endsWith(dir + ": ok, 1 route, 4 warnings");

        out.getBuffer().setLength(0);
        write("gateway.yaml", "listen:\n  port: 8080\n  proxy_protocol: true\n  trusted_proxies: [10.0.0.0/8]\n");
        assertThat(check(Map.of(), dir.toString())).isZero();
        assertThat(out.toString()).doesNotContain("proxy_protocol").contains(": ok, 1 route, 3 warnings");
    }

    @Test
    void ymlFilesAreReportedAsIgnored() throws IOException {
        write("gateway.yaml", "listen:\n  port: 8080\n");
        write("echo.yaml", "route:\n  path: /echo\n  upstream: { targets: [ws://127.0.0.1:9000/echo] }\n");
        write("chat.yml", "route:\n  path: /chat\n  upstream: { targets: [ws://127.0.0.1:9000/chat] }\n");
        write("notes.txt", "not a policy");

        assertThat(check(Map.of(), dir.toString())).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "chat.yml: warning: ignored: policy files must end in .yaml (rename it to chat.yaml)",
                publicRouteWarnings("echo.yaml")[0], publicRouteWarnings("echo.yaml")[1],
                publicRouteWarnings("echo.yaml")[2],
                dir + ": ok, 1 route, 4 warnings");
    }

    @Test
    void problemsAreSortedByFileThenLine() throws IOException {
        write("gateway.yaml", "listen:\n  port: 8080\nadmin:\n  prot: 9090\n");
        // b.yaml: its unknown key (line 4) is found while reading, the duplicate path (line 2) after it
        write("b.yaml", "route:\n  path: /same\n  upstream: { targets: [ws://127.0.0.1:9000/] }\n  bogus: 1\n");
        // a.yaml reads cleanly; its problem is found later, when the routes are compiled
        write("a.yaml", "route:\n  path: /same\n  upstream: { targets: [ws://127.0.0.1:9000/] }\n"
                + "auth:\n  jwt:\n    algorithms: [RS256]\n    jwks_file: keys/none.json\n");

        assertThat(check(Map.of(), dir.toString())).isEqualTo(1);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("gateway.yaml:4: admin.prot: unknown key");
        assertThat(lines.get(1)).startsWith("a.yaml:").contains("auth.jwt.jwks_file: file not found");
        assertThat(lines.get(2)).startsWith("b.yaml:2: route.path: duplicate route path /same");
        assertThat(lines.get(3)).startsWith("b.yaml:4: route.bogus: unknown key");
        assertThat(lines.get(4)).isEqualTo(dir + ": 4 problems");
    }

    // ---- field paths of sanitize / max_length against the rule's schema

    /** A json route with rate limits and an auth section, so that only the lines under test are printed. */
    private static String jsonRoute(String rule) {
        return """
                route:
                  path: /chat
                  upstream: { targets: [ws://127.0.0.1:9000/chat] }
                protocol: { kind: json }
                auth: { required: false }
                rate_limits:
                  per_ip: { messages: { limit: 10, per: 1s } }
                events:
                  rules:
                    send-message:
                """ + rule.indent(6);
    }

    private static final String STRICT_SCHEMA = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema",
             "type": "object", "additionalProperties": false,
             "properties": {
               "type": {"const": "send-message"},
               "message": {"type": "string"},
               "room": {"type": "string"},
               "data": {"$ref": "#/$defs/data"}},
             "$defs": {
               "data": {"type": "object", "additionalProperties": false,
                        "properties": {"text": {"type": "string"},
                                       "parts": {"type": "array", "items": {"$ref": "#/$defs/part"}}}},
               "part": {"type": "object", "additionalProperties": false, "properties": {"body": {"type": "string"}}}}}
            """;

    @Test
    void aSanitizePathTheSchemaDoesNotAllowIsAnErrorWithASuggestion() throws IOException {
        write("gateway.yaml", "listen: { port: 8080 }\n");
        Files.createDirectories(dir.resolve("schemas"));
        write("schemas/strict.json", STRICT_SCHEMA);
        write("chat.yaml", jsonRoute("""
                schema: schemas/strict.json
                sanitize: { mesage: text }
                max_length: { message: 2000 }
                """));

        assertThat(check(Map.of(), dir.toString())).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly(
                "chat.yaml:12: events.rules.send-message.sanitize.mesage: not a path schemas/strict.json allows: "
                        + "no property \"mesage\" (did you mean message?) and additionalProperties is false",
                dir + ": 1 problem");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMaxLengthPathTheSchemaDoesNotAllowIsAnError() throws IOException {
        write("gateway.yaml", "listen: { port: 8080 }\n");
        Files.createDirectories(dir.resolve("schemas"));
        write("schemas/strict.json", STRICT_SCHEMA);
        write("chat.yaml", jsonRoute("""
                schema: schemas/strict.json
                sanitize: { message: text }
                max_length:
                  message: 2000
                  data.txt: 500
                  message.text: 10
                """));

        assertThat(check(Map.of(), dir.toString())).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly(
                "chat.yaml:15: events.rules.send-message.max_length.data.txt: not a path schemas/strict.json allows: "
                        + "data has no property \"txt\" (did you mean text?) and additionalProperties is false",
                "chat.yaml:16: events.rules.send-message.max_length.message.text: not a path schemas/strict.json allows: "
                        + "message is a string, not an object",
                dir + ": 2 problems");
    }

    @Test
    void nestedPathsThroughRefAndItemsThatTheSchemaAllowsPass() throws IOException {
        write("gateway.yaml", "listen: { port: 8080 }\n");
        Files.createDirectories(dir.resolve("schemas"));
        write("schemas/strict.json", STRICT_SCHEMA);
        write("chat.yaml", jsonRoute("""
                schema: schemas/strict.json
                sanitize: { message: text, data.text: basic_html, "data.parts[0].body": text }
                max_length: { data.text: 500, "data.parts[3].body": 100 }
                """));

        assertThat(check(Map.of(), dir.toString())).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(dir + ": ok, 1 route, 0 warnings");
    }

    @Test
    void aSchemaTooDynamicToJudgeIsNotAnError() throws IOException {
        write("gateway.yaml", "listen: { port: 8080 }\n");
        Files.createDirectories(dir.resolve("schemas"));
        write("schemas/dynamic.json", """
                {"type": "object", "additionalProperties": false,
                 "properties": {"kind": {"enum": ["a", "b"]}, "body": {"anyOf": [
                     {"type": "object", "properties": {"text": {}}, "additionalProperties": false},
                     {"type": "object", "properties": {"html": {}}, "additionalProperties": false}]}},
                 "patternProperties": {"^x-": {"type": "string"}}}
                """);
        write("chat.yaml", jsonRoute("""
                schema: schemas/dynamic.json
                sanitize: { body.html: basic_html, x-note: text }
                max_length: { body.text: 100 }
                """));

        assertThat(check(Map.of(), dir.toString())).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(dir + ": ok, 1 route, 0 warnings");
    }

    @Test
    void withoutASchemaEachPathIsAWarningThatItIsUnchecked() throws IOException {
        write("gateway.yaml", "listen: { port: 8080 }\n");
        write("chat.yaml", jsonRoute("""
                sanitize: { mesage: text }
                max_length: { message: 2000 }
                """));

        assertThat(check(Map.of(), dir.toString())).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "chat.yaml:11: events.rules.send-message.sanitize.mesage: warning: the rule has no schema, so nothing "
                        + "checks this path: a misspelt field leaves the real one unsanitized",
                "chat.yaml:12: events.rules.send-message.max_length.message: warning: the rule has no schema, so nothing "
                        + "checks this path: a misspelt field leaves the real one unlimited",
                dir + ": ok, 1 route, 2 warnings");
    }

    @Test
    void anOpenSchemaThatDoesNotNameThePathIsAWarning() throws IOException {
        write("gateway.yaml", "listen: { port: 8080 }\n");
        Files.createDirectories(dir.resolve("schemas"));
        // the shipped send-message schema: no additionalProperties, so "mesage" is allowed, and never holds the text
        Files.copy(PROJECT.resolve("policies/schemas/send-message.json"), dir.resolve("schemas/send-message.json"));
        write("chat.yaml", jsonRoute("""
                schema: schemas/send-message.json
                sanitize: { mesage: text }
                """));

        assertThat(check(Map.of(), dir.toString())).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "chat.yaml:12: events.rules.send-message.sanitize.mesage: warning: schemas/send-message.json names no "
                        + "property \"mesage\" (did you mean message?); the path passes only because the schema allows "
                        + "other keys (additionalProperties: false would make a misspelling an error)",
                dir + ": ok, 1 route, 1 warning");
    }

    // ---- keys: the published development key, and jwks_url

    private static String authRoute(String keySource) {
        return """
                route:
                  path: /chat
                  upstream: { targets: [ws://127.0.0.1:9000/chat] }
                auth:
                  jwt:
                    algorithms: [RS256]
                    %s
                rate_limits:
                  per_ip: { messages: { limit: 10, per: 1s } }
                events: { default: allow }
                """.formatted(keySource);
    }

    @Test
    void aJwksFileHoldingTheDevelopmentKeyIsAWarning() throws IOException {
        write("gateway.yaml", "listen: { port: 8080 }\n");
        Files.createDirectories(dir.resolve("keys"));
        Files.copy(PROJECT.resolve("policies/keys/dev-jwks.json"), dir.resolve("keys/jwks.json"));
        write("chat.yaml", authRoute("jwks_file: keys/jwks.json"));

        assertThat(check(Map.of(), dir.toString())).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "chat.yaml:7: auth.jwt.jwks_file: warning: keys/jwks.json holds the published development key "
                        + "(kid wsgate-dev-1): anyone can sign tokens this route accepts; use your identity provider's "
                        + "keys outside development",
                dir + ": ok, 1 route, 1 warning");

        // another key: no warning
        out.getBuffer().setLength(0);
        Files.writeString(dir.resolve("keys/jwks.json"), Files.readString(dir.resolve("keys/jwks.json"))
                .replace("wsgate-dev-1", "prod-2026"));
        assertThat(check(Map.of(), dir.toString())).isZero();
        assertThat(out.toString().lines()).containsExactly(dir + ": ok, 1 route, 0 warnings");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnreachableJwksUrlIsAnErrorUnlessOffline() throws IOException {
        String url = "http://127.0.0.1:" + freePort() + "/jwks.json";
        write("gateway.yaml", "listen: { port: 8080 }\n");
        write("chat.yaml", authRoute("jwks_url: " + url));

        long start = System.nanoTime();
        assertThat(check(Map.of(), dir.toString())).isEqualTo(1);
        assertThat(System.nanoTime() - start).as("refused at once, not after retries").isLessThan(5_000_000_000L);
        assertThat(err.toString().lines()).containsExactly(
                "chat.yaml:7: auth.jwt.jwks_url: cannot fetch " + url + ": connection refused or unreachable "
                        + "(check --offline skips this fetch)",
                dir + ": 1 problem");

        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertThat(check(Map.of(), "--offline", dir.toString())).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(dir + ": ok, 1 route, 0 warnings");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aJwksUrlIsFetchedAndMustAnswerAJwkSet() throws IOException {
        byte[] jwks = Files.readAllBytes(PROJECT.resolve("src-test/resources/config/test-jwks.json"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.createContext("/", ex -> {
            asked.add(ex.getRequestURI().getPath());
            byte[] body = switch (ex.getRequestURI().getPath()) {
                case "/jwks.json" -> jwks;
                case "/login" -> "<html>sign in</html>".getBytes(StandardCharsets.UTF_8);
                case "/empty" -> "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
                default -> null;
            };
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            write("gateway.yaml", "listen: { port: 8080 }\n");
            write("chat.yaml", authRoute("jwks_url: " + base + "/jwks.json"));
            // a second route with the same URL: fetched once
            write("sio.yaml", authRoute("jwks_url: " + base + "/jwks.json").replace("/chat", "/other"));
            // --offline: nothing is fetched, not even by the routes' compilers
            assertThat(check(Map.of(), "--offline", dir.toString())).as(err.toString()).isZero();
            assertThat(asked).isEmpty();

            out.getBuffer().setLength(0);
            assertThat(check(Map.of(), dir.toString())).as(err.toString()).isZero();
            assertThat(out.toString().lines()).containsExactly(dir + ": ok, 2 routes, 0 warnings");
            assertThat(asked).containsExactly("/jwks.json");

            Files.delete(dir.resolve("sio.yaml"));
            for (String[] c : List.of(
                    new String[] {"/missing", base + "/missing answered HTTP 404, not a JWK set"},
                    new String[] {"/empty", base + "/empty answered a JWK set with no keys"},
                    new String[] {"/login", base + "/login did not answer a JWK set: "})) {
                out.getBuffer().setLength(0);
                err.getBuffer().setLength(0);
                write("chat.yaml", authRoute("jwks_url: " + base + c[0]));
                assertThat(check(Map.of(), dir.toString())).isEqualTo(1);
                List<String> lines = err.toString().lines().toList();
                assertThat(lines).hasSize(2);
                assertThat(lines.get(0)).startsWith("chat.yaml:7: auth.jwt.jwks_url: " + c[1])
                        .endsWith(" (check --offline skips this fetch)");
            }
        } finally {
            server.stop(0);
        }
    }
}
