package io.wsgate.inspect;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.config.RouteConfig.SanitizeMode;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Verdict;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.wsgate.inspect.Harness.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer fuzz tests, one per codec: a sequence of client frames never throws and every verdict is a
 * well-formed one. Without JAZZER_FUZZ=1 only the seeds in CodecFuzzTestInputs/ run (regression mode).
 */
class CodecFuzzTest {
    private static final Set<Integer> CLOSE_CODES = Set.of(1008, 1009, 4401, 4429);
    private static final int MAX_FRAMES = 16;

    private static final RouteConfig SOCKETIO = withForward(withAuth(socketio(
            Map.of("/", new RouteConfig.Namespace(List.of()), "/admin", new RouteConfig.Namespace(List.of("admin"))),
            events(DefaultAction.DENY, OnDeny.DROP, rules(
                    "chat", payload(null, Map.of("[0].text", SanitizeMode.TEXT), Map.of("[0].text", 200)),
                    "html", payload(null, Map.of("[0]", SanitizeMode.BASIC_HTML), null),
                    "kick", rule("admin"), "1", maxBytes(64)))),
            List.of("socketio_auth:token"), "auth"),
            new RouteConfig.Forward(null, new RouteConfig.SocketioAuth("user", "roles"), true));

    private static final RouteConfig JSON = withAuth(json("payload.type", events(DefaultAction.DENY, OnDeny.DROP, rules(
            "chat", payload(null, Map.of("message", SanitizeMode.TEXT, "data[0].html", SanitizeMode.BASIC_HTML),
                    Map.of("message", 100)),
            "$default", maxBytes(32), "kick", rule("admin")))), List.of("header"), "auth");

    @FuzzTest(maxDuration = "30s")
    void socketioCodec(FuzzedDataProvider data) {
        boolean pending = data.consumeBoolean();
        Harness h = new Harness(SOCKETIO, pending ? PendingAuth.SOCKETIO_AUTH : PendingAuth.NONE,
                t -> t.startsWith("g") ? TokenCheck.Result.ok(Harness.identity("u", "user"))
                        : TokenCheck.Result.fail(TokenCheck.Failure.INVALID));
        if (!pending) {
            h.as("u", "user");
        }
        h.gate.retry = data.consumeBoolean() ? 0 : 30;
        run(h, data);
    }

    @FuzzTest(maxDuration = "30s")
    void jsonCodec(FuzzedDataProvider data) {
        Harness h = new Harness(JSON, PendingAuth.NONE,
                t -> TokenCheck.Result.ok(Harness.identity(t.startsWith("g") ? "u" : "other", "user"))).as("u", "user");
        h.gate.retry = data.consumeBoolean() ? 0 : 30;
        run(h, data);
    }

    /** Prefixes that reach the deeper paths quickly; the fuzzer appends its own bytes. */
    private static final String[] PREFIXES = {"", "42[\"chat\",{\"text\":\"", "42[\"html\",\"<", "451-[\"chat\",",
            "461-3[", "40{\"token\":\"g", "40/admin,{", "42/admin,[\"kick\"", "42[\"auth\",{\"token\":\"", "4312[",
            "42[1,", "{\"payload\":{\"type\":\"chat\"},\"message\":\"<", "{\"payload\":{\"type\":\"auth\"},\"token\":\"g",
            "{\"payload\":{\"type\":\"chat\"},\"data\":[{\"html\":\"<a ", "[", "3", "2probe"};

    private static void run(Harness h, FuzzedDataProvider data) {
        for (int i = 0; i < MAX_FRAMES && data.remainingBytes() > 0; i++) {
            boolean binary = data.consumeBoolean();
            boolean upstream = data.consumeBoolean() && data.consumeBoolean();
            byte[] prefix = PREFIXES[data.consumeInt(0, PREFIXES.length - 1)].getBytes(StandardCharsets.UTF_8);
            byte[] tail = data.consumeBytes(data.consumeInt(0, 512));
            byte[] frame = new byte[prefix.length + tail.length];
            System.arraycopy(prefix, 0, frame, 0, prefix.length);
            System.arraycopy(tail, 0, frame, prefix.length, tail.length);
            if (upstream) {
                h.inspector.onUpstreamMessage(binary, frame, 0, frame.length);
                continue;
            }
            Verdict v = binary ? h.sendBinary(frame) : h.send(frame);
            check(v, h);
            if (v.kind() == Verdict.Kind.CLOSE) {
                return;
            }
        }
    }

    static void check(Verdict v, Harness h) {
        assertThat(v).isNotNull();
        switch (v.kind()) {
            case FORWARD -> assertThat(v.rewritten()).isNull();
            case FORWARD_REWRITTEN -> assertThat(v.rewritten()).isNotNull();
            case DROP -> {
                if (v.toClient() != null) {
                    assertThat(v.refusal()).isNotNull();
                }
            }
            case CLOSE -> {
                assertThat(CLOSE_CODES).contains(v.closeCode());
                assertThat(v.refusal()).isNotNull();
            }
        }
        if (v.toClient() != null && h.route.rules().kind() == RouteConfig.Kind.JSON) {
            assertThat(StrictJson.MAPPER.readTree(v.toClient()).isObject()).isTrue();
        }
        if (v.refusal() != null && v.kind() != Verdict.Kind.CLOSE && !"unauthorized".equals(v.refusal())
                && !"invalid_namespace".equals(v.refusal()) && !"forbidden".equals(v.refusal())) {
            assertThat(Set.of("rate_limited", "unknown_event", "invalid")).contains(v.refusal());
        }
    }
}
