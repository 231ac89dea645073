package io.wsgate.inspect;

import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.wsgate.inspect.Harness.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Work per input is bounded" for tokens inside messages: 3 failed CONNECT verifications per connection, then the
 * next CONNECT closes 4401 unverified; a token refused over the IP's auth_failures_per_ip budget closes 4429.
 */
class LateTokenBoundsTest {
    /** {@link InMessageAuthTest.FakeTokens} plus "spent": the IP is over budget (the production guard's answer). */
    static final class BudgetTokens implements TokenCheck {
        final InMessageAuthTest.FakeTokens fake = new InMessageAuthTest.FakeTokens();
        final List<String> seen = fake.seen;

        @Override
        public Result check(String token) {
            if (token.equals("spent")) {
                seen.add(token);
                return Result.fail(Failure.OVER_BUDGET);
            }
            return fake.check(token);
        }
    }

    private final BudgetTokens tokens = new BudgetTokens();

    private Harness sio() {
        RouteConfig cfg = withAuth(socketio(null, events(DefaultAction.ALLOW, OnDeny.DROP, Map.of())),
                List.of("socketio_auth:token"), "auth");
        return new Harness(cfg, PendingAuth.SOCKETIO_AUTH, tokens);
    }

    @Test
    void threeFailedConnectsThenTheNextClosesWithoutVerification() {
        Harness h = sio();
        for (String t : List.of("bad", "revoked", "bad")) {
            assertThat(str(h.send("40{\"token\":\"" + t + "\"}").toClient())).isEqualTo("44{\"message\":\"Invalid token\"}");
        }
        Verdict fourth = h.send("40{\"token\":\"good-alice-user\"}");
        assertThat(fourth.kind()).isEqualTo(Verdict.Kind.CLOSE);
        assertThat(fourth.closeCode()).isEqualTo(4401);
        assertThat(tokens.seen).as("the 4th token is never verified").containsExactly("bad", "revoked", "bad");
        assertThat(h.session.identity()).isNull();
        assertThat(h.audits).hasSize(4).allMatch(a -> a.startsWith("unauthorized"));
    }

    @Test
    void missingForbiddenAndTooManySessionsAreNotVerificationFailures() {
        Harness h = sio();
        h.send("40{\"token\":\"bad\"}");
        h.send("40{\"token\":\"bad\"}");
        for (int i = 0; i < 5; i++) {
            assertThat(str(h.send("40").toClient())).isEqualTo("44{\"message\":\"Authentication required\"}");
            assertThat(str(h.send("40{\"token\":\"norole\"}").toClient())).isEqualTo("44{\"message\":\"Forbidden\"}");
            assertThat(str(h.send("40{\"token\":\"many\"}").toClient())).isEqualTo("44{\"message\":\"Too many sessions\"}");
        }
        assertThat(str(h.send("40{\"token\":\"bad\"}").toClient())).isEqualTo("44{\"message\":\"Invalid token\"}");
        assertThat(h.send("40{\"token\":\"good-alice-user\"}").closeCode()).isEqualTo(4401);
    }

    @Test
    void aConnectThatVerifiesAfterTwoFailuresOpensTheSocket() {
        Harness h = sio();
        h.send("40{\"token\":\"bad\"}");
        h.send("40{\"token\":\"bad\"}");
        assertThat(h.send("40{\"token\":\"good-alice-user\"}").kind()).isIn(Verdict.Kind.FORWARD, Verdict.Kind.FORWARD_REWRITTEN);
        assertThat(h.session.user()).isEqualTo("alice");
        // later CONNECTs (other namespaces) are not verified again, so the cap no longer applies
        for (int i = 0; i < 5; i++) {
            assertThat(h.send("40/n" + i).kind()).isNotEqualTo(Verdict.Kind.CLOSE);
        }
    }

    @Test
    void connectOverTheIpBudgetCloses4429() {
        Harness h = sio();
        Verdict v = h.send("40{\"token\":\"spent\"}");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.CLOSE);
        assertThat(v.closeCode()).isEqualTo(4429);
        assertThat(h.audits).containsExactly("auth_failures:null");
    }

    @Test
    void aRateLimitedConnectIsRefusedBeforeItsTokenIsVerified() {
        Harness h = sio();
        h.gate.retry = 1000;
        Verdict v = h.send("40{\"token\":\"bad\"}");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(tokens.seen).isEmpty();
        assertThat(h.gate.events).hasSize(1);
    }

    @Test
    void refreshAndFirstMessageOverTheIpBudgetClose4429() {
        Harness h = sio();
        h.send("40{\"token\":\"good-alice-user\"}");
        assertThat(h.send("42[\"auth\",{\"token\":\"spent\"}]").closeCode()).isEqualTo(4429);
        assertThat(sio().send("42[\"auth\",{\"token\":\"bad\"}]").closeCode()).as("before auth: 1008 as before").isEqualTo(1008);

        Harness j = new Harness(withAuth(json("type", events(DefaultAction.DENY, OnDeny.DROP, Map.of())), List.of("header"), "auth"),
                PendingAuth.NONE, tokens).as("alice", "user");
        assertThat(j.send("{\"type\":\"auth\",\"token\":\"spent\"}").closeCode()).isEqualTo(4429);

        RouteConfig fm = withAuth(json("type", events(DefaultAction.ALLOW, OnDeny.DROP, Map.of())),
                List.of("first_message:token"), null);
        Harness f = new Harness(fm, PendingAuth.FIRST_MESSAGE, tokens);
        assertThat(f.send("{\"type\":\"auth\",\"token\":\"spent\"}").closeCode()).isEqualTo(4429);
        assertThat(new Harness(fm, PendingAuth.FIRST_MESSAGE, tokens).send("{\"type\":\"auth\",\"token\":\"bad\"}").closeCode())
                .as("a failed first message still closes 4401 at once").isEqualTo(4401);
    }
}
