package io.wsgate.config;

import io.wsgate.policy.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.wsgate.config.PolicyFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Variable substitution, durations and relative paths. */
class PolicyLoaderValuesTest {
    @TempDir
    Path dir;

    @Test
    void variablesAreReplacedWithAndWithoutDefault() throws Exception {
        write(dir, "gateway.yaml", """
                listen:
                  host: ${HOST}
                  port: ${PORT:-8181}
                admin: { token_env: "${PREFIX:-WSGATE}_ADMIN" }
                state: { redis_url: "redis://${REDIS_HOST}:${REDIS_PORT:-6379}" }
                connections: { idle_timeout: "${IDLE:-90s}" }
                reload: { watch: "${WATCH:-false}" }
                """);
        write(dir, "chat.yaml", """
                route:
                  path: ${ROUTE_PATH:-/chat}
                  upstream: { targets: ["ws://${UPSTREAM}/chat"] }
                """);
        Map<String, String> env = Map.of("HOST", "10.1.2.3", "REDIS_HOST", "cache", "UPSTREAM", "10.0.0.9:9000",
                "PREFIX", "MY");
        Policy p = PolicyFixtures.loader(env).load(dir, 1);

        assertThat(p.gateway().listen().host()).isEqualTo("10.1.2.3");
        assertThat(p.gateway().listen().port()).isEqualTo(8181);
        assertThat(p.gateway().admin().tokenEnv()).isEqualTo("MY_ADMIN");
        assertThat(p.gateway().state().redisUrl()).isEqualTo("redis://cache:6379");
        assertThat(p.gateway().connections().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(p.gateway().reload().watch()).isFalse();
        assertThat(p.route("/chat").config().route().upstream().targets()).containsExactly("ws://10.0.0.9:9000/chat");
    }

    @Test
    void setVariableWinsOverDefault() throws Exception {
        write(dir, "gateway.yaml", "listen:\n  port: ${PORT:-8181}\n");
        assertThat(PolicyFixtures.loader(Map.of("PORT", "9999")).load(dir, 1).gateway().listen().port()).isEqualTo(9999);
    }

    @Test
    void unsetVariableWithoutDefaultIsAnErrorAtItsLine() {
        write(dir, "gateway.yaml", "listen:\n  host: 0.0.0.0\n  port: ${PORT}\nadmin:\n  host: ${ADMIN_HOST}\n");
        List<ConfigProblem> problems = PolicyFixtures.problems(dir, Map.of());
        assertThat(problems).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "gateway.yaml:3: listen.port: environment variable PORT is not set (use ${PORT:-default})",
                "gateway.yaml:5: admin.host: environment variable ADMIN_HOST is not set (use ${ADMIN_HOST:-default})");
    }

    @Test
    void substitutedNumberMustStillBeANumber() {
        write(dir, "gateway.yaml", "listen:\n  port: ${PORT}\n");
        assertThat(PolicyFixtures.problemKeys(dir, Map.of("PORT", "eighty"))).containsExactly("gateway.yaml:2: listen.port");
    }

    @ParameterizedTest
    @CsvSource({"500ms,500", "5s,5000", "1m,60000", "1h,3600000", "2h30m,9000000", "0s,0", "1m30s,90000", "1d,86400000", "1d12h,129600000"})
    void durations(String text, long millis) {
        assertThat(FileReader.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "5 s", "s", "1w", "-5s", "5S", "1.5s", "5sec", "ms", "5s ", "99999999999999999999s"})
    void notDurations(String text) {
        assertThat(FileReader.parseDuration(text)).isNull();
    }

    @Test
    void durationNumberWithoutUnitIsAnError() {
        write(dir, "gateway.yaml", "connections:\n  idle_timeout: 120\n");
        List<ConfigProblem> problems = PolicyFixtures.problems(dir, Map.of());
        assertThat(problems).extracting(ConfigProblem::toString)
                .containsExactly("gateway.yaml:2: connections.idle_timeout: expected a duration such as 500ms, 5s, 1m or 1h, got 120");
    }

