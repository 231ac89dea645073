package io.wsgate.inspect;

import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.Namespace;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.config.RouteConfig.SanitizeMode;
import io.wsgate.policy.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.wsgate.inspect.Harness.*;
import static org.assertj.core.api.Assertions.assertThat;

class SocketIoCodecTest {
    private static Harness open() {
        return new Harness(socketio(null, null));
    }

    private static final byte[] BIN = {1, 2, 3};

    /** Encodings from socket.io-parser's tests and the protocol doc, behind Engine.IO's 4. */
    @ParameterizedTest
    @ValueSource(strings = {"40", "40/woot,{\"token\":\"123\"}", "40/admin", "41/woot,", "41",
            "42[\"a\",1,{}]", "42[1,\"a\",{}]", "42/test,1[\"a\",1,{}]", "43123[\"a\",1,{}]", "4312[]",
            "42/admin,13[\"foo\"]", "42[\"error\",{\"x\":null}]", "42[\"b\",{\"a\":\"val\"}]", "42[0]", "42[-7]", "42[\"x\",1e2,-0]"})
    void validPacketsForwardUntouched(String packet) {
        Harness h = open();
        assertThat(h.send(packet)).isSameAs(Verdict.FORWARD);
    }

    @Test
    void binaryPacketsForwardWithTheirAttachments() {
        Harness h = open();
        assertThat(h.send("451-[\"baz\",{\"_placeholder\":true,\"num\":0}]")).isSameAs(Verdict.FORWARD);
        assertThat(h.sendBinary(BIN)).isSameAs(Verdict.FORWARD);
        assertThat(h.send("461-15[\"bar\",{\"_placeholder\":true,\"num\":0}]")).isSameAs(Verdict.FORWARD);
        assertThat(h.sendBinary(BIN)).isSameAs(Verdict.FORWARD);
        assertThat(h.send("452-/admin,[\"two\",{\"a\":{\"_placeholder\":true,\"num\":1}},[{\"_placeholder\":true,\"num\":0}]]"))
                .isSameAs(Verdict.FORWARD);
        assertThat(h.sendBinary(BIN)).isSameAs(Verdict.FORWARD);
        assertThat(h.sendBinary(BIN)).isSameAs(Verdict.FORWARD);
        assertThat(h.send("42[\"after\"]")).isSameAs(Verdict.FORWARD);
        // counted once per packet, attachments included
        assertThat(h.gate.events).containsExactly("baz", null, "two", "after");
    }

    /** socket.io-parser rejects these (several were CVEs); the wire-level ones close a Socket.IO server too. */
    @ParameterizedTest
    @ValueSource(strings = {"4442[\"some\",\"data\"", "40/admin,\"invalid\"", "40[]", "41/admin,{}", "42/admin,\"invalid",
            "42/admin,{}", "42[{\"toString\":\"foo\"}]", "42[true,\"foo\"]", "42[null,\"bar\"]", "42[\"connect\"]",
            "42[\"disconnect\",\"123\"]", "42[\"connect_error\"]", "42[\"disconnecting\"]", "42[\"newListener\"]",
            "42[\"removeListener\"]", "42[\"\\u0063onnect\"]", "4999", "45", "451", "450-", "45a-", "451.23-",
            "451-[\"hello\",{\"_placeholder\":true,\"num\":\"splice\"}]",
            "451-[\"hello\",{\"_placeholder\":true,\"num\":1}]", "451-[\"hello\",{\"_placeholder\":true,\"num\":-1}]",
            "451-[\"hello\",{\"_placeholder\":true,\"num\":0.5}]", "451-[\"hello\",[{\"_placeholder\":true}]]",
            "4511-[\"hello\"]", "4abc", "42{}", "42abc[\"x\"]", "42", "42[]", "42[1.5]", "42 [\"x\"]", "42/a, 1[\"x\"]",
            "4212345678901[\"x\"]", "4299999999999[\"x\"]", "43[]", "43", "44{\"message\":\"x\"}", "40{\"a\":1}x",
            "401{}", "0{\"sid\":\"x\"}", "7", "x", "", "42[\"a\"", "42[\"a\"][\"b\"]", "461-[{\"_placeholder\":true,\"num\":3}]"})
    void malformedPacketsClose1008(String packet) {
        Harness h = open();
        Verdict v = h.send(packet);
        assertThat(v.kind()).as(packet).isEqualTo(Verdict.Kind.CLOSE);
        assertThat(v.closeCode()).isEqualTo(1008);
        assertThat(h.audits).containsExactly("malformed:null");
    }

