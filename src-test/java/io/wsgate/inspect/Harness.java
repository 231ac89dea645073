package io.wsgate.inspect;

import io.wsgate.audit.AuditLog;
import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.*;
import io.wsgate.config.RouteConfig.EventRule;
import io.wsgate.limits.RouteLimits;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.policy.Verdict;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds routes from config records and drives one inspector with a fake rate gate, audit and clock. */
final class Harness {
    final Session session = new Session(7, "10.0.0.9", "/r", 0);
    final FakeGate gate = new FakeGate();
    final List<String> audits = new ArrayList<>();
    long now = 1_000_000;
    final RoutePolicy route;
    final ConnectionInspector inspector;

    Harness(RouteConfig cfg) {
        this(cfg, PendingAuth.NONE, TokenCheck.NONE);
    }

    Harness(RouteConfig cfg, PendingAuth pending, TokenCheck tokens) {
        route = new RoutePolicy(cfg, null, RouteRules.compile(cfg), RouteLimits.compile(cfg));
        PolicyHolder holder = new PolicyHolder(new Policy(1, null, List.of(route)));
        AuditLog audit = new AuditLog() {
            @Override
            public void handshakeRefused(String ip, String route, int status, String reason) {
            }

            @Override
            public void messageRefused(long id, String ip, String user, String route, String event, String reason) {
                audits.add(reason + ":" + event);
            }
        };
        inspector = new ConnectionInspector(session, holder, route, gate, audit, tokens, pending, () -> now);
    }

    Harness as(String user, String... roles) {
        session.identity(identity(user, roles));
        return this;
    }

    static Identity identity(String user, String... roles) {
        return new Identity(user, List.of(roles), "j-" + user, 1, 4_000_000_000L, "d");
    }

    Verdict send(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return inspector.onClientMessage(false, b, 0, b.length);
    }

    Verdict send(byte[] b) {
        return inspector.onClientMessage(false, b, 0, b.length);
    }

    Verdict sendBinary(byte[] b) {
        return inspector.onClientMessage(true, b, 0, b.length);
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static final class FakeGate implements RateGate {
        long retry;
        long controlRetry;
        int closeAfter = Integer.MAX_VALUE;
        int dropped;
        final List<String> events = new ArrayList<>();

        @Override
        public long tryMessage(RoutePolicy route, String event) {
            events.add(event);
            return retry;
        }

        @Override
        public long tryControl(RoutePolicy route) {
            events.add("#control");
            return controlRetry;
        }

        @Override
        public boolean dropped(RoutePolicy route) {
            return ++dropped >= closeAfter;
        }
    }

    // ---- config builders ----

    static Route routeSection() {
        return new Route("/r", new Upstream(List.of("ws://127.0.0.1:1/"), Balance.ROUND_ROBIN, Duration.ofSeconds(1), null),
                List.of(), false, 65536, 1 << 20, List.of(), false);
    }

    static RouteConfig json(String eventPath, Events events) {
        return new RouteConfig("r.yaml", routeSection(), new Protocol(Kind.JSON, eventPath, null, 0), null, null,
                rates(OnExceed.DROP), events);
    }

    static RouteConfig raw(OnExceed onExceed) {
        return new RouteConfig("r.yaml", routeSection(), new Protocol(Kind.RAW, null, null, 0), null, null,
                rates(onExceed), null);
    }

    static RouteConfig socketio(Map<String, Namespace> ns, Events events) {
        return new RouteConfig("r.yaml", routeSection(), new Protocol(Kind.SOCKETIO, null, ns, 10), null, null,
                rates(OnExceed.DROP), events);
    }

    static RouteConfig withAuth(RouteConfig c, List<String> tokenFrom, String refresh) {
        Auth a = new Auth(true, null, tokenFrom, Duration.ofSeconds(5), List.of(), true, refresh, 0, OnExcess.CLOSE_OLDEST);
        return new RouteConfig(c.sourceFile(), c.route(), c.protocol(), a, c.forward(), c.rateLimits(), c.events());
    }

    static RouteConfig withForward(RouteConfig c, Forward f) {
        return new RouteConfig(c.sourceFile(), c.route(), c.protocol(), c.auth(), f, c.rateLimits(), c.events());
    }

    static RouteConfig withRates(RouteConfig c, RateLimits r) {
        return new RouteConfig(c.sourceFile(), c.route(), c.protocol(), c.auth(), c.forward(), r, c.events());
    }

    static RateLimits rates(OnExceed onExceed) {
        return new RateLimits(null, null, onExceed, true, 50);
    }

    static Events events(DefaultAction def, OnDeny onDeny, Map<String, EventRule> rules) {
        return new Events(def, onDeny, true, "error", rules);
    }

    /** name, rule, name, rule... in order. */
    static Map<String, EventRule> rules(Object... kv) {
        Map<String, EventRule> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (EventRule) kv[i + 1]);
        }
        return m;
    }

    static EventRule rule(String... roles) {
        return new EventRule(List.of(roles), 0, null, null, null, null);
    }

    static EventRule maxBytes(int n) {
        return new EventRule(List.of(), n, null, null, null, null);
    }

    static EventRule payload(Path schema, Map<String, SanitizeMode> sanitize, Map<String, Integer> maxLength) {
        return new EventRule(List.of(), 0, null, schema, sanitize, maxLength);
    }
}
