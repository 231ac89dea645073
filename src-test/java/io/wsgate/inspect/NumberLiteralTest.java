package io.wsgate.inspect;

import io.wsgate.config.InvalidSettingException;
import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.EventRule;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.wsgate.inspect.Harness.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract "Work per input is bounded": number literals are judged by their text, never expanded. Longer than
 * 100 characters or an exponent above 400 in absolute value makes a message invalid anywhere in it (json:
 * {@code invalid}; socketio: malformed, 1008), whether or not a rule reads the number.
 */
class NumberLiteralTest {
    /** Exactly 100 characters: sign, digits, point and exponent all count. */
    static final String LEN_100 = "-1." + "2".repeat(92) + "e+400";
    static final String LEN_101 = "-1." + "2".repeat(93) + "e+400";
    static final String DIGITS_100 = "9".repeat(100);
    static final String DIGITS_101 = "9".repeat(101);
    static final List<String> OUT = List.of("1e401", "1e-401", "1E+401", "-2.5E-401", "1e0000000000000000401",
            "1e20000000", "1e-20000000", "1e99999999999999999999", DIGITS_101, LEN_101, "-" + DIGITS_100,
            "0." + "0".repeat(99));
    static final List<String> IN = List.of("-0.5e400", "1e400", "1e-400", "1E+400", "1e0400", "1e-000400",
            DIGITS_100, "-" + "9".repeat(99), LEN_100, "0", "-0", "1.5", "1e0");

    private static boolean bounded(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return NumberLiterals.allWithinBounds(b, 0, b.length);
    }

    @Test
    void literalBoundsByText() {
        assertThat(LEN_100).hasSize(100);
        assertThat(LEN_101).hasSize(101);
        for (String n : OUT) {
            assertThat(bounded(n)).as(n).isFalse();
            assertThat(bounded("{\"a\":[1,{\"b\":" + n + "}]}")).as(n).isFalse();
        }
        for (String n : IN) {
            assertThat(bounded(n)).as(n).isTrue();
            assertThat(bounded("{\"a\":[1,{\"b\":" + n + "}]}")).as(n).isTrue();
        }
        // strings are not numbers, escapes included
        assertThat(bounded("[\"1e999\",\"\\\"1e999\",\"\\\\\",\"x\"]")).isTrue();
        assertThat(bounded("[\"\\\\\",1e999]")).isFalse();
        assertThat(bounded("{\"" + DIGITS_101 + "\":true}")).isTrue();
    }

    // ---- json

    private static Harness jsonDefaultAllowed() {
        return new Harness(json("type", events(DefaultAction.ALLOW, OnDeny.DROP, rules("$default", rule()))));
    }

    @Test
    void jsonOutOfBoundsNumbersAreInvalidAnywhere() {
        Harness h = jsonDefaultAllowed();
        for (String n : OUT) {
            for (String msg : List.of("{\"type\":\"chat\",\"n\":" + n + "}", "{\"type\":\"chat\",\"a\":[[{\"x\":[" + n + "]}]]}",
                    "{\"type\":" + n + "}", n, "[" + n + "]", "{\"type\":\"chat\",\"a\":[1,2," + n + "]}")) {
                Verdict v = h.send(msg);
                assertThat(v.kind()).as(msg).isEqualTo(Verdict.Kind.DROP);
                assertThat(v.refusal()).as(msg).isEqualTo("invalid");
            }
        }
        for (String n : IN) {
            assertThat(h.send("{\"type\":\"chat\",\"a\":[[{\"x\":[" + n + "]}]]}")).as(n).isSameAs(Verdict.FORWARD);
        }
    }

