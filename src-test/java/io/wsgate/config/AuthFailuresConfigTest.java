package io.wsgate.config;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.wsgate.config.PolicyFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** {@code connections.auth_failures_per_ip}: default on (30 per 1m), {@code limit: 0} off, strict validation. */
class AuthFailuresConfigTest {
    @TempDir
    Path dir;

    private GatewayConfig.AuthFailures load(String yaml) throws Exception {
        write(dir, "gateway.yaml", yaml);
        return PolicyFixtures.loader(Map.of("LIMIT", "7")).load(dir, 1).gateway().connections().authFailuresPerIp();
    }

    @Test
    void defaultsToThirtyPerMinute() throws Exception {
        assertThat(load("# nothing\n")).isEqualTo(new GatewayConfig.AuthFailures(30, Duration.ofMinutes(1)));
        assertThat(load("connections: { max_total: 10 }\n")).isEqualTo(GatewayConfig.AuthFailures.DEFAULT);
        assertThat(load("connections:\n  auth_failures_per_ip:\n")).as("an empty value").isEqualTo(GatewayConfig.AuthFailures.DEFAULT);
        assertThat(GatewayConfig.AuthFailures.DEFAULT.enabled()).isTrue();
    }

    @Test
    void valuesAreReadAndLimitZeroTurnsItOff() throws Exception {
        assertThat(load("connections:\n  auth_failures_per_ip: { limit: 5, per: 10s }\n"))
                .isEqualTo(new GatewayConfig.AuthFailures(5, Duration.ofSeconds(10)));
        assertThat(load("connections:\n  auth_failures_per_ip: { limit: \"${LIMIT}\", per: 1h }\n").limit()).isEqualTo(7);
        GatewayConfig.AuthFailures off = load("connections:\n  auth_failures_per_ip: { limit: 0 }\n");
        assertThat(off.limit()).isZero();
        assertThat(off.enabled()).isFalse();
        assertThat(load("connections:\n  auth_failures_per_ip: { limit: 0, per: 1m }\n").enabled()).isFalse();
    }

    static Stream<Arguments> badCases() {
        return Stream.of(
                arguments("negative limit", "connections:\n  auth_failures_per_ip:\n    limit: -1\n    per: 1m\n",
                        List.of("gateway.yaml:3: connections.auth_failures_per_ip.limit")),
                arguments("limit not an integer", "connections:\n  auth_failures_per_ip: { limit: lots, per: 1m }\n",
                        List.of("gateway.yaml:2: connections.auth_failures_per_ip.limit")),
                arguments("per not a duration", "connections:\n  auth_failures_per_ip:\n    limit: 5\n    per: 60\n",
                        List.of("gateway.yaml:4: connections.auth_failures_per_ip.per")),
                arguments("per below a second", "connections:\n  auth_failures_per_ip:\n    limit: 5\n    per: 500ms\n",
                        List.of("gateway.yaml:4: connections.auth_failures_per_ip.per")),
                arguments("missing per", "connections:\n  auth_failures_per_ip:\n    limit: 5\n",
                        List.of("gateway.yaml:2: connections.auth_failures_per_ip.per")),
                arguments("missing limit", "connections:\n  auth_failures_per_ip: { per: 1m }\n",
                        List.of("gateway.yaml:2: connections.auth_failures_per_ip.limit")),
                arguments("unknown key", "connections:\n  auth_failures_per_ip:\n    limit: 5\n    per: 1m\n    burst: 9\n",
                        List.of("gateway.yaml:5: connections.auth_failures_per_ip.burst")),
                arguments("not a mapping", "connections:\n  max_total: 5\n  auth_failures_per_ip: 30\n",
                        List.of("gateway.yaml:3: connections.auth_failures_per_ip")),
                arguments("typo", "connections:\n  auth_failure_per_ip: { limit: 5, per: 1m }\n",
                        List.of("gateway.yaml:2: connections.auth_failure_per_ip")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCases")
    void problemsAreReportedAtTheirLine(String name, String yaml, List<String> expected) {
        write(dir, "gateway.yaml", yaml);
        assertThat(PolicyFixtures.problemKeys(dir, Map.of())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void typoSuggestsTheKey() {
        write(dir, "gateway.yaml", "connections:\n  auth_failure_per_ip: { limit: 5, per: 1m }\n");
        assertThat(PolicyFixtures.problems(dir, Map.of()).get(0).toString())
                .contains("did you mean auth_failures_per_ip?");
    }

    @Test
    void editorSchemaAgreesWithTheLoader() throws IOException {
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(Files.readString(ShippedPoliciesTest.SHIPPED.resolve("schema/gateway.schema.json")));
        for (String ok : List.of("{ limit: 30, per: 1m }", "{ limit: 0 }", "{ limit: 0, per: 5m }", "{ limit: \"${N}\", per: 1m }")) {
            assertThat(schema.validate("connections:\n  auth_failures_per_ip: " + ok + "\n", InputFormat.YAML)).as(ok).isEmpty();
        }
        for (String bad : List.of("{ limit: -1, per: 1m }", "{ limit: 5 }", "{ per: 1m }", "{ limit: 5, per: 60 }",
                "{ limit: 5, per: 1m, burst: 2 }", "30")) {
            assertThat(schema.validate("connections:\n  auth_failures_per_ip: " + bad + "\n", InputFormat.YAML)).as(bad).isNotEmpty();
        }
    }
}
