package io.wsgate.auth;

import io.wsgate.config.GatewayConfig.AuthFailures;
import io.wsgate.config.RouteConfig;
import io.wsgate.limits.AuthFailureMeter;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.Policy;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.MemoryRevocationStore;
import io.wsgate.state.Revocation;
import io.wsgate.testing.ManualTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The guard asks connections.auth_failures_per_ip before verifying and charges it after a failed verification. */
class AuthBudgetGuardTest {
    final ManualTime clock = new ManualTime(1_000_000_000L);
    ConnectionRegistry registry;
    MemoryRevocationStore revocations;
    AuthFailureMeter meter;
    HandshakeGuard guard;
    RoutePolicy chat;
    RoutePolicy pub;
    RoutePolicy fm;
    Policy policy;

    @BeforeEach
    void setUp() {
        registry = new ConnectionRegistry();
        revocations = new MemoryRevocationStore(registry);
        meter = new AuthFailureMeter(() -> new AuthFailures(3, Duration.ofMinutes(1)), clock, 1000);
        guard = new HandshakeGuard(registry, revocations, (r, ip) -> 0, meter);
        var jwks = jwksFile();
        chat = compiled(route("/chat", auth(jwt(List.of("RS256"), jwks))));
        pub = compiled(route("/public", null));
        fm = compiled(route("/fm", RouteConfig.Kind.JSON, auth(jwt(List.of("RS256"), jwks), List.of("first_message:token"),
                List.of(), 0, RouteConfig.OnExcess.CLOSE_OLDEST), List.of(), false, List.of()));
        policy = AuthFixtures.policy(0, 0, chat, pub, fm);
    }

    HandshakeDecision check(AuthFixtures.Req r) {
        return guard.check(policy, r.build());
    }

    @Test
    void afterTheBudgetUpgradesGet429WithRetryAfterAndNoVerification() {
        for (int i = 0; i < 3; i++) {
            assertThat(check(req("/chat").ip("10.0.0.1").bearer("garbage")).status()).isEqualTo(401);
        }
        assertThat(guard.verifications()).isEqualTo(3);
        HandshakeDecision d = check(req("/chat").ip("10.0.0.1").bearer(rs256("alice")));
        assertThat(d.status()).isEqualTo(429);
        assertThat(d.responseHeaders()).containsEntry("Retry-After", "20");
        assertThat(d.reason()).isEqualTo("too many failed token verifications from this address");
        assertThat(d.routePath()).isEqualTo("/chat");
        assertThat(check(req("/chat").ip("10.0.0.1")).status()).as("also without a token").isEqualTo(429);
        assertThat(guard.verifications()).as("nothing verified while over budget").isEqualTo(3);
        assertThat(meter.refusals()).isEqualTo(2);

        assertThat(check(req("/chat").ip("10.0.0.2").bearer(rs256("bob"))).status()).as("another IP").isEqualTo(101);
        assertThat(check(req("/public").ip("10.0.0.1")).status()).as("routes without auth are not metered").isEqualTo(101);
        clock.advance(Duration.ofSeconds(20));
        assertThat(check(req("/chat").ip("10.0.0.1").bearer(rs256("alice"))).status()).isEqualTo(101);
    }

    @Test
    void revokedTokensCountAsFailuresButGoodOnesAndMissingOnesDoNot() {
        for (int i = 0; i < 10; i++) {
            assertThat(check(req("/chat").ip("10.0.0.1").bearer(rs256("alice"))).status()).isEqualTo(101);
            assertThat(check(req("/chat").ip("10.0.0.1")).status()).isEqualTo(401);
        }
        assertThat(meter.failures()).isZero();
        String t = rs256("mallory");
        long now = System.currentTimeMillis() / 1000;
        revocations.revoke(new Revocation(null, "mallory", null, now, now + 3600));
        for (int i = 0; i < 3; i++) {
            assertThat(check(req("/chat").ip("10.0.0.1").bearer(t)).status()).isEqualTo(403);
        }
        assertThat(check(req("/chat").ip("10.0.0.1").bearer(t)).status()).isEqualTo(429);
    }

    @Test
    void lateTokensShareTheBudgetAndAreRefusedUnverifiedBeyondIt() {
        Session s = new Session(1, "10.0.0.1", "/fm", 0);
        assertThat(guard.authenticateLate(fm, s, "garbage").outcome()).isEqualTo(LateAuthResult.Outcome.INVALID);
        assertThat(check(req("/chat").ip("10.0.0.1").bearer("garbage")).status()).isEqualTo(401);
        assertThat(guard.authenticateLate(fm, s, "garbage").outcome()).isEqualTo(LateAuthResult.Outcome.INVALID);
        long verified = guard.verifications();
        assertThat(guard.authenticateLate(fm, s, rs256("alice")).outcome()).isEqualTo(LateAuthResult.Outcome.OVER_BUDGET);
        assertThat(guard.authenticateLate(fm, s, null).outcome()).as("no token: nothing to verify").isEqualTo(LateAuthResult.Outcome.MISSING);
        assertThat(check(req("/fm").ip("10.0.0.1")).status()).as("pending-auth upgrades too").isEqualTo(429);

        Session other = new Session(2, "10.0.0.2", "/fm", 0);
        assertThat(guard.authenticateLate(fm, other, rs256("bob")).ok()).isTrue();
        s.identity(other.identity());
        assertThat(guard.refresh(fm, s, rs256("bob")).outcome()).isEqualTo(LateAuthResult.Outcome.OVER_BUDGET);
        assertThat(guard.verifications()).isEqualTo(verified + 1);
    }
}