    @Test
    void jsonTreeFirstAndScanningRoutesAgree(@TempDir Path dir) throws Exception {
        Path schema = dir.resolve("s.json");
        Files.writeString(schema, "{\"type\":\"object\",\"properties\":{\"n\":{\"multipleOf\":1e-400,\"minimum\":-1e400}}}");
        EventRule withSchema = payload(schema, null, null);
        RouteConfig treeCfg = json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("go", withSchema)));
        RouteConfig scanCfg = json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("go", withSchema, "other", rule())));
        assertThat(RouteRules.compile(treeCfg).treeFirst()).isTrue();
        Harness tree = new Harness(treeCfg);
        Harness scan = new Harness(scanCfg);
        for (String n : OUT) {
            String msg = "{\"type\":\"go\",\"n\":" + n + "}";
            assertThat(tree.send(msg).refusal()).as(msg).isEqualTo("invalid");
            assertThat(scan.send(msg).refusal()).as(msg).isEqualTo("invalid");
        }
        // the largest numbers the caps allow meet the schema's multipleOf and minimum
        for (String n : List.of("1e400", "-0.5e400", "1e-400", "7", LEN_100.substring(1))) {
            String msg = "{\"type\":\"go\",\"n\":" + n + "}";
            assertThat(tree.send(msg)).as(msg).isSameAs(Verdict.FORWARD);
            assertThat(scan.send(msg)).as(msg).isSameAs(Verdict.FORWARD);
        }
        assertThat(tree.send("{\"type\":\"go\",\"n\":-2e400}").refusal()).isEqualTo("invalid");
    }

    @Test
    void tokensBesideAnOutOfBoundsNumberAreNeverVerified() {
        InMessageAuthTest.FakeTokens tokens = new InMessageAuthTest.FakeTokens();
        RouteConfig fm = withAuth(json("type", null), List.of("first_message:token"), null);
        assertThat(new Harness(fm, PendingAuth.FIRST_MESSAGE, tokens).send("{\"token\":\"good-a-user\",\"n\":1e20000000}")
                .closeCode()).isEqualTo(4401);
        assertThat(tokens.seen).isEmpty();
        assertThat(new Harness(fm, PendingAuth.FIRST_MESSAGE, tokens).send("{\"token\":\"good-a-user\",\"n\":1e400}"))
                .isSameAs(Verdict.CONSUMED);
        RouteConfig sio = withAuth(socketio(null, null), List.of("socketio_auth:token"), null);
        Harness h = new Harness(sio, PendingAuth.SOCKETIO_AUTH, tokens);
        assertThat(h.send("40{\"token\":\"good-b-user\",\"x\":[1e-401]}").closeCode()).isEqualTo(1008);
        assertThat(tokens.seen).containsExactly("good-a-user");
        Verdict ok = new Harness(sio, PendingAuth.SOCKETIO_AUTH, tokens).send("40{\"token\":\"good-b-user\",\"x\":[1e-400]}");
        assertThat(ok.kind()).isEqualTo(Verdict.Kind.FORWARD_REWRITTEN); // the token is stripped
        assertThat(str(ok.rewritten())).isEqualTo("40{\"x\":[1E-400]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"multipleOf\":1e-401", "minimum\":1e401", "maximum\":99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999",
            "maxLength\":1e20000000"})
    void schemaWithOutOfBoundsNumbersIsRefusedAtLoad(String keyword, @TempDir Path dir) throws Exception {
        Path schema = dir.resolve("s.json");
        Files.writeString(schema, "{\"properties\":{\"n\":{\"" + keyword + "}}}");
        RouteConfig cfg = json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("go", payload(schema, null, null))));
        assertThatThrownBy(() -> RouteRules.compile(cfg)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("exponent above 400");
    }

    // ---- BOM

    @Test
    void jsonMessageStartingWithAByteOrderMarkIsInvalidWhateverDefaultAllows() {
        byte[] bom = "\uFEFF{\"type\":\"chat\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(bom[0]).isEqualTo((byte) 0xEF);
        Harness allowAll = new Harness(json("type", events(DefaultAction.ALLOW, OnDeny.DROP, rules("$default", rule()))));
        assertThat(allowAll.send(bom).refusal()).isEqualTo("invalid");
        assertThat(allowAll.send("\uFEFFnot json").refusal()).isEqualTo("invalid");
        assertThat(allowAll.send("\uFEFF").refusal()).isEqualTo("invalid");
        assertThat(allowAll.send("{\"type\":\"chat\",\"m\":\"\uFEFF\"}")).isSameAs(Verdict.FORWARD);
        InMessageAuthTest.FakeTokens tokens = new InMessageAuthTest.FakeTokens();
        RouteConfig fm = withAuth(json("type", null), List.of("first_message:token"), null);
        assertThat(new Harness(fm, PendingAuth.FIRST_MESSAGE, tokens).send("\uFEFF{\"token\":\"good-a-user\"}")
                .closeCode()).isEqualTo(4401);
        assertThat(tokens.seen).isEmpty();
    }

    // ---- socketio

    private static Harness sio() {
        return new Harness(socketio(null, null));
    }

    @Test
    void socketIoOutOfBoundsNumbersAreMalformedAnywhere() {
        for (String n : OUT) {
            for (String packet : List.of("42[" + n + ",\"x\"]", "42[\"x\"," + n + "]", "42[\"x\",{\"a\":[[" + n + "]]}]",
                    "42/admin,7[\"x\",[1," + n + "]]", "40{\"token\":\"t\",\"n\":" + n + "}", "40/admin,{\"a\":{\"b\":" + n + "}}",
                    "431[" + n + "]", "43/admin,2[\"ok\",{\"n\":" + n + "}]",
                    "451-[\"x\",{\"_placeholder\":true,\"num\":0}," + n + "]",
                    "451-[\"x\",{\"_placeholder\":true,\"num\":" + n + "}]", "461-3[{\"_placeholder\":true,\"num\":0}," + n + "]")) {
                Harness h = sio();
                Verdict v = h.send(packet);
                assertThat(v.kind()).as(packet).isEqualTo(Verdict.Kind.CLOSE);
                assertThat(v.closeCode()).as(packet).isEqualTo(1008);
                assertThat(h.audits).as(packet).containsExactly("malformed:null");
            }
        }
    }

    @Test
    void socketIoNumbersWithinBoundsPass() {
        for (String n : IN) {
            for (String packet : List.of("42[\"x\"," + n + "]", "42[\"x\",{\"a\":[[" + n + "]]}]",
                    "40{\"token\":\"t\",\"n\":" + n + "}", "431[" + n + "]")) {
                assertThat(sio().send(packet)).as(packet).isSameAs(Verdict.FORWARD);
            }
        }
    }

    @Test
    void numericEventNamesAreSafeIntegersAsJavaScriptPrintsThem() {
        assertThat(SocketIoCodec.numericName("0")).isEqualTo("0");
        assertThat(SocketIoCodec.numericName("-42")).isEqualTo("-42");
        assertThat(SocketIoCodec.numericName("9007199254740991")).isEqualTo("9007199254740991");
        assertThat(SocketIoCodec.numericName("-9007199254740991")).isEqualTo("-9007199254740991");
        assertThat(SocketIoCodec.numericName("999999999999999")).isEqualTo("999999999999999");
        for (String no : List.of("9007199254740992", "-9007199254740992", "9999999999999999", "12345678901234567",
                "-0", "1.0", "1e2", "1E0", "0.5", "10e-1", "1e400", "", "-")) {
            assertThat(SocketIoCodec.numericName(no)).as(no).isNull();
        }
        Harness h = new Harness(socketio(null, events(DefaultAction.DENY, OnDeny.DROP,
                rules("9007199254740991", rule(), "-3", rule()))));
        assertThat(h.send("42[9007199254740991,1]")).isSameAs(Verdict.FORWARD);
        assertThat(h.send("42[-3]")).isSameAs(Verdict.FORWARD);
        assertThat(sio().send("42[9007199254740993]").closeCode()).isEqualTo(1008);
        assertThat(sio().send("42[1e20000000,\"x\"]").closeCode()).isEqualTo(1008);
        assertThat(sio().send("42[3e0,\"x\"]").closeCode()).isEqualTo(1008);
    }

    @Test
    void numbersInsideStringsAreText() {
        Harness h = sio();
        assertThat(h.send("42[\"1e20000000\",\"" + DIGITS_101 + "\",{\"" + DIGITS_101 + "\":\"1e-401\"}]"))
                .isSameAs(Verdict.FORWARD);
        Harness j = jsonDefaultAllowed();
        assertThat(j.send("{\"type\":\"1e20000000\",\"m\":\"\\\"1e999\"}")).isSameAs(Verdict.FORWARD);
    }

    @Test
    void sanitizeRewriteKeepsBoundedNumbersAsText() {
        Harness h = new Harness(socketio(null, events(DefaultAction.DENY, OnDeny.DROP, rules(
                "chat", payload(null, Map.of("[0]", RouteConfig.SanitizeMode.TEXT), null)))));
        Verdict v = h.send("42[\"chat\",\"<b>x</b>\",1e400,-0.5e-400]");
        assertThat(v.kind()).isEqualTo(Verdict.Kind.FORWARD_REWRITTEN);
        assertThat(str(v.rewritten())).isEqualTo("42[\"chat\",\"x\",1E+400,-5E-401]");
    }
}
