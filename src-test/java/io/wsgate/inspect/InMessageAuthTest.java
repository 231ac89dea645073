package io.wsgate.inspect;

import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.wsgate.inspect.Harness.*;
import static org.assertj.core.api.Assertions.assertThat;

class InMessageAuthTest {
    /** Fake verifier: "good-<user>-<role>" verifies; "revoked", "norole", "many" fail as named. */
    static final class FakeTokens implements TokenCheck {
        final List<String> seen = new ArrayList<>();
        int refreshes;

        @Override
        public Result refresh(String token) {
            refreshes++;
            return check(token);
        }

        @Override
        public Result check(String token) {
            seen.add(token);
            if (token.startsWith("good-")) {
                String[] p = token.split("-");
                return Result.ok(Harness.identity(p[1], p[2]));
            }
            return Result.fail(switch (token) {
                case "revoked" -> Failure.REVOKED;
                case "norole" -> Failure.FORBIDDEN_ROLE;
                case "many" -> Failure.TOO_MANY_SESSIONS;
                default -> Failure.INVALID;
            });
        }
    }

    private final FakeTokens tokens = new FakeTokens();

    private Harness sio() {
        RouteConfig cfg = withForward(withAuth(socketio(null, events(DefaultAction.ALLOW, OnDeny.DROP, Map.of())),
                        List.of("header", "socketio_auth:token"), "auth"),
                new RouteConfig.Forward(null, new RouteConfig.SocketioAuth("user", "roles"), true));
        return new Harness(cfg, PendingAuth.SOCKETIO_AUTH, tokens);
    }

    @Test
    void socketioAuthOnlyEngineIoAndConnectPassUntilATokenVerifies() {
        Harness h = sio();
        assertThat(h.send("3")).isSameAs(Verdict.FORWARD);
        assertThat(h.inspector.authPending()).isTrue();
        Verdict event = h.send("42[\"chat\"]");
        assertThat(event.kind()).isEqualTo(Verdict.Kind.CLOSE);
        assertThat(event.closeCode()).isEqualTo(1008);
        assertThat(sio().send("451-[\"x\",{\"_placeholder\":true,\"num\":0}]").closeCode()).isEqualTo(1008);
    }

    @Test
    void connectWithoutOrWithBadTokenIsAnsweredLikeAMiddleware() {
        Harness h = sio();
        assertThat(str(h.send("40").toClient())).isEqualTo("44{\"message\":\"Authentication required\"}");
        assertThat(str(h.send("40/admin,{\"token\":\"bad\"}").toClient())).isEqualTo("44/admin,{\"message\":\"Invalid token\"}");
        assertThat(str(h.send("40{\"token\":\"revoked\"}").toClient())).isEqualTo("44{\"message\":\"Invalid token\"}");
        assertThat(str(h.send("40{\"token\":\"norole\"}").toClient())).isEqualTo("44{\"message\":\"Forbidden\"}");
        assertThat(str(h.send("40{\"token\":\"many\"}").toClient())).isEqualTo("44{\"message\":\"Too many sessions\"}");
        assertThat(str(h.send("40{\"token\":7}").toClient())).isEqualTo("44{\"message\":\"Authentication required\"}");
        assertThat(h.session.identity()).isNull();
        assertThat(h.audits).hasSize(6).allMatch(a -> a.startsWith("unauthorized"));
        assertThat(String.join(" ", h.audits)).doesNotContain("bad", "revoked");
    }

    @Test
    void passingConnectCarriesTheIdentityNotTheTokenNorClientValues() {
        Harness h = sio();
        Verdict v = h.send("40{\"token\":\"good-alice-user\",\"user\":\"mallory\",\"roles\":[\"admin\"],\"x\":1}");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.FORWARD_REWRITTEN);
        assertThat(str(v.rewritten())).isEqualTo("40{\"x\":1,\"user\":\"alice\",\"roles\":[\"user\"]}");
        assertThat(h.session.user()).isEqualTo("alice");
        assertThat(h.inspector.authPending()).isFalse();
        assertThat(h.send("42[\"chat\"]")).isSameAs(Verdict.FORWARD);
        // later CONNECTs (other namespaces) carry the identity too
        assertThat(str(h.send("40/admin").rewritten())).isEqualTo("40/admin,{\"user\":\"alice\",\"roles\":[\"user\"]}");
    }

    @Test
    void refreshMovesTheIdentityForTheSameSubjectElseCloses4401() {
        Harness h = sio();
        h.send("40{\"token\":\"good-alice-user\"}");
        assertThat(h.send("42[\"auth\",{\"token\":\"good-alice-admin\"}]")).isSameAs(Verdict.CONSUMED);
        assertThat(h.session.identity().roles()).containsExactly("admin");
        assertThat(tokens.refreshes).isEqualTo(1);
        Verdict other = h.send("42[\"auth\",{\"token\":\"good-eve-admin\"}]");
        assertThat(other.closeCode()).isEqualTo(4401);
        assertThat(sio().send("3").kind()).isEqualTo(Verdict.Kind.FORWARD);
        Harness j = new Harness(withAuth(json("type", events(DefaultAction.DENY, OnDeny.DROP, Map.of())), List.of("header"), "auth"),
                PendingAuth.NONE, tokens).as("alice", "user");
        assertThat(j.send("{\"type\":\"auth\",\"token\":\"good-alice-admin\"}")).isSameAs(Verdict.CONSUMED);
        assertThat(j.session.identity().roles()).containsExactly("admin");
        assertThat(j.send("{\"type\":\"auth\",\"token\":\"bad\"}").closeCode()).isEqualTo(4401);
        assertThat(j.send("{\"type\":\"auth\"}").closeCode()).isEqualTo(4401);
    }

    @Test
    void firstMessageCarriesTheTokenAndIsConsumed() {
        RouteConfig cfg = withAuth(json("type", events(DefaultAction.ALLOW, OnDeny.DROP, Map.of())),
                List.of("first_message:auth.token"), null);
        Harness h = new Harness(cfg, PendingAuth.FIRST_MESSAGE, tokens);
        assertThat(h.send("{\"type\":\"auth\",\"auth\":{\"token\":\"good-bob-user\"}}")).isSameAs(Verdict.CONSUMED);
        assertThat(h.session.user()).isEqualTo("bob");
        assertThat(h.inspector.authPending()).isFalse();
        assertThat(h.send("{\"type\":\"chat\"}")).isSameAs(Verdict.FORWARD);

        for (String first : List.of("{\"type\":\"auth\",\"auth\":{\"token\":\"bad\"}}", "{\"type\":\"chat\"}", "not json",
                "{\"auth\":{\"token\":\"good-a-b\",\"token\":\"good-a-b\"}}")) {
            Harness f = new Harness(cfg, PendingAuth.FIRST_MESSAGE, tokens);
            Verdict v = f.send(first);
            assertThat(v.closeCode()).as(first).isEqualTo(4401);
            assertThat(f.session.identity()).isNull();
        }
        for (String refused : List.of("norole", "many", "revoked")) {
            Harness f = new Harness(cfg, PendingAuth.FIRST_MESSAGE, tokens);
            assertThat(f.send("{\"auth\":{\"token\":\"" + refused + "\"}}").closeCode()).isEqualTo(4401);
            assertThat(f.audits).hasSize(1);
        }
    }
}
