package io.wsgate.inspect;

import io.wsgate.audit.AuditLog;
import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.limits.RouteLimits;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.policy.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.wsgate.inspect.Harness.*;
import static org.assertj.core.api.Assertions.assertThat;

class ReloadTest {
    private static RoutePolicy compiled(RouteConfig cfg) {
        return new RoutePolicy(cfg, null, RouteRules.compile(cfg), RouteLimits.compile(cfg));
    }

    private static Verdict send(ConnectionInspector in, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return in.onClientMessage(false, b, 0, b.length);
    }

    @Test
    void eventsOfAReloadedRouteApplyFromTheNextMessageAndARemovedRouteKeepsItsLastPolicy() {
        RoutePolicy v1 = compiled(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("a", rule()))));
        PolicyHolder holder = new PolicyHolder(new Policy(1, null, List.of(v1)));
        Session s = new Session(1, "127.0.0.1", "/r", 0);
        Harness.FakeGate gate = new Harness.FakeGate();
        ConnectionInspector in = new ConnectionInspector(s, holder, v1, gate, AuditLog.OFF, TokenCheck.NONE,
                PendingAuth.NONE, () -> 0L);
        assertThat(send(in, "{\"type\":\"a\"}")).isSameAs(Verdict.FORWARD);
        assertThat(send(in, "{\"type\":\"b\"}").refusal()).isEqualTo("unknown_event");

        RoutePolicy v2 = compiled(json("type", events(DefaultAction.DENY, OnDeny.CLOSE, rules("b", rule()))));
        holder.set(new Policy(2, null, List.of(v2)));
        assertThat(send(in, "{\"type\":\"b\"}")).isSameAs(Verdict.FORWARD);
        assertThat(send(in, "{\"type\":\"a\"}").closeCode()).isEqualTo(1008);

        holder.set(new Policy(3, null, List.of()));
        assertThat(send(in, "{\"type\":\"b\"}")).isSameAs(Verdict.FORWARD);

        // a reload that changes the protocol kind does not change an open socket's codec
        holder.set(new Policy(4, null, List.of(compiled(socketio(null, null)))));
        assertThat(send(in, "{\"type\":\"b\"}")).isSameAs(Verdict.FORWARD);
        assertThat(in.watchesUpstream()).isFalse();
    }

    @Test
    void binaryFramesOnJsonRoutesAreJudgedLikeText() {
        Harness h = new Harness(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("a", rule()))));
        byte[] kick = "{\"type\":\"kick\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(h.sendBinary(kick).refusal()).isEqualTo("unknown_event");
        assertThat(h.sendBinary(new byte[]{'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', 'a', '"', ',', '"', 'x', '"', ':', '"', (byte) 0xff, '"', '}'})
                .refusal()).isEqualTo("invalid");
    }
}
