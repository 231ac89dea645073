package io.wsgate.auth;

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
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.Policy;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.MemoryRevocationStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.Date;
import java.util.List;
import java.util.Set;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every hostile token is refused by the guard with 401 and {@code WWW-Authenticate: Bearer error="invalid_token"}. */
class HostileTokenTest {
    static Policy policy;
    static HandshakeGuard guard;

    @BeforeAll
    static void setUp() {
        policy = policy(0, 0, compiled(route("/chat", auth(jwt(List.of("RS256", "ES256"), jwksFile())))));
        ConnectionRegistry reg = new ConnectionRegistry();
        guard = new HandshakeGuard(reg, new MemoryRevocationStore(reg), (r, ip) -> 0);
    }

    static void assertInvalid(String token) {
        HandshakeDecision d = guard.check(policy, req("/chat").bearer(token).build());
        assertThat(d.status()).as(d.reason()).isEqualTo(401);
        assertThat(d.responseHeaders()).containsEntry("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        assertThat(d.error()).isEqualTo("invalid_token");
        assertThat(d.reason()).doesNotContain(token);
        assertThat(d.identity()).isNull();
    }

    @Test
    void validControlTokenIsAccepted() {
        assertThat(guard.check(policy, req("/chat").bearer(rs256("alice")).build()).status()).isEqualTo(101);
    }

    @Test
    void algNone() {
        assertInvalid(new PlainJWT(claims("alice").build()).serialize());
    }

    @Test
    void hs256SignedWithTheRsaPublicKeyAsSecret() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims("alice").build());
        jwt.sign(new MACSigner(RSA.toRSAPublicKey().getEncoded()));
        assertInvalid(jwt.serialize());
    }

    @Test
    void tamperedPayload() {
        String[] parts = rs256("alice").split("\\.");
        String evil = Base64URL.encode(claims("alice").claim("roles", List.of("admin")).build().toString()).toString();
        assertInvalid(parts[0] + "." + evil + "." + parts[2]);
    }

    @Test
    void kidPathTraversal() {
        JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("../../etc/passwd").build();
        assertInvalid(sign(RSA, h, claims("alice").build()));
        assertInvalid(sign(ATTACKER, h, claims("alice").build()));
    }

    @Test
    void jkuAndX5uAreNeverFetched() throws Exception {
        try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            URI where = URI.create("http://127.0.0.1:" + trap.getLocalPort() + "/jwks.json");
            JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker-kid").jwkURL(where)
                    .x509CertURL(where).build();
            assertInvalid(sign(ATTACKER, h, claims("alice").build()));
            // Same kid as the real key, attacker's signature: still no fetch, still invalid.
            JWSHeader h2 = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").jwkURL(where).build();
            assertInvalid(sign(ATTACKER, h2, claims("alice").build()));
            trap.setSoTimeout(300);
            assertThatThrownBy(trap::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void embeddedJwkWithTheAttackersKey() {
        JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").jwk(ATTACKER.toPublicJWK()).build();
        assertInvalid(sign(ATTACKER, h, claims("alice").build()));
    }

    @Test
    void expired() {
        long now = System.currentTimeMillis();
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").issueTime(new Date(now - 7_200_000))
                .expirationTime(new Date(now - 120_000)).build()));
    }

    @Test
    void notBeforeInTheFutureBeyondSkew() {
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice")
                .notBeforeTime(new Date(System.currentTimeMillis() + 600_000)).build()));
    }

    @Test
    void notBeforeWithinSkewIsAccepted() {
        String t = sign(RSA, JWSAlgorithm.RS256, claims("alice")
                .notBeforeTime(new Date(System.currentTimeMillis() + 10_000)).build());
        assertThat(guard.check(policy, req("/chat").bearer(t).build()).status()).isEqualTo(101);
    }

    @Test
    void wrongIssuer() {
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").issuer("https://evil.example").build()));
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").issuer(ISS + " ").build()));
    }

    @Test
    void wrongAudience() {
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").audience("admin").build()));
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").audience((String) null).build()));
    }

    @Test
    void noExp() {
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").expirationTime(null).build()));
    }

    @Test
    void oversizeToken() {
        String big = sign(RSA, JWSAlgorithm.RS256, claims("alice").claim("pad", "x".repeat(9000)).build());
        assertThat(big.length()).isGreaterThan(8192);
        assertInvalid(big);
        HandshakeDecision d = guard.check(policy, req("/chat").bearer(big).build());
        assertThat(d.reason()).contains("longer than 8192");
    }

    @Test
    void unknownCriticalHeader() {
        JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").type(JOSEObjectType.JWT)
                .criticalParams(Set.of("x-wsgate-test")).customParam("x-wsgate-test", true).build();
        assertInvalid(sign(RSA, h, claims("alice").build()));
    }

    @Test
    void jwe() throws Exception {
        EncryptedJWT jwe = new EncryptedJWT(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM),
                claims("alice").build());
        jwe.encrypt(new RSAEncrypter(RSA.toRSAPublicKey()));
        assertInvalid(jwe.serialize());
    }

    @Test
    void garbage() {
        assertInvalid("garbage");
        assertInvalid("a.b.c");
        assertInvalid("eyJhbGciOiJSUzI1NiJ9.%%%%.AAAA");
        assertInvalid("....");
    }

    @Test
    void algorithmNotListedForTheRoute() {
        // EdDSA key is in the JWKS, but the route only allows RS256 and ES256.
        assertInvalid(sign(OKP, JWSAlgorithm.EdDSA, claims("alice").build()));
        assertInvalid(sign(RSA, JWSAlgorithm.PS256, claims("alice").build()));
    }

    @Test
    void userClaimMissing() {
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").subject(null).build()));
    }

    @Test
    void claimsAreNotLeakedIntoTheDecisionWhenInvalid() throws IOException {
        String t = sign(ATTACKER, JWSAlgorithm.RS256, claims("mallory").build());
        HandshakeDecision d = guard.check(policy, req("/chat").bearer(t).build());
        assertThat(d.reason()).doesNotContain("mallory");
        assertThat(d.upstreamHeaders()).isEmpty();
    }
}
