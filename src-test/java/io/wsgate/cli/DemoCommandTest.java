package io.wsgate.cli;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.wsgate.config.ConfigProblem;
import io.wsgate.config.PolicyLoader;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.server.Gateway;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code wsgate demo} on a copy of the shipped policies/ (ports rewritten to ephemeral ones). */
class DemoCommandTest {
    static final Path SHIPPED = Path.of(System.getProperty("wsgate.projectDir", ".")).resolve("policies");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private DemoUpstream upstream;
    private DemoCommand.Demo demo;
    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (demo != null) {
            demo.delete();
        }
    }

    /** The shipped folder with gateway.yaml on ports 0 (no watcher, no audit) and targets on {@code upstreamPort}. */
    private Path shippedCopy(int upstreamPort) throws IOException {
        Path copy = tmp.resolve("policies");
        try (Stream<Path> files = Files.walk(SHIPPED)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(SHIPPED.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Path gw = copy.resolve("gateway.yaml");
        String g = Files.readString(gw);
        String rewritten = g.replace("host: 0.0.0.0", "host: 127.0.0.1").replace("port: 8080", "port: 0")
                .replace("port: 9090", "port: 0").replace("watch: true", "watch: false")
                .replace("denials: stdout", "denials: \"off\"");
        assertThat(rewritten).as("the shipped gateway.yaml changed shape").doesNotContain("8080", "9090", "0.0.0.0");
        Files.writeString(gw, rewritten);
        for (String route : List.of("chat.yaml", "echo.yaml", "socketio.yaml")) {
            Path f = copy.resolve(route);
            Files.writeString(f, Files.readString(f).replace("127.0.0.1:9000", "127.0.0.1:" + upstreamPort));
        }
        assertThat(Files.readString(copy.resolve("chat.yaml"))).contains("ws://127.0.0.1:" + upstreamPort + "/chat");
        return copy;
    }

    private void startDemo() throws Exception {
        upstream = new DemoUpstream("127.0.0.1", 0).start();
        demo = DemoCommand.Demo.prepare(shippedCopy(upstream.port()));
        gateway = Gateway.start(demo.dir, demo.env());
    }

    private String chatUrl(String token) {
        return "ws://127.0.0.1:" + gateway.port() + "/chat?access_token=" + token;
    }

    private static JsonNode nextJson(WsTestClient c) throws InterruptedException {
        WsTestClient.Frame f = c.next(Duration.ofSeconds(5));
        assertThat(f).as("a frame within 5 s").isNotNull();
        return JSON.readTree(f.text());
    }

    @Test
    void aUserWithTheDemoTokenJoinsARoomAndHerMessageArrives() throws Exception {
        startDemo();
        try (WsTestClient alice = WsTestClient.to(chatUrl(demo.token("alice", List.of("user")))).connect();
             WsTestClient root = WsTestClient.to(chatUrl(demo.token("root", List.of("admin", "user")))).connect()) {
            alice.sendText("{\"type\":\"join-room\",\"room\":\"lobby\"}");
            JsonNode joined = nextJson(alice);
            assertThat(joined.path("type").asString()).isEqualTo("joined");
            assertThat(joined.path("user").asString()).isEqualTo("alice");
            root.sendText("{\"type\":\"join-room\",\"room\":\"lobby\"}");
            assertThat(nextJson(root).path("user").asString()).isEqualTo("root");

            alice.sendText("{\"type\":\"send-message\",\"room\":\"lobby\",\"message\":\"hello lobby\"}");
            for (WsTestClient member : List.of(alice, root)) {
                JsonNode m = nextJson(member);
                assertThat(m.path("type").asString()).isEqualTo("message");
                assertThat(m.path("from").asString()).isEqualTo("alice");
                assertThat(m.path("message").asString()).isEqualTo("hello lobby");
            }
        }
        assertThat(upstream.received()).extracting(DemoUpstream.Received::path).containsOnly("/chat");
    }

    @Test
    void theAdminApiAcceptsTheDemoAdminToken() throws Exception {
        startDemo();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        URI uri = URI.create("http://127.0.0.1:" + gateway.adminPort() + "/admin/connections");
        String token = demo.env().apply(DemoCommand.ADMIN_TOKEN_ENV);
        assertThat(token).isNotBlank();
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token + "x")
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
    }

    @Test
    void theBannerListsTheUrlsAndBothTokensThatWork() throws Exception {
        startDemo();
        String banner = demo.banner(gateway, upstream.port());
        assertThat(banner).contains("ws://127.0.0.1:" + upstream.port() + " (/chat, /echo)",
                "ws://127.0.0.1:" + gateway.port() + "/chat  (json",
                "ws://127.0.0.1:" + gateway.port() + "/echo",
                "ws://127.0.0.1:" + gateway.port() + "/socket.io/",
                "http://127.0.0.1:" + gateway.adminPort(),
                "admin API bearer token:           " + demo.env().apply(DemoCommand.ADMIN_TOKEN_ENV));
        // only the Socket.IO route points at an upstream (port 3000) the demo does not start
        assertThat(banner.lines().filter(l -> l.contains("is not started by the demo")))
                .singleElement().asString().contains("/socket.io/  (socketio; upstream ws://127.0.0.1:3000/");
        String user = tokenAfter(banner, "user  (alice, roles user):");
        String admin = tokenAfter(banner, "admin (root, roles admin,user):");
        assertThat(user).isNotEqualTo(admin);
        // the export line README's examples rely on carries the same three values
        assertThat(banner.lines()).contains("  export USER_TOKEN=" + user + " ADMIN_TOKEN=" + admin
                + " ADMIN_API_TOKEN=" + demo.env().apply(DemoCommand.ADMIN_TOKEN_ENV));
        // both printed tokens are accepted by the running demo; the admin one may send admin-only events
        for (String t : List.of(user, admin)) {
            try (WsTestClient c = WsTestClient.to(chatUrl(t)).connect()) {
                c.sendText("{\"type\":\"join-room\",\"room\":\"r\"}");
                assertThat(nextJson(c).path("type").asString()).isEqualTo("joined");
            }
        }
    }

    /** The shipped folder trusts the published dev key (check warns); the demo's copy trusts only its own key. */
    @Test
    void theDemoFolderDrawsNoDevelopmentKeyWarning() throws Exception {
        demo = DemoCommand.Demo.prepare(shippedCopy(1));
        PolicyLoader loader = new PolicyLoader(name -> null);
        loader.load(demo.dir, 1);
        assertThat(loader.warnings()).extracting(ConfigProblem::key).doesNotContain("auth.jwt.jwks_file")
                .containsExactly("auth", "rate_limits", "events");
    }

    @Test
    void aTokenSignedByTheShippedDevKeyIsRefused() throws Exception {
        RSAKey devKey = RSAKey.parse(Files.readString(SHIPPED.resolve("keys/dev-private-jwk.json")));
        // the shipped folder does trust this key, so the refusal below is the demo's key swap
        assertThat(JWKSet.load(SHIPPED.resolve("keys/dev-jwks.json").toFile()).getKeyByKeyId(devKey.getKeyID()))
                .isNotNull();
        startDemo();
        assertThat(Files.exists(demo.dir.resolve("keys/dev-private-jwk.json"))).isFalse();
        String forged = TokenCommand.mint(devKey, "mallory", List.of("admin"), Duration.ofHours(1), "wsgate-dev",
                "chat", null, Instant.now());
        WsTestClient.Refused r = catchThrowableOfType(WsTestClient.Refused.class,
                () -> WsTestClient.to(chatUrl(forged)).connect().close());
        assertThat(r).isNotNull();
        assertThat(r.status).isEqualTo(401);
        try (WsTestClient c = WsTestClient.to(chatUrl(demo.token("alice", List.of("user")))).connect()) {
            assertThat(c.channel().isActive()).isTrue();
        }
    }

    private static String tokenAfter(String banner, String label) {
        return banner.lines().filter(l -> l.contains(label)).findFirst()
                .map(l -> l.substring(l.indexOf(label) + label.length()).trim()).orElseThrow();
    }
}
