package io.wsgate.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.config.RouteConfig;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Policy;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.MemoryRevocationStore;
import io.wsgate.state.Revocation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tokens are compared by what they mean, not how they are spelled (policy-format.md): non-canonical base64url
 * is 401 before the cache and the signature, a revocation by token covers every signature of its header and
 * payload (ES256 high-s included), user and role values cannot smuggle header syntax, a future iat is invalid,
 * and the late-auth paths (first_message, CONNECT, refresh) apply the same rules.
 */
class TokenMeaningTest {
    static final long NOW = System.currentTimeMillis() / 1000;

    ConnectionRegistry registry;
    MemoryRevocationStore revocations;
    HandshakeGuard guard;
    RoutePolicy chat;
    RoutePolicy fm;
    Policy policy;
    List<String> closes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        registry = new ConnectionRegistry();
        revocations = new MemoryRevocationStore(registry);
        guard = new HandshakeGuard(registry, revocations, (r, ip) -> 0);
        var jwks = jwksFile();
        chat = compiled(route("/chat", auth(jwt(List.of("RS256", "ES256"), jwks))));
        fm = compiled(route("/fm", RouteConfig.Kind.JSON, auth(jwt(List.of("RS256", "ES256"), jwks),
                List.of("first_message:token"), List.of(), 0, RouteConfig.OnExcess.CLOSE_OLDEST), List.of(), false,
                List.of()));
        policy = AuthFixtures.policy(0, 0, chat, fm);
    }

    HandshakeDecision check(String token) {
        return guard.check(policy, req("/chat").bearer(token).build());
    }

    void assertInvalid(String token) {
        HandshakeDecision d = check(token);
        assertThat(d.status()).as(d.reason()).isEqualTo(401);
        assertThat(d.error()).isEqualTo("invalid_token");
        assertThat(d.responseHeaders()).containsEntry("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }

    /** An ES256 token whose header and payload lengths leave unused trailing bits (so they can be re-spelled). */
    static String es256WithTrailingBits(String sub) {
        for (int h = 0; h < 4; h++) {
            for (int p = 0; p < 4; p++) {
                JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                        .keyID(EC.getKeyID()).customParam("x", "h".repeat(h)).build();
                String t = sign(EC, header, claims(sub).claim("pad", "p".repeat(p)).build());
                String[] parts = t.split("\\.");
                if (parts[0].length() % 4 >= 2 && parts[1].length() % 4 >= 2 && parts[2].length() % 4 >= 2) {
                    return t;
                }
            }
        }
        throw new IllegalStateException("no length combination found");
    }

    static boolean nimbusVerifies(String token) throws Exception {
        return SignedJWT.parse(token).verify(new ECDSAVerifier(EC.toECPublicKey()));
    }

    Session open(Identity id) {
        Session s = new Session(registry.total() + 1, "10.0.0.1", "/chat", registry.total() + 1);
        s.identity(id);
        s.closer((code, reason) -> closes.add(id.subject() + ":" + code));
        registry.add(s);
        return s;
    }

    // ---- A. spelling

    @Test
    void canonicalFormRules() {
        String t = rs256("alice");
        assertThat(CompactJws.problem(t)).isNull();
        assertThat(CompactJws.problem("e30.e30.")).isNull(); // empty signature: canonical, refused later by Nimbus
        assertThat(CompactJws.problem(TokenSpellings.paddedSignature(t))).contains("part 3");
        assertThat(CompactJws.problem(TokenSpellings.trailingBits(t, 2))).contains("part 3");
        assertThat(CompactJws.problem("e30=.e30.AA")).contains("part 1");
        assertThat(CompactJws.problem("e30.e3+.AA")).contains("part 2"); // '+' is plain base64, not base64url
        assertThat(CompactJws.problem("e30.e3/.AA")).contains("part 2");
        assertThat(CompactJws.problem("e30.e30.AAAAA")).contains("part 3"); // length % 4 == 1
        assertThat(CompactJws.problem("e30.e30.A\u00e9")).contains("part 3");
        assertThat(CompactJws.problem("e30.e30.AA.AA")).contains("compact");
        assertThat(CompactJws.problem("e30.e30")).contains("compact");
        assertThat(CompactJws.revocationDigest(t)).isEqualTo(CompactJws.sha256Hex(t.substring(0, t.lastIndexOf('.'))));
        assertThatThrownBy(() -> CompactJws.revocationDigest(TokenSpellings.paddedSignature(t)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nonCanonicalSpellingsThatNimbusAcceptsAre401EvenAfterTheTokenWasCached() throws Exception {
        String t = es256WithTrailingBits("alice");
        assertThat(check(t).status()).isEqualTo(101); // now in the verified-token cache
        // The signature part is the dangerous one: Nimbus decodes it leniently and the signing input does not
        // cover it. Re-spelled header or payload text changes the signing input, but is refused all the same.
        for (String r : List.of(TokenSpellings.paddedSignature(t), TokenSpellings.trailingBits(t, 2))) {
            assertThat(nimbusVerifies(r)).as("Nimbus alone accepts %s", r).isTrue();
            assertInvalid(r);
        }
        assertInvalid(TokenSpellings.trailingBits(t, 0));
        assertInvalid(TokenSpellings.trailingBits(t, 1));
        String rsa = rs256("bob");
        assertThat(SignedJWT.parse(TokenSpellings.trailingBits(rsa, 2)).verify(new RSASSAVerifier(RSA.toRSAPublicKey())))
                .isTrue();
        assertInvalid(TokenSpellings.trailingBits(rsa, 2));
        assertInvalid(TokenSpellings.paddedSignature(rsa));
    }

    @Test
    void aTokenRevocationCoversEverySpellingAndTheHighSSignature() throws Exception {
        String t = es256WithTrailingBits("alice");
        String highS = TokenSpellings.highS(t);
        assertThat(highS).isNotEqualTo(t);
        assertThat(nimbusVerifies(highS)).as("(r, n-s) is a valid ES256 signature").isTrue();
        assertThat(RouteAuth.digest(highS)).isEqualTo(RouteAuth.digest(t));
        assertThat(check(highS).status()).isEqualTo(101);

        revocations.revoke(new Revocation(null, null, RouteAuth.digest(t), NOW, NOW + 3600));
        assertThat(check(t).status()).isEqualTo(403);
        assertThat(check(highS).status()).as("high-s form, not in the cache, verified, revoked").isEqualTo(403);
        assertInvalid(TokenSpellings.paddedSignature(t));
        assertInvalid(TokenSpellings.trailingBits(t, 2));
        assertInvalid(TokenSpellings.paddedSignature(highS));
        // another token of the same user is not touched
        assertThat(check(sign(EC, JWSAlgorithm.ES256, claims("alice").build())).status()).isEqualTo(101);
    }

    @Test
    void aTokenRevocationClosesSocketsWhicheverSignatureTheyConnectedWith() throws Exception {
        String t = sign(EC, JWSAlgorithm.ES256, claims("carol").build());
        open(chat.auth().verify(TokenSpellings.highS(t)));
        open(chat.auth().verify(t));
        open(chat.auth().verify(sign(EC, JWSAlgorithm.ES256, claims("carol").build())));
        assertThat(revocations.revoke(new Revocation(null, null, RouteAuth.digest(TokenSpellings.highS(t)), NOW,
                NOW + 3600))).isEqualTo(2);
        assertThat(closes).containsExactly("carol:4401", "carol:4401");
    }

    // ---- B. user and role values

    @Test
    void userAndRoleValuesThatWouldChangeForwardedHeadersAre401() {
        for (Object roles : List.of(List.of("user,admin"), List.of("a b"), List.of("x\ny"), List.of("user", "a\tb"),
                "x\ny", "user,admin", "user\radmin", List.of("r\u2028s"), List.of("nb\u00a0sp"), List.of("nul\u0000"))) {
            assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").claim("roles", roles).build()));
        }
        for (String user : List.of("ali\r\nce", "ali\nce", "a,b", "a b", "tab\t", "del\u007f", "nel\u0085")) {
            assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims(user).build()));
        }
    }

    @Test
    void aSpaceSeparatedRolesStringIsSeveralRoles() {
        HandshakeDecision d = check(sign(RSA, JWSAlgorithm.RS256, claims("alice").claim("roles", " user  admin ").build()));
        assertThat(d.status()).isEqualTo(101);
        assertThat(d.identity().roles()).containsExactly("user", "admin");
        assertThat(d.upstreamHeaders()).contains(Map.entry("X-User-Roles", "user,admin"), Map.entry("X-User-Id", "alice"));
    }

    // ---- C. iat

    @Test
    void iatLaterThanNowPlusSkewIsInvalid() {
        long now = System.currentTimeMillis();
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").issueTime(new Date(now + 600_000)).build()));
        assertInvalid(sign(RSA, JWSAlgorithm.RS256, claims("alice").issueTime(new Date(now + 45_000)).build()));
        // within clock_skew (30 s)
        assertThat(check(sign(RSA, JWSAlgorithm.RS256, claims("alice").issueTime(new Date(now + 10_000)).build()))
                .status()).isEqualTo(101);
    }

    @Test
    void aSubRevocationRefusesTokensWithoutIatAndSparesLaterLogins() {
        String noIat = sign(RSA, JWSAlgorithm.RS256, claims("dora").issueTime(null).build());
        assertThat(check(noIat).status()).isEqualTo(101);
        revocations.revoke(new Revocation(null, "dora", null, NOW - 5, NOW + 3600));
        assertThat(check(noIat).status()).isEqualTo(403);
        assertThat(check(rs256("dora")).status()).as("issued after the revocation").isEqualTo(101);
    }

    // ---- D. late auth and refresh

    @Test
    void lateAuthAndRefreshApplyTheSameRules() throws Exception {
        Session s = new Session(99, "10.0.0.1", "/fm", 1);
        registry.add(s);
        String t = es256WithTrailingBits("erin");
        assertThat(guard.authenticateLate(fm, s, TokenSpellings.paddedSignature(t)).outcome())
                .isEqualTo(LateAuthResult.Outcome.INVALID);
        assertThat(guard.authenticateLate(fm, s, TokenSpellings.trailingBits(t, 1)).outcome())
                .isEqualTo(LateAuthResult.Outcome.INVALID);
        assertThat(guard.authenticateLate(fm, s, sign(EC, JWSAlgorithm.ES256, claims("erin")
                .claim("roles", List.of("user,admin")).build())).outcome()).isEqualTo(LateAuthResult.Outcome.INVALID);
        assertThat(guard.authenticateLate(fm, s, sign(EC, JWSAlgorithm.ES256, claims("erin")
                .issueTime(new Date(System.currentTimeMillis() + 600_000)).build())).outcome())
                .isEqualTo(LateAuthResult.Outcome.INVALID);
        assertThat(s.identity()).isNull();
        assertThat(guard.authenticateLate(fm, s, t).ok()).isTrue();

        // refresh: re-spelled, role smuggling, and the high-s form of a revoked token are all refused
        String next = sign(EC, JWSAlgorithm.ES256, claims("erin").build());
        revocations.revoke(new Revocation(null, null, RouteAuth.digest(next), NOW, NOW + 3600));
        assertThat(guard.refresh(fm, s, TokenSpellings.highS(next)).outcome()).isEqualTo(LateAuthResult.Outcome.REVOKED);
        assertThat(guard.refresh(fm, s, TokenSpellings.paddedSignature(t)).outcome())
                .isEqualTo(LateAuthResult.Outcome.INVALID);
        assertThat(guard.refresh(fm, s, sign(EC, JWSAlgorithm.ES256, claims("erin").claim("roles", "user\nadmin")
                .build())).outcome()).isEqualTo(LateAuthResult.Outcome.INVALID);
        assertThat(guard.refresh(fm, s, sign(EC, JWSAlgorithm.ES256, claims("erin").build())).ok()).isTrue();
    }
}