    @Test
    void attachmentCapFollowsMaxAttachments() {
        RouteConfig cfg = new RouteConfig("r.yaml", routeSection(),
                new RouteConfig.Protocol(RouteConfig.Kind.SOCKETIO, null, null, 2), null, null, null, null);
        Harness h = new Harness(cfg);
        assertThat(h.send("453-[\"hello\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":2}]")
                .closeCode()).isEqualTo(1008);
        assertThat(new Harness(cfg).send("452-[\"hello\",{\"_placeholder\":true,\"num\":1}]")).isSameAs(Verdict.FORWARD);
        RouteConfig none = new RouteConfig("r.yaml", routeSection(),
                new RouteConfig.Protocol(RouteConfig.Kind.SOCKETIO, null, null, 0), null, null, null, null);
        assertThat(new Harness(none).send("451-[\"hello\",{\"_placeholder\":true,\"num\":0}]").closeCode()).isEqualTo(1008);
        assertThat(new Harness(none).send("42[\"hello\"]")).isSameAs(Verdict.FORWARD);
    }

    @Test
    void binaryFrameWithoutPacketAndTextWhileAttachmentsPendingAreMalformed() {
        assertThat(open().sendBinary(BIN).closeCode()).isEqualTo(1008);
        Harness h = open();
        assertThat(h.send("452-[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]")).isSameAs(Verdict.FORWARD);
        assertThat(h.sendBinary(BIN)).isSameAs(Verdict.FORWARD);
        assertThat(h.send("3").closeCode()).isEqualTo(1008);
    }

    @Test
    void engineIoControlPacketsPassAndCountAsControl() {
        Harness h = open();
        for (String p : List.of("2probe", "3probe", "3")) {
            assertThat(h.send(p)).as(p).isSameAs(Verdict.FORWARD);
        }
        assertThat(h.gate.events).containsOnly("#control");
        h.gate.controlRetry = 9;
        assertThat(h.send("3").kind()).isEqualTo(Verdict.Kind.DROP);
    }

    /** Noop, upgrade and close packets after the handshake spend the message budget, not the control one. */
    @Test
    void engineIoNoopUpgradeAndCloseSpendTheMessageBudget() {
        Harness h = open();
        for (String p : List.of("5", "6", "1")) {
            assertThat(h.send(p)).as(p).isSameAs(Verdict.FORWARD);
        }
        assertThat(h.gate.events).hasSize(3).containsOnlyNulls();
        h.gate.retry = 9;
        assertThat(h.send("6").kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(h.send("6").refusal()).isEqualTo("rate_limited");
    }

    @Test
    void refusedBinaryPacketDropsItsAttachmentsToo() {
        Harness h = new Harness(socketio(null, events(DefaultAction.DENY, OnDeny.DROP, rules("ok", rule()))));
        Verdict v = h.send("451-/chat,[\"secret\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(str(v.toClient())).isEqualTo("42/chat,[\"error\",{\"code\":\"unknown_event\",\"event\":\"secret\"}]");
        Verdict att = h.sendBinary(BIN);
        assertThat(att.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(att.refusal()).isNull();
        assertThat(h.send("42[\"ok\"]")).isSameAs(Verdict.FORWARD);
        assertThat(h.audits).containsExactly("unknown_event:secret");
    }

    @Test
    void noticeShapesInNamespaces() {
        Harness h = new Harness(socketio(null, events(DefaultAction.DENY, OnDeny.DROP,
                rules("admin-kick", rule("admin"), "chat", rule())))).as("bob", "user");
        assertThat(str(h.send("42[\"admin-kick\"]").toClient()))
                .isEqualTo("42[\"error\",{\"code\":\"forbidden\",\"event\":\"admin-kick\"}]");
        assertThat(str(h.send("42/admin,5[\"nope\"]").toClient()))
                .isEqualTo("42/admin,[\"error\",{\"code\":\"unknown_event\",\"event\":\"nope\"}]");
        h.gate.retry = 120;
        assertThat(str(h.send("42[\"chat\"]").toClient()))
                .isEqualTo("42[\"error\",{\"code\":\"rate_limited\",\"event\":\"chat\",\"retry_after_ms\":120}]");
        h.gate.retry = 0;
        assertThat(str(h.send("42[\"chat\",{\"a\":1,\"a\":2}]").toClient()))
                .isEqualTo("42[\"error\",{\"code\":\"invalid\",\"event\":\"chat\"}]");
        assertThat(h.send("42[\"chat\",{\"__proto__\":{}}]").refusal()).isEqualTo("invalid");
    }

    @Test
    void numericEventNamesMatchRulesAsJavaScriptPrintsThem() {
        Harness h = new Harness(socketio(null, events(DefaultAction.ALLOW, OnDeny.DROP, rules("1", rule("admin")))));
        assertThat(h.send("42[1]").refusal()).isEqualTo("forbidden");
        assertThat(h.send("42[2]")).isSameAs(Verdict.FORWARD);
        // JavaScript would rename these (String(1.0) is "1"): refused as malformed, never matched by text
        for (String name : List.of("1.0", "1e0", "-0", "10E-1")) {
            Harness m = new Harness(socketio(null, events(DefaultAction.ALLOW, OnDeny.DROP, rules("1", rule("admin")))));
            assertThat(m.send("42[" + name + "]").closeCode()).as(name).isEqualTo(1008);
        }
    }

    @Test
    void noNoticeWhileAttachmentsTowardTheClientArePending() {
        Harness h = new Harness(socketio(null, events(DefaultAction.DENY, OnDeny.DROP, rules())));
        assertThat(h.inspector.watchesUpstream()).isTrue();
        byte[] up = "451-[\"file\",{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.UTF_8);
        h.inspector.onUpstreamMessage(false, up, 0, up.length);
        assertThat(h.inspector.mayWriteToClient()).isFalse();
        Verdict v = h.send("42[\"x\"]");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(v.toClient()).isNull();
        h.inspector.onUpstreamMessage(true, BIN, 0, BIN.length);
        assertThat(h.inspector.mayWriteToClient()).isTrue();
        h.now += 5000;
        assertThat(h.send("42[\"x\"]").toClient()).isNotNull();
    }

    @Test
    void namespacesUnknownAndForbiddenAreAnsweredByTheGateway() {
        Map<String, Namespace> ns = Map.of("/", new Namespace(List.of()), "/admin", new Namespace(List.of("admin")));
        Harness h = new Harness(socketio(ns, null)).as("bob", "user");
        assertThat(h.send("40")).isSameAs(Verdict.FORWARD);
        Verdict unknown = h.send("40/nope,{}");
        assertThat(unknown.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(str(unknown.toClient())).isEqualTo("44/nope,{\"message\":\"Invalid namespace\"}");
        Verdict forbidden = h.send("40/admin");
        assertThat(str(forbidden.toClient())).isEqualTo("44/admin,{\"message\":\"Forbidden\"}");
        assertThat(h.send("42/admin,[\"kick\"]").refusal()).isEqualTo("forbidden");
        h.as("root", "admin");
        assertThat(h.send("40/admin,")).isSameAs(Verdict.FORWARD);
        assertThat(h.send("42/admin,[\"kick\"]")).isSameAs(Verdict.FORWARD);
    }

    @Test
    void sanitizeRewriteKeepsPrefixNamespaceAckIdAndAttachments() {
        RouteConfig.EventRule r = payload(null, Map.of("[0].text", SanitizeMode.TEXT), Map.of("[0].text", 100));
        Harness h = new Harness(socketio(null, events(DefaultAction.DENY, OnDeny.DROP, rules("msg", r))));
        Verdict v = h.send("451-/chat,7[\"msg\",{\"text\":\"<i>hi</i> &amp; bye\"},{\"_placeholder\":true,\"num\":0}]");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.FORWARD_REWRITTEN);
        assertThat(str(v.rewritten()))
                .isEqualTo("451-/chat,7[\"msg\",{\"text\":\"hi & bye\"},{\"_placeholder\":true,\"num\":0}]");
        assertThat(h.sendBinary(BIN)).isSameAs(Verdict.FORWARD);
        assertThat(h.send("4212[\"msg\",{\"text\":\"plain\"}]")).isSameAs(Verdict.FORWARD);
        assertThat(h.send("42[\"msg\",{\"text\":\"" + "<".repeat(101) + "\"}]").refusal()).isEqualTo("invalid");
    }

    @Test
    void attachmentsCountTowardTheEventMaxBytes() {
        Harness h = new Harness(socketio(null, events(DefaultAction.DENY, OnDeny.DROP, rules("up", maxBytes(60)))));
        String p = "451-[\"up\",{\"_placeholder\":true,\"num\":0}]";
        assertThat(h.send(p)).isSameAs(Verdict.FORWARD);
        assertThat(h.sendBinary(new byte[60 - p.length()])).isSameAs(Verdict.FORWARD);
        assertThat(h.send(p)).isSameAs(Verdict.FORWARD);
        assertThat(h.sendBinary(new byte[61 - p.length()]).closeCode()).isEqualTo(1009);
    }
}
