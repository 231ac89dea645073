package io.wsgate.e2e;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.interop.TestTokens;
import io.wsgate.server.Gateway;
import io.wsgate.testing.PolicyDir;
import io.wsgate.testing.WsTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One real gateway ({@link Gateway#start}) in front of a {@link DemoUpstream}, with HS256 tokens, the admin API
 * over {@link HttpClient} and a Prometheus text parser for {@code /metrics}.
 */
final class OpsFixture implements AutoCloseable {
    static final String ADMIN_TOKEN = "ops-admin-token-0123456789abcdef0123456789";
    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final TestTokens tokens = TestTokens.random();
    final DemoUpstream upstream;
    final PolicyDir dir;
    Gateway gateway;

    private OpsFixture(PolicyDir dir) throws InterruptedException {
        this.dir = dir;
        this.upstream = new DemoUpstream("127.0.0.1", 0).start();
    }

    /** Upstream started; write routes with {@link #route}, then {@link #start}. */
    static OpsFixture in(Path tmp) throws InterruptedException {
        return new OpsFixture(PolicyDir.in(tmp));
    }

    static OpsFixture in(Path tmp, String extraGatewayYaml) throws InterruptedException {
        return new OpsFixture(PolicyDir.in(tmp, extraGatewayYaml));
    }

    Function<String, String> env() {
        Map<String, String> env = Map.of("WSGATE_ADMIN_TOKEN", ADMIN_TOKEN, TestTokens.SECRET_ENV, tokens.secret());
        return env::get;
    }

    String upstreamUrl(String path) {
        return "ws://127.0.0.1:" + upstream.port() + path;
    }

    /** The HS256 auth block for a route (tokens from {@link #tokens}). */
    static String hs256Auth() {
        return """
                auth:
                  required: true
                  jwt:
                    algorithms: [HS256]
                    hmac_secret_env: %s
                    issuer: %s
                    audience: %s
                """.formatted(TestTokens.SECRET_ENV, TestTokens.ISSUER, TestTokens.AUDIENCE);
    }

    OpsFixture route(String file, String yaml) {
        dir.write(file, yaml);
        return this;
    }

    OpsFixture start() throws Exception {
        gateway = Gateway.start(dir.path(), env());
        return this;
    }

    String wsUrl(String path) {
        return "ws://127.0.0.1:" + gateway.port() + path;
    }

    WsTestClient connect(String path) throws Exception {
        return WsTestClient.to(wsUrl(path)).connect();
    }

    WsTestClient connectAs(String path, String user) throws Exception {
        return WsTestClient.to(wsUrl(path)).header("Authorization", "Bearer " + tokens.token(user, "user")).connect();
    }

    /** Texts the upstream received on {@code path}, in arrival order. */
    List<String> receivedOn(String path) {
        return upstream.received().stream().filter(r -> path.equals(r.path())).map(DemoUpstream.Received::text).toList();
    }

    HttpResponse<String> reload() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + "/admin/reload"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code method path} on the admin port with the admin token (GET and POST without a body). */
    HttpResponse<String> admin(String method, String path) throws Exception {
        return admin(method, path, null);
    }

    /** As above with a JSON body (null: none). */
    HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET /metrics} over HTTP on the admin port. */
    Scrape scrape() throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + res.statusCode());
        }
        return new Scrape(res.body());
    }

    static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    /** A frame's text parsed as JSON when it is a gateway notice ({@code "type":"error"} with a code), else null. */
    static JsonNode notice(WsTestClient.Frame f) {
        if (f.type() != WsTestClient.Type.TEXT) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(f.text());
            return "error".equals(n.path("type").asString("")) && n.has("code") ? n : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    /** One Prometheus text exposition. */
    record Scrape(String text) {
        /** The sample {@code name{labels}}; every given {@code k=v} label must match. NaN when absent. */
        double value(String name, String... labels) {
            double found = Double.NaN;
            for (String line : text.split("\n")) {
                if (line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                String n = brace >= 0 ? line.substring(0, brace) : line.substring(0, Math.max(0, space));
                if (!n.equals(name)) {
                    continue;
                }
                String labelText = brace >= 0 ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
                boolean all = true;
                for (String l : labels) {
                    int eq = l.indexOf('=');
                    String want = l.substring(0, eq) + "=\"" + l.substring(eq + 1) + "\"";
                    if (!labelText.contains("{" + want + ",") && !labelText.contains("," + want + ",")
                            && !labelText.contains("," + want + "}") && !labelText.contains("{" + want + "}")) {
                        all = false;
                        break;
                    }
                }
                if (all) {
                    if (!Double.isNaN(found)) {
                        throw new AssertionError("more than one sample matches " + name + " " + List.of(labels));
                    }
                    found = Double.parseDouble(line.substring(space + 1));
                }
            }
            return found;
        }

        /** As {@link #value} with 0 for an absent sample (a counter never incremented for these labels). */
        double count(String name, String... labels) {
            double v = value(name, labels);
            return Double.isNaN(v) ? 0 : v;
        }
    }
}
