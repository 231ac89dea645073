package io.wsgate.bench;

import io.wsgate.audit.AuditLog;
import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.Balance;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.EventRule;
import io.wsgate.config.RouteConfig.Events;
import io.wsgate.config.RouteConfig.Kind;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.config.RouteConfig.Protocol;
import io.wsgate.config.RouteConfig.Route;
import io.wsgate.config.RouteConfig.SanitizeMode;
import io.wsgate.config.RouteConfig.Upstream;
import io.wsgate.inspect.ConnectionInspector;
import io.wsgate.inspect.RateGate;
import io.wsgate.inspect.RouteRules;
import io.wsgate.inspect.TokenCheck;
import io.wsgate.limits.RouteLimits;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.policy.Verdict;
import org.openjdk.jmh.annotations.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * onClientMessage cost for a typical chat message: forward path (event allowlist + roles) and sanitize
 * path (tree, text sanitizer, re-serialization). Run: see docs in the inspect report (org.openjdk.jmh.Main).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InspectorBench {
    private ConnectionInspector json;
    private ConnectionInspector socketio;
    /** bench/policies/bench-json.yaml's rule: roles, schema, sanitize text, max_length; a plain message passes. */
    private ConnectionInspector full;
    private final byte[] jsonForward = bytes("{\"type\":\"send-message\",\"room\":\"lobby\",\"message\":\"hello there, how are you today?\",\"ts\":1732600000000}");
    private final byte[] jsonSanitize = bytes("{\"type\":\"post\",\"room\":\"lobby\",\"message\":\"<b>hello</b> there & <script>x()</script> how are you?\",\"ts\":1732600000000}");
    private final byte[] jsonFull = bytes("{\"type\":\"send-message\",\"room\":\"r\",\"message\":\"0000000000000001 filler filler filler filler filler filler filler filler filler filler filler filler\"}");
    private final byte[] sioForward = bytes("42[\"send-message\",{\"room\":\"lobby\",\"message\":\"hello there, how are you today?\",\"ts\":1732600000000}]");
    private final byte[] sioSanitize = bytes("4217[\"post\",{\"room\":\"lobby\",\"message\":\"<b>hello</b> there & <script>x()</script> how are you?\"}]");

    @Setup
    public void setup() {
        EventRule plain = new EventRule(List.of("user"), 0, null, null, null, null);
        EventRule jsonPost = new EventRule(List.of("user"), 0, null, null, Map.of("message", SanitizeMode.TEXT), Map.of("message", 2000));
        EventRule sioPost = new EventRule(List.of("user"), 0, null, null, Map.of("[0].message", SanitizeMode.TEXT), Map.of("[0].message", 2000));
        json = inspector(Kind.JSON, "type", Map.of("send-message", plain, "post", jsonPost));
        socketio = inspector(Kind.SOCKETIO, null, Map.of("send-message", plain, "post", sioPost));
        EventRule benchJson = new EventRule(List.of("user"), 65536, null,
                Path.of("bench/policies/schemas/send-message.json"), Map.of("message", SanitizeMode.TEXT),
                Map.of("message", 60000));
        full = inspector(Kind.JSON, "type", Map.of("send-message", benchJson));
    }

    private static ConnectionInspector inspector(Kind kind, String event, Map<String, EventRule> rules) {
        Route route = new Route("/b", new Upstream(List.of("ws://127.0.0.1:1/"), Balance.ROUND_ROBIN, Duration.ofSeconds(1), null),
                List.of(), false, 65536, 1 << 20, List.of(), false);
        RouteConfig cfg = new RouteConfig("b.yaml", route, new Protocol(kind, event, null, 0), null, null,
                null, new Events(DefaultAction.DENY, OnDeny.DROP, true, "error", rules));
        RoutePolicy rp = new RoutePolicy(cfg, null, RouteRules.compile(cfg), RouteLimits.compile(cfg));
        Session s = new Session(1, "127.0.0.1", "/b", 0);
        s.identity(new Identity("alice", List.of("user"), "j", 0, Long.MAX_VALUE, "d"));
        return new ConnectionInspector(s, new PolicyHolder(new Policy(1, null, List.of(rp))), rp, RateGate.NONE,
                AuditLog.OFF, TokenCheck.NONE, PendingAuth.NONE, System::currentTimeMillis);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public Verdict jsonForward() {
        return check(json.onClientMessage(false, jsonForward, 0, jsonForward.length), Verdict.Kind.FORWARD);
    }

    @Benchmark
    public Verdict jsonFullPolicy() {
        return check(full.onClientMessage(false, jsonFull, 0, jsonFull.length), Verdict.Kind.FORWARD);
    }

    @Benchmark
    public Verdict jsonSanitize() {
        return check(json.onClientMessage(false, jsonSanitize, 0, jsonSanitize.length), Verdict.Kind.FORWARD_REWRITTEN);
    }

    @Benchmark
    public Verdict socketioForward() {
        return check(socketio.onClientMessage(false, sioForward, 0, sioForward.length), Verdict.Kind.FORWARD);
    }

    @Benchmark
    public Verdict socketioSanitize() {
        return check(socketio.onClientMessage(false, sioSanitize, 0, sioSanitize.length), Verdict.Kind.FORWARD_REWRITTEN);
    }

    private static Verdict check(Verdict v, Verdict.Kind expected) {
        if (v.kind() != expected) {
            throw new IllegalStateException("unexpected " + v);
        }
        return v;
    }
}
