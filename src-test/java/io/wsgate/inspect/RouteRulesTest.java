package io.wsgate.inspect;

import io.wsgate.config.InvalidSettingException;
import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.DefaultAction;
import io.wsgate.config.RouteConfig.OnDeny;
import io.wsgate.config.RouteConfig.SanitizeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.wsgate.inspect.Harness.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteRulesTest {
    private static void badKey(RouteConfig cfg, String key, String messagePart) {
        assertThatThrownBy(() -> RouteRules.compile(cfg))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((InvalidSettingException) e).keyPath()).isEqualTo(key));
    }

    @Test
    void fieldPaths() {
        FieldPath p = FieldPath.parse("data[0].type");
        assertThat(p.size()).isEqualTo(3);
        assertThat(p.name(0)).isEqualTo("data");
        assertThat(p.index(1)).isZero();
        assertThat(p.name(2)).isEqualTo("type");
        assertThat(FieldPath.parse("[3]").startsWithIndex()).isTrue();
        assertThat(FieldPath.parse("a[1][2]").size()).isEqualTo(3);
        for (String bad : List.of("", "a.", ".a", "a..b", "a[", "a[x]", "a[]", "a]b", "[1]b", "a.[1]")) {
            assertThatThrownBy(() -> FieldPath.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void badEventPath() {
        badKey(json("payload..action", null), "protocol.event", "misplaced");
    }

    @Test
    void schemaProblemsNameTheRuleKey(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.json");
        badKey(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("send-message", payload(missing, null, null)))),
                "events.rules.send-message.schema", "cannot read");
        Path notJson = Files.writeString(dir.resolve("bad.json"), "{\"type\":");
        badKey(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("send-message", payload(notJson, null, null)))),
                "events.rules.send-message.schema", "not valid JSON");
        Path badSchema = Files.writeString(dir.resolve("s.json"), "{\"type\":\"strnig\"}");
        badKey(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("a", payload(badSchema, null, null)))),
                "events.rules.a.schema", "not a valid schema");
        Path unknownDialect = Files.writeString(dir.resolve("u.json"), "{\"$schema\":\"http://example.com/x\"}");
        badKey(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("a", payload(unknownDialect, null, null)))),
                "events.rules.a.schema", "unsupported $schema");
    }

    @Test
    void draft07WhenTheSchemaSaysSo(@TempDir Path dir) throws Exception {
        // draft-07 ignores prefixItems (2020-12 keyword) but honours array-form items
        Path d7 = Files.writeString(dir.resolve("d7.json"),
                "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"items\":[{\"type\":\"string\"}]}");
        Path d2020 = Files.writeString(dir.resolve("d2020.json"), "{\"prefixItems\":[{\"type\":\"string\"}]}");
        RouteRules r = RouteRules.compile(socketio(null, events(DefaultAction.DENY, OnDeny.DROP,
                rules("a", payload(d7, null, null), "b", payload(d2020, null, null)))));
        var num = StrictJson.MAPPER.readTree("[1]");
        var str = StrictJson.MAPPER.readTree("[\"x\"]");
        assertThat(r.rule("a").schema().validate(num)).isNotEmpty();
        assertThat(r.rule("a").schema().validate(str)).isEmpty();
        assertThat(r.rule("b").schema().validate(num)).isNotEmpty();
        assertThat(r.rule("b").schema().validate(str)).isEmpty();
    }

    @Test
    void sameSchemaFileCompiledOnce(@TempDir Path dir) throws Exception {
        Path s = Files.writeString(dir.resolve("s.json"), "{\"type\":\"object\"}");
        RouteRules r = RouteRules.compile(json("type", events(DefaultAction.DENY, OnDeny.DROP,
                rules("a", payload(s, null, null), "b", payload(s, null, null)))));
        assertThat(r.rule("a").schema()).isSameAs(r.rule("b").schema());
    }

    @Test
    void fieldRuleProblems() {
        badKey(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("a", payload(null, Map.of("x..y", SanitizeMode.TEXT), null)))),
                "events.rules.a.sanitize.x..y", "misplaced");
        badKey(json("type", events(DefaultAction.DENY, OnDeny.DROP, rules("a", payload(null, null, Map.of("m", 0))))),
                "events.rules.a.max_length.m", "positive");
        badKey(socketio(null, events(DefaultAction.DENY, OnDeny.DROP, rules("a", payload(null, Map.of("message", SanitizeMode.TEXT), null)))),
                "events.rules.a.sanitize.message", "[0].message");
        badKey(socketio(null, events(DefaultAction.DENY, OnDeny.DROP, rules("connect", rule()))),
                "events.rules.connect", "reserved");
        badKey(new RouteConfig("r.yaml", routeSection(), new RouteConfig.Protocol(RouteConfig.Kind.RAW, null, null, 0), null,
                null, null, events(DefaultAction.DENY, OnDeny.DROP, rules("a", rule()))), "events.rules", "raw");
        badKey(socketio(Map.of("admin", new RouteConfig.Namespace(List.of())), null), "protocol.namespaces.admin", "'/'");
        badKey(withAuth(json("type", null), List.of("socketio_auth:token"), null), "auth.token_from", "socketio");
        badKey(withAuth(json("type", null), List.of("first_message:a..b"), null), "auth.token_from", "first_message");
    }

    @Test
    void defaultsAndLookups() {
        RouteRules none = RouteRules.compile(json(null, null));
        assertThat(none.eventPath().toString()).isEqualTo("type");
        assertThat(none.rule("anything")).isSameAs(EventPolicy.ALLOW_ANY);
        assertThat(none.rule("$default")).isNull();
        assertThat(none.notifyEvent()).isEqualTo("error");
        RouteRules sio = RouteRules.compile(socketio(null, null));
        assertThat(sio.maxAttachments()).isEqualTo(10);
        assertThat(sio.namespaces()).isNull();
    }
}
