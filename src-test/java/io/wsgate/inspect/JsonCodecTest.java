package io.wsgate.inspect;

import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.EventRule;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.config.RouteConfig.SanitizeMode;
import io.wsgate.policy.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.wsgate.inspect.Harness.*;
import static org.assertj.core.api.Assertions.assertThat;

class JsonCodecTest {
    private static Harness chat(OnDeny onDeny) {
        return new Harness(json("type", events(DefaultAction.DENY, onDeny, rules(
                "send-message", rule("user", "admin"),
                "join-room", maxBytes(40),
                "admin-kick", rule("admin")))));
    }

    @Test
    void allowedEventForwardsTheOriginalBytesWithTheSharedVerdict() {
        Harness h = chat(OnDeny.DROP).as("alice", "user");
        assertThat(h.send("{\"type\":\"send-message\",\"message\":\"hi\"}")).isSameAs(Verdict.FORWARD);
        assertThat(h.gate.events).containsExactly("send-message");
        assertThat(h.audits).isEmpty();
    }

    @Test
    void eventPathsDottedIndexedAndCombined() {
        Map<String, RouteConfig.EventRule> ok = rules("go", rule());
        assertThat(new Harness(json("payload.action", events(DefaultAction.DENY, OnDeny.DROP, ok)))
                .send("{\"payload\":{\"x\":[1,{\"action\":\"no\"}],\"action\":\"go\"}}").kind()).isEqualTo(Verdict.Kind.FORWARD);
        assertThat(new Harness(json("[3]", events(DefaultAction.DENY, OnDeny.DROP, ok)))
                .send("[0,{\"a\":[\"go\"]},2,\"go\",4]").kind()).isEqualTo(Verdict.Kind.FORWARD);
        assertThat(new Harness(json("[3]", events(DefaultAction.DENY, OnDeny.DROP, ok)))
                .send("[0,1,\"go\"]").refusal()).isEqualTo("invalid");
        Harness combined = new Harness(json("data[0].type", events(DefaultAction.DENY, OnDeny.DROP, ok)));
        assertThat(combined.send("{\"data\":[{\"type\":\"go\"},{\"type\":\"x\"}]}").kind()).isEqualTo(Verdict.Kind.FORWARD);
        assertThat(combined.send("{\"data\":[{\"t\":1},{\"type\":\"go\"}]}").refusal()).isEqualTo("invalid");
        assertThat(combined.send("{\"data\":{\"0\":{\"type\":\"go\"}}}").refusal()).isEqualTo("invalid");
    }

    @Test
    void eventNamesAreComparedAfterUnescaping() {
        Harness h = chat(OnDeny.DROP).as("bob", "user");
        Verdict v = h.send("{\"type\":\"admin\\u002dkick\"}");
        assertThat(v.refusal()).isEqualTo("forbidden");
        assertThat(v.event()).isEqualTo("admin-kick");
    }

