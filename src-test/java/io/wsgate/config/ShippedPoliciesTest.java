package io.wsgate.config;

import io.wsgate.policy.Policy;
import io.wsgate.policy.RoutePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code policies/} folder shipped in the repository loads and says what the brief asks. */
class ShippedPoliciesTest {
    static final Path SHIPPED = Path.of(System.getProperty("wsgate.projectDir", ".")).resolve("policies");

    @TempDir
    Path dir;

    /** A copy of policies/, with a fixture JWKS when the dev keys (made by the auth work) are not there. */
    private Path copy() throws IOException {
        try (Stream<Path> files = Files.walk(SHIPPED)) {
            for (Path src : files.toList()) {
                Path dst = dir.resolve(SHIPPED.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (!Files.exists(dir.resolve("keys/dev-jwks.json"))) {
            PolicyFixtures.jwks(dir, "keys/dev-jwks.json");
        }
        return dir;
    }

    @Test
    void shippedPoliciesLoad() throws Exception {
        PolicyLoader loader = new PolicyLoader(Map.<String, String>of()::get);
        Policy p = loader.load(copy(), 1);

        assertThat(p.gateway().listen().port()).isEqualTo(8080);
        assertThat(p.gateway().admin().port()).isEqualTo(9090);
        assertThat(p.routes()).extracting(RoutePolicy::path).containsExactlyInAnyOrder("/echo", "/chat", "/socket.io/");

        RouteConfig echo = p.route("/echo").config();
        assertThat(echo.protocol().kind()).isEqualTo(RouteConfig.Kind.RAW);
        assertThat(echo.auth()).isNull();
        assertThat(echo.route().upstream().targets()).containsExactly("ws://127.0.0.1:9000/echo");

        RouteConfig chat = p.route("/chat").config();
        assertThat(chat.protocol().kind()).isEqualTo(RouteConfig.Kind.JSON);
        assertThat(chat.protocol().event()).isEqualTo("type");
        assertThat(chat.auth().jwt().algorithms()).containsExactly("RS256");
        assertThat(chat.auth().jwt().issuer()).isEqualTo("wsgate-dev");
        assertThat(chat.auth().jwt().audience()).isEqualTo("chat");
        assertThat(chat.auth().jwt().jwksFile()).isEqualTo(dir.toAbsolutePath().normalize().resolve("keys/dev-jwks.json"));
        assertThat(chat.events().rules()).containsOnlyKeys("join-room", "send-message", "typing", "admin-kick");
        assertThat(chat.events().rules().get("send-message").schema()).hasFileName("send-message.json").exists();
        assertThat(chat.rateLimits()).isNotNull();

        RouteConfig sio = p.route("/socket.io/").config();
        assertThat(sio.protocol().kind()).isEqualTo(RouteConfig.Kind.SOCKETIO);
        assertThat(sio.protocol().namespaces().get("/admin").roles()).containsExactly("admin");
        assertThat(sio.auth().tokenFrom()).containsExactly("socketio_auth:token");
        assertThat(sio.route().upstream().targets()).containsExactly("ws://127.0.0.1:3000/socket.io/");

        // only the example echo route lacks protections; the others trust the published development key
        // (which `wsgate demo` replaces with an ephemeral one)
        assertThat(loader.warnings()).extracting(w -> w.file() + ": " + w.key()).containsExactly(
                "chat.yaml: auth.jwt.jwks_file",
                "echo.yaml: auth", "echo.yaml: rate_limits", "echo.yaml: events",
                "socketio.yaml: auth.jwt.jwks_file");
    }

    @Test
    void everyShippedYamlNamesItsEditorSchema() throws IOException {
        try (Stream<Path> files = Files.list(SHIPPED)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                String schema = f.getFileName().toString().equals("gateway.yaml") ? "gateway" : "route";
                assertThat(Files.readAllLines(f).get(0))
                        .isEqualTo("# yaml-language-server: $schema=schema/" + schema + ".schema.json");
                assertThat(SHIPPED.resolve("schema/" + schema + ".schema.json")).exists();
            }
        }
    }
}
