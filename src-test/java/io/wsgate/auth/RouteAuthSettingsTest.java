package io.wsgate.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.wsgate.config.InvalidSettingException;
import io.wsgate.config.RouteConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RouteAuthSettingsTest {

    static RouteAuth hmacRoute(String alg, String secret) {
        return RouteAuth.compile(route("/h", auth(hmacJwt(List.of(alg)))), n -> HMAC_ENV.equals(n) ? secret : null);
    }

    @ParameterizedTest(name = "{0} needs {1} bytes")
    @CsvSource({"HS256, 32", "HS384, 48", "HS512, 64"})
    void hmacSecretLengthPerAlgorithm(String alg, int need) throws Exception {
        assertThatThrownBy(() -> hmacRoute(alg, "k".repeat(need - 1)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(need + "")
                .extracting(e -> ((InvalidSettingException) e).keyPath()).isEqualTo("auth.jwt.hmac_secret_env");
        String secret = "k".repeat(need);
        RouteAuth auth = hmacRoute(alg, secret);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.parse(alg)), claims("alice").build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        assertThat(auth.verify(jwt.serialize()).subject()).isEqualTo("alice");
        // multi-byte characters count as their UTF-8 bytes
        assertThatCode(() -> hmacRoute(alg, "é".repeat(need / 2))).doesNotThrowAnyException();
    }

    @Test
    void hmacEnvUnset() {
        assertThatThrownBy(() -> hmacRoute("HS256", null))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining(HMAC_ENV + " is not set");
    }

    static String keyPathOf(RouteConfig.Jwt jwt) {
        try {
            RouteAuth.compile(route("/x", auth(jwt)), ENV);
            return null;
        } catch (InvalidSettingException e) {
            return e.keyPath();
        }
    }

    @Test
    void badSettingsNameTheirKey() {
        Path jwks = jwksFile();
        assertThat(keyPathOf(jwt(List.of("none"), jwks))).isEqualTo("auth.jwt.algorithms");
        assertThat(keyPathOf(jwt(List.of("RS1"), jwks))).isEqualTo("auth.jwt.algorithms");
        assertThat(keyPathOf(jwt(List.of(), jwks))).isEqualTo("auth.jwt.algorithms");
        assertThat(keyPathOf(jwt(List.of("RS256", "HS256"), jwks))).isEqualTo("auth.jwt.algorithms");
        assertThat(keyPathOf(jwt(List.of("HS256"), jwks))).isEqualTo("auth.jwt.algorithms");
        assertThat(keyPathOf(hmacJwt(List.of("RS256")))).isEqualTo("auth.jwt.algorithms");
        assertThat(keyPathOf(jwt(List.of("RS256"), jwks.resolveSibling("missing.json")))).isEqualTo("auth.jwt.jwks_file");
        assertThat(keyPathOf(new RouteConfig.Jwt(List.of("RS256"), null, "ftp://x/jwks", null, ISS, AUD,
                Duration.ofSeconds(30), "sub", "roles", 8192))).isEqualTo("auth.jwt.jwks_url");
        assertThat(keyPathOf(new RouteConfig.Jwt(List.of("RS256"), jwks, "https://x/jwks", null, ISS, AUD,
                Duration.ofSeconds(30), "sub", "roles", 8192))).isEqualTo("auth.jwt");
        assertThatThrownBy(() -> RouteAuth.compile(route("/x", auth(jwt(List.of("RS256"), jwks), List.of("header", "carrier:pigeon"),
                List.of(), 0, RouteConfig.OnExcess.REJECT)), ENV))
                .isInstanceOf(InvalidSettingException.class).extracting(e -> ((InvalidSettingException) e).keyPath())
                .isEqualTo("auth.token_from[1]");
        assertThatThrownBy(() -> RouteAuth.compile(route("/x", auth(jwt(List.of("RS256"), jwks), List.of("socketio_auth:token"),
                List.of(), 0, RouteConfig.OnExcess.REJECT)), ENV))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("socketio");
    }

    @Test
    void jwksFileWithPrivateKeysOnlyUsesThePublicHalves() throws Exception {
        Path f = Files.createTempDirectory("wsgate-auth").resolve("private.json");
        Files.writeString(f, new JWKSet(RSA).toString(false));
        RouteAuth auth = RouteAuth.compile(route("/p", auth(jwt(List.of("RS256"), f))), ENV);
        assertThat(auth.verify(rs256("alice")).subject()).isEqualTo("alice");
    }

    @Test
    void verifiedTokensAreCachedAndNeverServedPastExp() throws Exception {
        RouteConfig.Jwt noSkew = new RouteConfig.Jwt(List.of("RS256"), jwksFile(), null, null, ISS, AUD,
                Duration.ZERO, "sub", "roles", 8192);
        RouteAuth auth = RouteAuth.compile(route("/c", auth(noSkew)), ENV);
        long now = System.currentTimeMillis();
        String shortLived = sign(RSA, JWSAlgorithm.RS256, claims("alice").expirationTime(new Date(now + 2000)).build());
        String longLived = rs256("bob");
        assertThat(auth.verify(shortLived).subject()).isEqualTo("alice");
        assertThat(auth.verify(longLived).subject()).isEqualTo("bob");
        assertThat(auth.verify(shortLived)).isSameAs(auth.verify(shortLived));
        assertThat(auth.cachedTokens()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThatThrownBy(() -> auth.verify(shortLived)).isInstanceOf(TokenException.class));
        assertThat(auth.verify(longLived).subject()).isEqualTo("bob");
        assertThat(auth.cachedTokens()).isEqualTo(1);
    }

    @Test
    void jwksUrlIsPrefetchedAndRotatedKeysArriveInTheBackground() throws Exception {
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        AtomicReference<String> body = new AtomicReference<>(new JWKSet(RSA.toPublicJWK()).toString(true));
        AtomicInteger fetches = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks.json", ex -> {
            fetches.incrementAndGet();
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
            RouteAuth auth = RouteAuth.compile(route("/u", auth(new RouteConfig.Jwt(List.of("RS256"), null, url, null,
                    ISS, AUD, Duration.ofSeconds(30), "sub", "roles", 8192))), ENV);
            assertThat(fetches.get()).isEqualTo(1);
            assertThat(auth.verify(rs256("alice")).subject()).isEqualTo("alice");
            assertThat(fetches.get()).as("cached, no fetch per token").isEqualTo(1);
            // the IdP rotates: a token with the new kid is refused at first (no blocking fetch), then accepted
            body.set(new JWKSet(List.of(RSA.toPublicJWK(), next.toPublicJWK())).toString(true));
            String rotated = sign(next, JWSAlgorithm.RS256, claims("carol").build());
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> auth.verify(rotated)).isInstanceOf(TokenException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(auth.verify(rotated).subject()).isEqualTo("carol"));
            // an attacker's kid causes at most a rate-limited refresh, never acceptance
            for (int i = 0; i < 20; i++) {
                String forged = sign(ATTACKER, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("evil-" + i).build(),
                        claims("mallory").build());
                assertThatThrownBy(() -> auth.verify(forged)).isInstanceOf(TokenException.class);
            }
            Thread.sleep(300);
            assertThat(fetches.get()).isLessThanOrEqualTo(4);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void unreachableJwksUrlDoesNotFailTheLoadButRefusesTokens() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RouteAuth auth = RouteAuth.compile(route("/u", auth(new RouteConfig.Jwt(List.of("RS256"), null,
                "http://127.0.0.1:" + port + "/jwks.json", null, ISS, AUD, Duration.ofSeconds(30), "sub", "roles", 8192))), ENV);
        assertThatThrownBy(() -> auth.verify(rs256("alice"))).isInstanceOf(TokenException.class);
    }

    @Test
    void publicRouteCompilesToNull() {
        assertThat(RouteAuth.compile(route("/pub", null), ENV)).isNull();
        RouteConfig.Auth optional = new RouteConfig.Auth(false, null, List.of("header"), Duration.ofSeconds(5), List.of(),
                true, null, 0, RouteConfig.OnExcess.CLOSE_OLDEST);
        assertThat(RouteAuth.compile(route("/opt", optional), ENV)).isNull();
    }

    @Test
    void identityFields() throws Exception {
        RouteAuth auth = RouteAuth.compile(route("/i", auth(jwt(List.of("ES256"), jwksFile()))), ENV);
        var c = claims("dave").claim("roles", List.of("user", "admin")).jwtID("jti-42").build();
        String t = sign(EC, JWSAlgorithm.ES256, c);
        var id = auth.verify(t);
        assertThat(id.subject()).isEqualTo("dave");
        assertThat(id.roles()).containsExactly("user", "admin");
        assertThat(id.jti()).isEqualTo("jti-42");
        assertThat(id.issuedAt()).isEqualTo(c.getIssueTime().getTime() / 1000);
        assertThat(id.expiresAt()).isEqualTo(c.getExpirationTime().getTime() / 1000);
        assertThat(id.tokenDigest()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(t.substring(0, t.lastIndexOf('.'))
                        .getBytes(StandardCharsets.UTF_8))));
        assertThat(Map.of("k", id.tokenDigest()).toString()).doesNotContain(t);
    }
}