    @Test
    void nonJsonAndMissingEventAreDefault() {
        Harness deny = chat(OnDeny.DROP);
        assertThat(deny.send("hello").refusal()).isEqualTo("invalid");
        assertThat(deny.send("{\"kind\":\"x\"}").refusal()).isEqualTo("invalid");
        // an event field that is present but not a string is invalid, not $default (contract)
        assertThat(deny.send("{\"type\":5}").refusal()).isEqualTo("invalid");
        Harness allow = new Harness(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("$default", rule()))));
        assertThat(allow.send("hello")).isSameAs(Verdict.FORWARD);
        assertThat(allow.send("{\"a\":1}")).isSameAs(Verdict.FORWARD);
        assertThat(allow.send("{\"type\":\"x\"}").refusal()).isEqualTo("unknown_event");
        assertThat(allow.send("{\"type\":[\"x\"]}").refusal()).as("whatever $default allows").isEqualTo("invalid");
        assertThat(allow.send("{\"type\":null}").refusal()).isEqualTo("invalid");
        // default: allow does not cover $default: it needs its own rule
        Harness defaultAllow = new Harness(json("type", events(DefaultAction.ALLOW, OnDeny.DROP, rules())));
        assertThat(defaultAllow.send("{\"type\":\"anything\"}")).isSameAs(Verdict.FORWARD);
        assertThat(defaultAllow.send("not json").refusal()).isEqualTo("invalid");
        // two root values or trailing garbage are not JSON
        assertThat(allow.send("{\"type\":\"x\"}{\"type\":\"y\"}")).isSameAs(Verdict.FORWARD);
    }

    @Test
    void strictnessViolationsAreInvalidEvenWhereDefaultIsAllowed() {
        Harness h = new Harness(json("type", events(DefaultAction.ALLOW, OnDeny.DROP, rules("$default", rule()))));
        assertThat(h.send("{\"type\":\"a\",\"type\":\"b\"}").refusal()).isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"a\",\"x\":{\"k\":1,\"k\":2}}").refusal()).isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"a\",\"x\":[{\"__proto__\":{\"admin\":true}}]}").refusal()).isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"a\",\"\\u005f_proto__\":1}").refusal()).isEqualTo("invalid");
        assertThat(h.send("[".repeat(200) + "]".repeat(200)).refusal()).isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"a\",\"n\":" + "9".repeat(500) + "}").refusal()).isEqualTo("invalid");
        byte[] bad = "{\"type\":\"a\",\"m\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        bad[bad.length - 3] = (byte) 0xC0; // overlong / broken sequence
        assertThat(h.send(bad).refusal()).isEqualTo("invalid");
        byte[] surrogate = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
        assertThat(h.send(surrogate).refusal()).isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"a\",\"m\":\"\u00e9\u4e2d\"}")).isSameAs(Verdict.FORWARD);
        // long non-ASCII text crosses the validator's buffer; a 4-byte form and a broken tail
        String longText = "\u00e9\u4e2d\ud83d\ude00".repeat(400);
        assertThat(h.send("{\"type\":\"a\",\"m\":\"" + longText + "\"}")).isSameAs(Verdict.FORWARD);
        byte[] truncated = ("{\"type\":\"a\",\"m\":\"" + longText + "\"}").getBytes(StandardCharsets.UTF_8);
        truncated[truncated.length - 3] = (byte) 0xF0;
        assertThat(h.send(truncated).refusal()).isEqualTo("invalid");
        assertThat(StrictJson.validUtf8(truncated, 0, truncated.length)).isFalse();
        assertThat(new StrictJson.Utf8Check().valid(new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0, 4)).isFalse();
    }

    @Test
    void noticeShapesForEveryCode() {
        Harness h = chat(OnDeny.DROP).as("bob", "user");
        assertThat(str(h.send("{\"type\":\"admin-kick\"}").toClient()))
                .isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\",\"event\":\"admin-kick\"}");
        assertThat(str(h.send("{\"type\":\"nope\"}").toClient()))
                .isEqualTo("{\"type\":\"error\",\"code\":\"unknown_event\",\"event\":\"nope\"}");
        assertThat(str(h.send("{\"type\":\"join-room\",\"room\":\"0123456789012345678901234\"}").toClient()))
                .isEqualTo("{\"type\":\"error\",\"code\":\"invalid\",\"event\":\"join-room\"}");
        h.gate.retry = 120;
        Verdict v = h.send("{\"type\":\"send-message\"}");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(str(v.toClient()))
                .isEqualTo("{\"type\":\"error\",\"code\":\"rate_limited\",\"event\":\"send-message\",\"retry_after_ms\":120}");
        assertThat(h.audits).containsExactly("forbidden:admin-kick", "unknown_event:nope", "invalid:join-room",
                "rate_limited:send-message");
    }

    @Test
    void noticeNestsForDottedPathsAndUsesNotifyEvent() {
        RouteConfig.Events ev = new RouteConfig.Events(DefaultAction.DENY, OnDeny.DROP, true, "oops", rules());
        Harness h = new Harness(json("payload.action", ev));
        assertThat(str(h.send("{\"payload\":{\"action\":\"x\"}}").toClient()))
                .isEqualTo("{\"payload\":{\"action\":\"oops\"},\"code\":\"unknown_event\",\"event\":\"x\"}");
        Harness arr = new Harness(json("[0]", ev));
        Verdict v = arr.send("[\"x\"]");
        assertThat(v.refusal()).isEqualTo("unknown_event");
        assertThat(v.toClient()).isNull();
    }

    @Test
    void noticesAreThrottledPerCodeAndSecondAndSilencedByNotifyFalse() {
        Harness h = chat(OnDeny.DROP);
        assertThat(h.send("{\"type\":\"a\"}").toClient()).isNotNull();
        assertThat(h.send("{\"type\":\"b\"}").toClient()).isNull();
        assertThat(h.send("x").toClient()).isNotNull(); // other code: own slot
        h.now += 999;
        assertThat(h.send("{\"type\":\"a\"}").toClient()).isNull();
        h.now += 1;
        assertThat(h.send("{\"type\":\"a\"}").toClient()).isNotNull();
        assertThat(h.audits).hasSize(5);

        RouteConfig.Events quiet = new RouteConfig.Events(DefaultAction.DENY, OnDeny.DROP, false, "error", rules());
        Verdict v = new Harness(json("type", quiet)).send("{\"type\":\"a\"}");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(v.toClient()).isNull();
    }

    @Test
    void onDenyCloseCloses1008() {
        Harness h = chat(OnDeny.CLOSE).as("bob", "user");
        Verdict v = h.send("{\"type\":\"admin-kick\"}");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.CLOSE);
        assertThat(v.closeCode()).isEqualTo(1008);
        assertThat(v.refusal()).isEqualTo("forbidden");
    }

    @Test
    void rolesPublicSessionHasNone() {
        Harness h = chat(OnDeny.DROP);
        assertThat(h.send("{\"type\":\"send-message\"}").refusal()).isEqualTo("forbidden");
        h.as("adm", "admin");
        assertThat(h.send("{\"type\":\"send-message\"}")).isSameAs(Verdict.FORWARD);
        assertThat(h.send("{\"type\":\"admin-kick\"}")).isSameAs(Verdict.FORWARD);
    }

    @Test
    void rateLimitOnExceedCloseAndCloseAfter() {
        Harness drop = chat(OnDeny.DROP).as("a", "user");
        drop.gate.retry = 50;
        drop.gate.closeAfter = 3;
        assertThat(drop.send("{\"type\":\"join-room\"}").kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(drop.send("{\"type\":\"join-room\"}").kind()).isEqualTo(Verdict.Kind.DROP);
        Verdict third = drop.send("{\"type\":\"join-room\"}");
        assertThat(third.kind()).isEqualTo(Verdict.Kind.CLOSE);
        assertThat(third.closeCode()).isEqualTo(4429);

        RouteConfig cfg = withRates(json("type", events(DefaultAction.ALLOW, OnDeny.DROP, rules())),
                rates(RouteConfig.OnExceed.CLOSE));
        Harness close = new Harness(cfg);
        close.gate.retry = 10;
        assertThat(close.send("{\"type\":\"x\"}").closeCode()).isEqualTo(4429);
    }

    @Test
    void schemaMaxLengthAndSanitizeRewrite(@TempDir Path dir) throws Exception {
        Path schema = dir.resolve("send.json");
        Files.writeString(schema, """
                {"type":"object","required":["type","message"],
                 "properties":{"message":{"type":"string"},"n":{"type":"integer"}}}""");
        Harness h = new Harness(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules(
                "send-message", payload(schema, Map.of("message", SanitizeMode.TEXT, "meta.html", SanitizeMode.BASIC_HTML),
                        Map.of("message", 40))))));
        assertThat(h.send("{\"type\":\"send-message\",\"message\":\"Tom & Jerry's\"}")).isSameAs(Verdict.FORWARD);
        assertThat(h.send("{\"type\":\"send-message\"}").refusal()).isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"send-message\",\"message\":\"x\",\"n\":1.5}").refusal()).isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"send-message\",\"message\":\"" + "a".repeat(41) + "\"}").refusal()).isEqualTo("invalid");
        Verdict v = h.send("{\"type\":\"send-message\",\"z\":1.50,\"message\":\"<b>hi</b><script>x()</script>\",\"meta\":{\"html\":\"<a href=\\\"http://e.x\\\" onclick=\\\"x\\\">l</a>\"}}");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.FORWARD_REWRITTEN);
        assertThat(str(v.rewritten())).isEqualTo(
                "{\"type\":\"send-message\",\"z\":1.50,\"message\":\"hi\",\"meta\":{\"html\":\"<a href=\\\"http://e.x\\\" rel=\\\"nofollow noopener\\\">l</a>\"}}");
        assertThat(h.send("{\"type\":\"nope\"}").refusal()).isEqualTo("unknown_event");
    }

    /** Finding 5: sanitize and max_length reach every string under the named field, not only a string field. */
    @Test
    void sanitizeAndMaxLengthApplyToEveryStringUnderTheField(@TempDir Path dir) throws Exception {
        Harness h = new Harness(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules(
                "send", payload(null, Map.of("message", SanitizeMode.TEXT), Map.of("message", 40))))));
        Verdict arr = h.send("{\"type\":\"send\",\"message\":[\"<img src=x onerror=alert(1)>hi\",{\"a\":[\"<b>x</b>\"]},3]}");
        assertThat(arr.kind()).isEqualTo(Verdict.Kind.FORWARD_REWRITTEN);
        assertThat(str(arr.rewritten())).isEqualTo("{\"type\":\"send\",\"message\":[\"hi\",{\"a\":[\"x\"]},3]}")
                .doesNotContain("<").doesNotContain(">");
        assertThat(h.send("{\"type\":\"send\",\"message\":[\"" + "a".repeat(41) + "\"]}").refusal())
                .as("a long string inside an array").isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"send\",\"message\":{\"deep\":{\"x\":\"" + "a".repeat(41) + "\"}}}").refusal())
                .isEqualTo("invalid");
        assertThat(h.send("{\"type\":\"send\",\"message\":[\"plain\",1,null,true]}")).isSameAs(Verdict.FORWARD);

        // sanitizing must not produce what the schema refuses
        Path schema = dir.resolve("s.json");
        Files.writeString(schema, """
                {"type":"object","properties":{"message":{"type":"string","minLength":4}}}""");
        Harness checked = new Harness(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules(
                "send", payload(schema, Map.of("message", SanitizeMode.TEXT), null)))));
        assertThat(checked.send("{\"type\":\"send\",\"message\":\"<b></b>abcd\"}").kind())
                .isEqualTo(Verdict.Kind.FORWARD_REWRITTEN);
        assertThat(checked.send("{\"type\":\"send\",\"message\":\"<b>abcd</b>a\"}").kind())
                .isEqualTo(Verdict.Kind.FORWARD_REWRITTEN);
        assertThat(checked.send("{\"type\":\"send\",\"message\":\"<i></i>ab\"}").refusal())
                .as("valid before, 2 characters after sanitizing").isEqualTo("invalid");
    }

    /** A message that sanitizing (escaping) makes larger than max_message_bytes is refused, never forwarded. */
    @Test
    void aSanitizedMessageOverMaxMessageBytesIsInvalid() {
        Harness h = new Harness(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules(
                "send", payload(null, Map.of("message", SanitizeMode.BASIC_HTML), null)))));
        String grows = "{\"type\":\"send\",\"message\":\"" + "&".repeat(20_000) + "\"}";  // 20 KB, 100 KB escaped
        assertThat(grows.length()).isLessThan(65536);
        assertThat(h.send(grows).refusal()).isEqualTo("invalid");
        Verdict small = h.send("{\"type\":\"send\",\"message\":\"a & b\"}");
        assertThat(str(small.rewritten())).isEqualTo("{\"type\":\"send\",\"message\":\"a &amp; b\"}");
    }

    @Test
    void treeFirstRoutesJudgeEveryMessageLikeScanningRoutes() {
        EventRule limited = payload(null, null, Map.of("m", 5));
        RouteConfig treeCfg = json("a.type", events(DefaultAction.DENY, OnDeny.DROP, rules("go", limited, "$default", limited)));
        RouteConfig scanCfg = json("a.type", events(DefaultAction.DENY, OnDeny.DROP, rules("go", limited, "$default", limited,
                "other", rule())));
        assertThat(RouteRules.compile(treeCfg).treeFirst()).isTrue();
        assertThat(RouteRules.compile(scanCfg).treeFirst()).isFalse();
        Harness tree = new Harness(treeCfg);
        Harness scan = new Harness(scanCfg);
        String[] inputs = {
                "{\"a\":{\"type\":\"go\"},\"m\":\"ok\"}", "{\"a\":{\"type\":\"go\"},\"m\":\"too long\"}",
                "{\"a\":{\"type\":\"nope\"}}", "{\"a\":{\"type\":5}}", "{\"a\":[{\"type\":\"go\"}]}", "{\"type\":\"go\"}",
                "", "  ", "hello", "null", "\"go\"", "[1,2]", "{\"a\":1}{\"a\":2}", "{\"a\":1} x", "{\"a\":",
                "{\"a\":{\"type\":\"go\",\"type\":\"go\"}}", "{\"a\":{\"type\":\"go\"},\"x\":[{\"k\":1,\"k\":2}]}",
                "{\"a\":{\"type\":\"go\"},\"x\":[{\"__proto__\":1}]}", "{\"a\":{\"type\":\"go\",\"\\u005f_proto__\":1}}",
                "[".repeat(70) + "]".repeat(70), "{\"a\":{\"type\":\"go\"},\"n\":" + "9".repeat(150) + "}",
                "{\"a\":{\"type\":\"go\"},\"n\":1.50e3,\"m\":\"\u00e9\"}"};
        for (String in : inputs) {
            Verdict t = tree.send(in);
            Verdict s = scan.send(in);
            assertThat(t.kind()).as(in).isEqualTo(s.kind());
            assertThat(t.refusal()).as(in).isEqualTo(s.refusal());
            assertThat(t.event()).as(in).isEqualTo(s.event());
        }
        assertThat(tree.send(inputs[0])).isSameAs(Verdict.FORWARD);
        assertThat(tree.send(inputs[1]).refusal()).isEqualTo("invalid");
        assertThat(tree.send(inputs[15]).refusal()).isEqualTo("invalid");
    }

    @Test
    void rawRoutesOnlyRateLimitAndNeverNotify() {
        Harness h = new Harness(raw(RouteConfig.OnExceed.DROP));
        assertThat(h.send("anything {\"__proto__\":1}")).isSameAs(Verdict.FORWARD);
        assertThat(h.sendBinary(new byte[]{(byte) 0xff, 0})).isSameAs(Verdict.FORWARD);
        assertThat(h.gate.events).containsExactly(null, null);
        h.gate.retry = 5;
        Verdict v = h.send("x");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(v.toClient()).isNull();
        Harness c = new Harness(raw(RouteConfig.OnExceed.CLOSE));
        c.gate.retry = 5;
        assertThat(c.send("x").closeCode()).isEqualTo(4429);
    }

    @Test
    void controlFramesCountOnlyAsControl() {
        Harness h = chat(OnDeny.DROP);
        assertThat(h.inspector.onClientControl()).isSameAs(Verdict.FORWARD);
        h.gate.controlRetry = 3;
        assertThat(h.inspector.onClientControl().kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(h.gate.events).containsExactly("#control", "#control");
        assertThat(h.inspector.watchesUpstream()).isFalse();
        assertThat(h.inspector.mayWriteToClient()).isTrue();
    }
}
