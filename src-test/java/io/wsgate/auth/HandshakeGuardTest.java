package io.wsgate.auth;

import com.nimbusds.jose.JWSAlgorithm;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class HandshakeGuardTest {
    static final long NOW = System.currentTimeMillis() / 1000;

    ConnectionRegistry registry;
    MemoryRevocationStore revocations;
    AtomicLong rateWaitMs;
    HandshakeGuard guard;
    RoutePolicy chat;
    RoutePolicy admin;
    RoutePolicy capped;
    RoutePolicy strict;
    RoutePolicy pub;
    RoutePolicy fm;
    AtomicInteger ids = new AtomicInteger();
    List<String> closes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        registry = new ConnectionRegistry();
        revocations = new MemoryRevocationStore(registry);
        rateWaitMs = new AtomicLong();
        guard = new HandshakeGuard(registry, revocations, (r, ip) -> rateWaitMs.get());
        var jwks = jwksFile();
        chat = compiled(route("/chat", RouteConfig.Kind.JSON, auth(jwt(List.of("RS256"), jwks)),
                List.of("https://app.example"), false, List.of()));
        admin = compiled(route("/admin", auth(jwt(List.of("RS256"), jwks), DEFAULT_SOURCES, List.of("admin"), 0,
                RouteConfig.OnExcess.REJECT)));
        capped = compiled(route("/capped", auth(jwt(List.of("RS256"), jwks), DEFAULT_SOURCES, List.of(), 2,
                RouteConfig.OnExcess.CLOSE_OLDEST)));
        strict = compiled(route("/strict", auth(jwt(List.of("RS256"), jwks), DEFAULT_SOURCES, List.of(), 1,
                RouteConfig.OnExcess.REJECT)));
        pub = compiled(route("/public/", RouteConfig.Kind.RAW, null, List.of("https://app.example"), true, List.of()));
        fm = compiled(route("/fm", RouteConfig.Kind.JSON, auth(jwt(List.of("RS256"), jwks), List.of("first_message:token"),
                List.of("user"), 1, RouteConfig.OnExcess.REJECT), List.of(), false, List.of()));
    }

    Policy policy(int maxTotal, int maxPerIp) {
        return AuthFixtures.policy(maxTotal, maxPerIp, chat, admin, capped, strict, pub, fm);
    }

    HandshakeDecision check(AuthFixtures.Req r) {
        return guard.check(policy(0, 0), r.build());
    }

    Session open(String routePath, String ip, Identity id, long since) {
        Session s = new Session(ids.incrementAndGet(), ip, routePath, since);
        s.identity(id);
        s.closer((code, reason) -> closes.add(s.id() + ":" + code));
        registry.add(s);
        return s;
    }

    Identity verify(RoutePolicy r, String token) throws TokenException {
        return r.auth().verify(token);
    }

    @Test
    void badPaths400() {
        for (String p : List.of("/chat/../admin", "/public/..", "/public/a%2Fb", "/public/a%2fb", "/public/%2e%2e/x",
                "/public/a\\b", "/public/a%5cb", "chat")) {
            HandshakeDecision d = check(req(p).header("origin", "https://app.example"));
            assertThat(d.status()).as(p).isEqualTo(400);
            assertThat(d.error()).isEqualTo("bad_request");
        }
    }

    @Test
    void unknownPath404() {
        HandshakeDecision d = check(req("/nope"));
        assertThat(d.status()).isEqualTo(404);
        assertThat(d.error()).isEqualTo("not_found");
        assertThat(check(req("/chat/extra")).status()).as("exact route is not a prefix").isEqualTo(404);
    }

    @Test
    void origins() {
        String t = rs256("alice");
        assertThat(check(req("/chat").bearer(t).header("origin", "https://evil.example")).status()).isEqualTo(403);
        assertThat(check(req("/chat").bearer(t)).status()).as("absent, allow_no_origin false").isEqualTo(403);
        assertThat(check(req("/chat").bearer(t).header("origin", "https://app.example")).status()).isEqualTo(101);
        assertThat(check(req("/public/x")).status()).as("absent, allow_no_origin true").isEqualTo(101);
        assertThat(check(req("/public/x").header("origin", "https://app.example.evil")).status()).isEqualTo(403);
        // origin refusal comes before the token check: no 401 leak about the token
        HandshakeDecision d = check(req("/chat").bearer("garbage").header("origin", "https://evil.example"));
        assertThat(d.status()).isEqualTo(403);
        assertThat(d.reason()).isEqualTo("Origin not allowed");
    }

    @Test
    void gatewayCapsAndRate() {
        open("/public/", "10.0.0.9", null, 1);
        open("/public/", "10.0.0.1", null, 2);
        HandshakeDecision full = guard.check(policy(2, 0), req("/public/x").build());
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.error()).isEqualTo("unavailable");
        HandshakeDecision perIp = guard.check(policy(100, 1), req("/public/x").ip("10.0.0.1").build());
        assertThat(perIp.status()).isEqualTo(429);
        assertThat(perIp.responseHeaders()).containsKey("Retry-After");
        assertThat(guard.check(policy(100, 1), req("/public/x").ip("10.0.0.2").build()).status()).isEqualTo(101);
        rateWaitMs.set(1500);
        HandshakeDecision rate = guard.check(policy(100, 5), req("/public/x").ip("10.0.0.2").build());
        assertThat(rate.status()).isEqualTo(429);
        assertThat(rate.responseHeaders()).containsEntry("Retry-After", "2");
        rateWaitMs.set(1);
        assertThat(guard.check(policy(100, 5), req("/public/x").build()).responseHeaders()).containsEntry("Retry-After", "1");
    }

    @Test
    void publicRouteHasNoIdentityButGetsPathAndClientIp() {
        HandshakeDecision d = check(req("/public/a/b").query("x=1&access_token=zzz").bearer("whatever"));
        assertThat(d.status()).isEqualTo(101);
        assertThat(d.identity()).isNull();
        assertThat(d.upstreamPathAndQuery()).isEqualTo("a/b?x=1&access_token=zzz");
        assertThat(d.upstreamHeaders()).containsExactly(Map.entry("X-Forwarded-For", "10.0.0.1"));
    }

    @Test
    void revokedTokenIs403AndSubRevocationLetsALaterLoginThrough() {
        String t = rs256("alice");
        assertThat(check(req("/capped").bearer(t)).status()).isEqualTo(101);
        long now = System.currentTimeMillis() / 1000;
        revocations.revoke(new Revocation(null, "alice", null, now, now + 3600));
        HandshakeDecision d = check(req("/capped").bearer(t));
        assertThat(d.status()).isEqualTo(403);
        assertThat(d.reason()).isEqualTo("token revoked");
        String later = sign(RSA, JWSAlgorithm.RS256, claims("alice").issueTime(new Date((now + 1) * 1000)).build());
        assertThat(check(req("/capped").bearer(later)).status()).isEqualTo(101);
    }

    @Test
    void connectRoles() {
        assertThat(check(req("/admin").bearer(rs256("alice"))).status()).isEqualTo(403);
        String adminToken = sign(RSA, JWSAlgorithm.RS256, claims("root").claim("roles", List.of("admin")).build());
        assertThat(check(req("/admin").bearer(adminToken)).status()).isEqualTo(101);
    }

    @Test
    void sessionCapCloseOldest() throws Exception {
        Identity alice = verify(capped, rs256("alice"));
        Session oldest = open("/capped", "10.0.0.1", alice, 100);
        Session newer = open("/capped", "10.0.0.1", alice, 200);
        open("/chat", "10.0.0.1", alice, 50); // another route does not count
        open("/capped", "10.0.0.1", verify(capped, rs256("bob")), 10);
        HandshakeDecision d = check(req("/capped").bearer(rs256("alice")));
        assertThat(d.status()).isEqualTo(101);
        assertThat(d.sessionsToReplace()).containsExactly(oldest);
        Session third = open("/capped", "10.0.0.1", alice, 300);
        d = check(req("/capped").bearer(rs256("alice")));
        assertThat(d.sessionsToReplace()).containsExactly(oldest, newer);
        assertThat(third).isNotIn(d.sessionsToReplace());
    }

    @Test
    void sessionCapReject() throws Exception {
        assertThat(check(req("/strict").bearer(rs256("alice"))).status()).isEqualTo(101);
        open("/strict", "10.0.0.1", verify(strict, rs256("alice")), 1);
        HandshakeDecision d = check(req("/strict").bearer(rs256("alice")));
        assertThat(d.status()).isEqualTo(429);
        assertThat(d.responseHeaders()).containsKey("Retry-After");
        assertThat(check(req("/strict").bearer(rs256("bob"))).status()).isEqualTo(101);
    }

    @Test
    void lateAuthenticationAppliesTheSameChecks() throws Exception {
        HandshakeDecision d = check(req("/fm"));
        assertThat(d.pendingAuth()).isEqualTo(HandshakeDecision.PendingAuth.FIRST_MESSAGE);
        Session s = open("/fm", "10.0.0.1", null, 1);

        assertThat(guard.authenticateLate(fm, s, null).outcome()).isEqualTo(LateAuthResult.Outcome.MISSING);
        assertThat(guard.authenticateLate(fm, s, "garbage").outcome()).isEqualTo(LateAuthResult.Outcome.INVALID);
        String noRole = sign(RSA, JWSAlgorithm.RS256, claims("alice").claim("roles", List.of("guest")).build());
        assertThat(guard.authenticateLate(fm, s, noRole).outcome()).isEqualTo(LateAuthResult.Outcome.FORBIDDEN);
        String revoked = rs256("alice");
        revocations.revoke(new Revocation(null, null, RouteAuth.digest(revoked), NOW, NOW + 3600));
        assertThat(guard.authenticateLate(fm, s, revoked).outcome()).isEqualTo(LateAuthResult.Outcome.REVOKED);
        assertThat(s.identity()).isNull();

        LateAuthResult ok = guard.authenticateLate(fm, s, rs256("alice"));
        assertThat(ok.ok()).isTrue();
        assertThat(s.identity()).isEqualTo(ok.identity());
        assertThat(s.user()).isEqualTo("alice");

        // a second socket of alice on a route with max 1 + reject
        Session s2 = open("/fm", "10.0.0.1", null, 2);
        assertThat(guard.authenticateLate(fm, s2, rs256("alice")).outcome())
                .isEqualTo(LateAuthResult.Outcome.TOO_MANY_SESSIONS);
        assertThat(s2.identity()).isNull();
    }

    @Test
    void lateAuthenticationCloseOldestClosesWith4409() throws Exception {
        RoutePolicy sio = compiled(route("/socket.io/", RouteConfig.Kind.SOCKETIO, auth(jwt(List.of("RS256"), jwksFile()),
                List.of("socketio_auth:token"), List.of(), 1, RouteConfig.OnExcess.CLOSE_OLDEST), List.of(), false, List.of()));
        Session old = open("/socket.io/", "10.0.0.1", verify(sio, rs256("alice")), 1);
        Session fresh = open("/socket.io/", "10.0.0.1", null, 2);
        LateAuthResult r = guard.authenticateLate(sio, fresh, rs256("alice"));
        assertThat(r.ok()).isTrue();
        assertThat(r.replaced()).containsExactly(old);
        assertThat(closes).containsExactly(old.id() + ":4409");
        // second namespace CONNECT on the same socket: same subject fine, another subject refused
        assertThat(guard.authenticateLate(sio, fresh, rs256("alice")).ok()).isTrue();
        assertThat(guard.authenticateLate(sio, fresh, rs256("mallory")).outcome())
                .isEqualTo(LateAuthResult.Outcome.SUBJECT_CHANGED);
    }

    @Test
    void refreshMovesExpiryForTheSameSubjectOnly() throws Exception {
        long now = System.currentTimeMillis();
        Identity first = verify(chat, sign(RSA, JWSAlgorithm.RS256, claims("alice").expirationTime(new Date(now + 60_000)).build()));
        Session s = open("/chat", "10.0.0.1", first, 1);
        String longer = sign(RSA, JWSAlgorithm.RS256, claims("alice").expirationTime(new Date(now + 7_200_000)).build());
        LateAuthResult r = guard.refresh(chat, s, longer);
        assertThat(r.ok()).isTrue();
        assertThat(s.identity().expiresAt()).isGreaterThan(first.expiresAt() + 3600);
        assertThat(guard.refresh(chat, s, rs256("bob")).outcome()).isEqualTo(LateAuthResult.Outcome.SUBJECT_CHANGED);
        assertThat(guard.refresh(chat, s, "garbage").outcome()).isEqualTo(LateAuthResult.Outcome.INVALID);
        assertThat(s.identity().subject()).isEqualTo("alice");
        Session anonymous = open("/chat", "10.0.0.1", null, 2);
        assertThat(guard.refresh(chat, anonymous, longer).ok()).isFalse();
    }
}
