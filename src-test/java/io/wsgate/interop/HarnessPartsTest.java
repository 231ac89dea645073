package io.wsgate.interop;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.cli.CheckCommand;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Date;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway-side parts of the harness that can be checked before the gateway runs. */
@Tag("interop")
class HarnessPartsTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @Test
    void tokensVerifyWithTheSecretOnly() throws Exception {
        TestTokens t = TestTokens.random();
        MACVerifier verifier = new MACVerifier(t.secret().getBytes(StandardCharsets.UTF_8));

        SignedJWT good = SignedJWT.parse(t.token("alice", "user"));
        assertThat(good.verify(verifier)).isTrue();
        assertThat(good.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        assertThat(good.getJWTClaimsSet().getStringListClaim("roles")).containsExactly("user");
        assertThat(good.getJWTClaimsSet().getAudience()).containsExactly(TestTokens.AUDIENCE);
        assertThat(SignedJWT.parse(t.badSignature("alice", "user")).verify(verifier)).isFalse();
        assertThat(SignedJWT.parse(t.expired("alice")).getJWTClaimsSet().getExpirationTime()).isBefore(new Date());
    }

    @Test
    void policiesAreYamlWithTheContractKeys() {
        JsonNode gw = YAML.readTree(InteropPolicies.gateway(8080, 9090));
        assertThat(gw.path("listen").path("port").asInt()).isEqualTo(8080);
        assertThat(gw.path("listen").path("host").asString()).isEqualTo("127.0.0.1");

        JsonNode sio = YAML.readTree(InteropPolicies.socketIo(3000));
        assertThat(sio.path("route").path("upstream").path("targets").get(0).asString()).isEqualTo("ws://127.0.0.1:3000/socket.io/");
        assertThat(sio.path("auth").path("jwt").path("hmac_secret_env").asString()).isEqualTo(TestTokens.SECRET_ENV);
        assertThat(sio.path("auth").path("token_from").get(0).asString()).isEqualTo("socketio_auth:token");
        assertThat(sio.path("protocol").path("namespaces").path("/admin").path("roles").get(0).asString()).isEqualTo("admin");
        assertThat(sio.path("events").path("rules").path("send-message").path("sanitize").path("[0].message").asString()).isEqualTo("text");

        JsonNode json = YAML.readTree(InteropPolicies.wsJson(9000));
        assertThat(json.path("protocol").path("event").asString()).isEqualTo("type");
        assertThat(json.path("forward").path("headers").path("user").asString()).isEqualTo("X-User-Id");
        assertThat(json.path("events").path("rules").path("admin-kick").path("roles").get(0).asString()).isEqualTo("admin");
    }

    @Test
    void interopPoliciesPassWsgateCheck() {
        TestTokens t = TestTokens.random();
        Path dir = WsgateProcess.writePolicies(InteropPolicies.gateway(8080, 9090),
                Map.of("socketio.yaml", InteropPolicies.socketIo(3000), "chat.yaml", InteropPolicies.wsJson(3001),
                        "chat-login.yaml", InteropPolicies.wsJsonFirstMessage(3001)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CheckCommand(Map.of(TestTokens.SECRET_ENV, t.secret(),
                InteropPolicies.ADMIN_TOKEN_ENV, "admin-token-for-check-0123456789abcdef")::get));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));

        assertThat(cl.execute(dir.toString())).as(err.toString()).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString().lines().toList()).as(out.toString()).last().isEqualTo(dir + ": ok, 3 routes, 9 warnings");
        // the only warnings: no route limits rates (interop runs must not be throttled), and the sanitized fields
        // of the two chat events have no schema to check their paths against
        assertThat(out.toString().lines().filter(l -> l.contains(": warning: "))).hasSize(9)
                .allSatisfy(l -> assertThat(l).satisfiesAnyOf(
                        w -> assertThat(w).contains("rate_limits: warning"),
                        w -> assertThat(w).contains("message: warning: the rule has no schema")));
    }

    @Test
    void aGatewayThatCannotServeFailsWithItsOutput() {
        Path empty = WsgateProcess.writePolicies("listen: { host: 127.0.0.1, port: 1 }\n", Map.of("broken.yaml", "route: [\n"));
        assertThatThrownBy(() -> WsgateProcess.start(empty, WsgateProcess.freePort(), Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wsgate exited with");
    }
}
