package io.wsgate.cli;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.auth.AuthFixtures;
import io.wsgate.auth.RouteAuth;
import io.wsgate.config.RouteConfig;
import io.wsgate.policy.Identity;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCommandTest {
    static final Path PROJECT = Path.of(System.getProperty("wsgate.projectDir", "."));

    static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new TokenCommand()).execute(args);
            assertThat(code).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8).trim();
    }

    @Test
    void devKeyTokenVerifiesAgainstTheShippedDevJwks() throws Exception {
        Path priv = PROJECT.resolve("policies/keys/dev-private-jwk.json");
        Path jwks = PROJECT.resolve("policies/keys/dev-jwks.json");
        String token = run("--key", priv.toString(), "--sub", "alice", "--roles", "user,admin", "--ttl", "10m",
                "--iss", "wsgate-dev", "--aud", "chat");
        assertThat(JWKSet.load(jwks.toFile()).getKeys()).allMatch(k -> !k.isPrivate());
        RouteConfig.Jwt jwt = new RouteConfig.Jwt(List.of("RS256"), jwks, null, null, "wsgate-dev", "chat",
                Duration.ofSeconds(30), "sub", "roles", 8192);
        RouteAuth auth = RouteAuth.compile(AuthFixtures.route("/chat", AuthFixtures.auth(jwt)));
        Identity id = auth.verify(token);
        assertThat(id.subject()).isEqualTo("alice");
        assertThat(id.roles()).containsExactly("user", "admin");
        assertThat(id.expiresAt() - id.issuedAt()).isEqualTo(600);
        assertThat(id.jti()).isNotBlank();
        assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo("wsgate-dev-1");
    }

    @Test
    void algorithmFollowsTheKeyType() throws Exception {
        Instant now = Instant.now();
        List<JWK> keys = List.of(new RSAKeyGenerator(2048).generate(), new ECKeyGenerator(Curve.P_256).generate(),
                new OctetKeyPairGenerator(Curve.Ed25519).generate(), new OctetSequenceKeyGenerator(256).generate());
        List<String> algs = List.of("RS256", "ES256", "EdDSA", "HS256");
        for (int i = 0; i < keys.size(); i++) {
            String t = TokenCommand.mint(keys.get(i), "bob", null, Duration.ofMinutes(5), null, null, "k" + i, now);
            SignedJWT jwt = SignedJWT.parse(t);
            assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo(algs.get(i));
            assertThat(jwt.getHeader().getKeyID()).isEqualTo("k" + i);
            assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("bob");
        }
        assertThatThrownBy(() -> TokenCommand.mint(keys.get(0).toPublicJWK(), "bob", null, Duration.ofMinutes(5),
                null, null, null, now)).hasMessageContaining("private");
    }

    @Test
    void ttlParsing() throws Exception {
        assertThat(TokenCommand.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(TokenCommand.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(TokenCommand.parseDuration("2h30m")).as("the policy grammar").isEqualTo(Duration.ofMinutes(150));
        assertThatThrownBy(() -> TokenCommand.parseDuration("0s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenCommand.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class);
        Path f = Files.createTempFile("not-a-jwk", ".json");
        Files.writeString(f, "{}");
        assertThat(new CommandLine(new TokenCommand()).execute("--key", f.toString(), "--sub", "x")).isEqualTo(1);
    }
}
