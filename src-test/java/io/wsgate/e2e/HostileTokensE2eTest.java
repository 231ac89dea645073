package io.wsgate.e2e;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 3, hostile tokens through the whole gateway: every one is refused at the handshake with 401 and
 * {@code WWW-Authenticate: Bearer error="invalid_token"}, the token is not echoed, and the upstream never sees
 * a TCP connection. A valid control token over the same route is accepted, so the refusals are not an artefact.
 */
class HostileTokensE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;
    /** jku / x5u point here: a fetch would show up as an accepted connection. */
    static ServerSocket trap;

    @BeforeAll
    static void start() throws Exception {
        trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        e2e = E2e.start(dir, "chat.yaml", E2e.jsonRoute("/chat", "RS256, ES256, EdDSA", ""),
                "hs.yaml", """
                        route:
                          path: /hs
                          upstream: { targets: ["${UP}/echo"] }
                        protocol: { kind: json, event: type }
                        auth:
                          jwt: { algorithms: [HS256], hmac_secret_env: TEST_HMAC_SECRET, issuer: %s, audience: %s, clock_skew: 1s }
                        """.formatted(ISS, AUD));
    }

    @AfterAll
    static void stop() throws Exception {
        if (e2e != null) {
            e2e.close();
        }
        trap.close();
    }

    static Stream<Arguments> hostile() {
        URI elsewhere = URI.create("http://127.0.0.1:" + trap.getLocalPort() + "/jwks.json");
        long now = System.currentTimeMillis();
        return Stream.of(
                t("alg none", () -> new PlainJWT(claims("alice").build()).serialize()),
                t("HS256 with the RSA public key as secret", () -> {
                    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                            claims("alice").build());
                    jwt.sign(new MACSigner(RSA.toRSAPublicKey().getEncoded()));
                    return jwt.serialize();
                }),
                t("tampered payload", () -> {
                    String[] parts = E2e.token("RS256", "alice").split("\\.");
                    return parts[0] + "." + Base64URL.encode(claims("alice").claim("roles", List.of("admin")).build()
                            .toString()) + "." + parts[2];
                }),
                t("kid path traversal", () -> sign(ATTACKER,
                        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("../../../../etc/passwd").build(),
                        claims("alice").build())),
                t("jku elsewhere", () -> sign(ATTACKER, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("evil")
                        .jwkURL(elsewhere).build(), claims("alice").build())),
                t("x5u elsewhere", () -> sign(ATTACKER, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                        .x509CertURL(elsewhere).build(), claims("alice").build())),
                t("embedded jwk with the attacker's key", () -> sign(ATTACKER,
                        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").jwk(ATTACKER.toPublicJWK()).build(),
                        claims("alice").build())),
                t("expired", () -> E2e.token("RS256", claims("alice").issueTime(new Date(now - 7_200_000))
                        .expirationTime(new Date(now - 120_000)).build())),
                t("nbf in the future beyond skew", () -> E2e.token("ES256", claims("alice")
                        .notBeforeTime(new Date(now + 600_000)).build())),
                t("wrong iss", () -> E2e.token("RS256", claims("alice").issuer("https://evil.example").build())),
                t("wrong aud", () -> E2e.token("EdDSA", claims("alice").audience("admin").build())),
                t("no exp", () -> E2e.token("RS256", claims("alice").expirationTime(null).build())),
                t("oversize (beyond max_token_bytes 8192)", () -> E2e.token("RS256", claims("alice")
                        .claim("pad", "x".repeat(9000)).build())),
                t("unknown crit", () -> sign(RSA, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                        .type(JOSEObjectType.JWT).criticalParams(Set.of("x-wsgate-test"))
                        .customParam("x-wsgate-test", true).build(), claims("alice").build())),
                t("JWE", () -> {
                    EncryptedJWT jwe = new EncryptedJWT(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM),
                            claims("alice").build());
                    jwe.encrypt(new RSAEncrypter(RSA.toRSAPublicKey()));
                    return jwe.serialize();
                }),
                t("garbage", () -> "garbage"),
                t("garbage three parts", () -> "eyJhbGciOiJSUzI1NiJ9.%%%%.AAAA"),
                t("algorithm not listed (PS256)", () -> sign(RSA, JWSAlgorithm.PS256, claims("alice").build())),
                t("signed by the attacker with the real kid", () -> sign(ATTACKER, JWSAlgorithm.RS256,
                        claims("alice").build())));
    }

    interface TokenMaker {
        String make() throws Exception;
    }

    static Arguments t(String name, TokenMaker maker) {
        Supplier<String> s = () -> {
            try {
                return maker.make();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        return Arguments.of(name, s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void refusedWith401AndNoUpstreamConnection(String name, Supplier<String> maker) {
        String token = maker.get();
        int before = e2e.upstream.accepted();
        WsTestClient.Refused r = e2e.refused(WsTestClient.to(e2e.ws("/chat")).header("Authorization", "Bearer " + token), 401);
        assertThat(r.headers.get("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
        assertThat(r.body).startsWith("{\"error\":\"invalid_token\"").doesNotContain(token);
        assertThat(e2e.upstream.accepted()).as("upstream TCP connections").isEqualTo(before);
    }

    @Test
    void hostileTokensInOtherSourcesAreRefusedToo() {
        int before = e2e.upstream.accepted();
        e2e.refused(WsTestClient.to(e2e.ws("/chat?access_token=" + new PlainJWT(claims("alice").build()).serialize())), 401);
        e2e.refused(WsTestClient.to(e2e.ws("/hs?access_token=" + E2e.token("RS256", "alice"))), 401);
        String forged = sign(ATTACKER, JWSAlgorithm.RS256, claims("alice").build());
        WsTestClient.Refused sp = e2e.refused(WsTestClient.to(e2e.ws("/chat")).subprotocols("bearer, " + forged), 401);
        assertThat(sp.headers.get("Sec-WebSocket-Protocol")).isNull();
        assertThat(sp.body).doesNotContain(forged);
        e2e.refused(WsTestClient.to(e2e.ws("/chat")).header("Cookie", "access_token=" + forged), 401);
        assertThat(e2e.upstream.accepted()).isEqualTo(before);
    }

    @Test
    void missingTokenIs401WithPlainBearerChallenge() {
        int before = e2e.upstream.accepted();
        WsTestClient.Refused r = e2e.refused(WsTestClient.to(e2e.ws("/chat")), 401);
        assertThat(r.headers.get("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(e2e.upstream.accepted()).isEqualTo(before);
    }

    @Test
    void controlTokenIsAcceptedOnTheSameRoute() throws Exception {
        try (WsTestClient c = e2e.connect("/chat", E2e.token("RS256", "alice"))) {
            E2e.assertEchoes(c, "{\"type\":\"ping\"}");
        }
    }

    @Test
    void jkuAndX5uWereNeverFetched() throws Exception {
        e2e.refused(WsTestClient.to(e2e.ws("/chat")).header("Authorization", "Bearer " + sign(ATTACKER,
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("evil").jwkURL(URI.create("http://127.0.0.1:"
                        + trap.getLocalPort() + "/k")).build(), claims("alice").build())), 401);
        trap.setSoTimeout(300);
        assertThatThrownBy(trap::accept).isInstanceOf(SocketTimeoutException.class);
    }
}