    @Test
    void shutdownDefaultsAndValues() throws Exception {
        PolicyFixtures.jwks(dir, "keys/jwks.json");
        write(dir, "gateway.yaml", "listen: { port: 8080 }\n");
        assertThat(PolicyFixtures.loader(Map.of()).load(dir, 1).gateway().shutdown())
                .isEqualTo(new GatewayConfig.Shutdown(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10)));
        write(dir, "gateway.yaml", "shutdown: { drain_delay: 0s, drain_timeout: 1m30s }\n");
        assertThat(PolicyFixtures.loader(Map.of()).load(dir, 1).gateway().shutdown())
                .isEqualTo(new GatewayConfig.Shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(90)));
        write(dir, "gateway.yaml", "shutdown:\n  drain_delay: 5\n  drain_tmeout: 1s\n");
        assertThat(PolicyFixtures.problems(dir, Map.of())).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "gateway.yaml:2: shutdown.drain_delay: expected a duration such as 500ms, 5s, 1m or 1h, got 5",
                "gateway.yaml:3: shutdown.drain_tmeout: unknown key (did you mean drain_timeout?) (allowed: drain_delay, drain_timeout)");
    }

    @Test
    void relativePathsResolveAgainstTheFolderOfTheFile() throws Exception {
        write(dir, "certs/gw.pem", "cert");
        write(dir, "certs/gw.key", "key");
        write(dir, "certs/ca.pem", "ca");
        write(dir, "schemas/msg.json", "{}");
        PolicyFixtures.jwks(dir, "keys/jwks.json");
        write(dir, "gateway.yaml", """
                listen:
                  tls: { cert_file: certs/gw.pem, key_file: ./certs/../certs/gw.key }
                audit: { denials: logs/denials.jsonl }
                """);
        write(dir, "chat.yaml", """
                route:
                  path: /chat
                  upstream: { targets: [wss://h:1/], ca_file: certs/ca.pem }
                protocol: { kind: json }
                auth:
                  jwt: { algorithms: [RS256], jwks_file: keys/jwks.json }
                events:
                  rules:
                    say: { schema: schemas/msg.json }
                """);
        // loaded through a relative, unnormalized spelling of the folder
        Path cwd = Path.of("").toAbsolutePath();
        Path spelled = cwd.relativize(dir.toAbsolutePath()).resolve("keys/..");
        Policy p = PolicyFixtures.loader(Map.of()).load(spelled, 1);

        Path base = dir.toAbsolutePath().normalize();
        assertThat(p.gateway().listen().tls()).isEqualTo(new GatewayConfig.Tls(base.resolve("certs/gw.pem"), base.resolve("certs/gw.key")));
        assertThat(p.gateway().audit().denials()).isEqualTo(base.resolve("logs/denials.jsonl").toString());
        RouteConfig c = p.route("/chat").config();
        assertThat(c.route().upstream().caFile()).isEqualTo(base.resolve("certs/ca.pem"));
        assertThat(c.auth().jwt().jwksFile()).isEqualTo(base.resolve("keys/jwks.json"));
        assertThat(c.events().rules().get("say").schema()).isEqualTo(base.resolve("schemas/msg.json"));
        assertThat(c.auth().jwt().jwksFile()).isAbsolute();
    }

    @Test
    void adminConsoleIsOffUnlessTurnedOn() throws Exception {
        write(dir, "gateway.yaml", "admin: { port: 0 }\n");
        assertThat(PolicyFixtures.loader(Map.of()).load(dir, 1).gateway().admin().console()).isFalse();
        write(dir, "gateway.yaml", "admin: { port: 0, console: \"${CONSOLE:-true}\" }\n");
        assertThat(PolicyFixtures.loader(Map.of()).load(dir, 1).gateway().admin().console()).isTrue();
        write(dir, "gateway.yaml", "admin: { port: 0, console: maybe }\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PolicyFixtures.loader(Map.of()).load(dir, 1))
                .isInstanceOf(PolicyException.class).hasMessageContaining("console");
    }
}
