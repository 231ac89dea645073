package io.wsgate.config;

import io.wsgate.inspect.FieldPath;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static io.wsgate.config.SchemaPaths.Kind.ALLOWED;
import static io.wsgate.config.SchemaPaths.Kind.FORBIDDEN;
import static io.wsgate.config.SchemaPaths.Kind.UNDECLARED;
import static io.wsgate.config.SchemaPaths.Kind.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

/** What a schema's text says about a sanitize / max_length path: only a certain "cannot hold it" is FORBIDDEN. */
class SchemaPathsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static SchemaPaths.Verdict check(String schema, String path) {
        return new SchemaPaths(JSON.readTree(schema.replace('\'', '"'))).check(FieldPath.parse(path));
    }

    private static final String CLOSED = """
            {'type':'object','additionalProperties':false,
             'properties':{'message':{'type':'string'},'room':{'type':'string'},'data':{'$ref':'#/$defs/data'}},
             '$defs':{'data':{'type':'object','additionalProperties':false,
               'properties':{'text':{'type':'string'},
                             'tags':{'type':'array','items':{'$ref':'#/$defs/tag'}}}},
               'tag':{'type':'object','properties':{'t':{'type':'string'}},'additionalProperties':false}}}""";

    @Test
    void aClosedObjectRefusesAnUnknownNameAndSuggestsTheClosest() {
        assertThat(check(CLOSED, "message").kind()).isEqualTo(ALLOWED);
        assertThat(check(CLOSED, "mesage")).isEqualTo(new SchemaPaths.Verdict(FORBIDDEN,
                "no property \"mesage\" (did you mean message?) and additionalProperties is false"));
        assertThat(check(CLOSED, "zzzzzzz").reason()).isEqualTo("no property \"zzzzzzz\" and additionalProperties is false");
    }

    @Test
    void refsAndItemsAreFollowed() {
        assertThat(check(CLOSED, "data.text").kind()).isEqualTo(ALLOWED);
        assertThat(check(CLOSED, "data.tags[7].t").kind()).isEqualTo(ALLOWED);
        assertThat(check(CLOSED, "data.txt").reason())
                .isEqualTo("data has no property \"txt\" (did you mean text?) and additionalProperties is false");
        assertThat(check(CLOSED, "data.tags[0].x").reason()).startsWith("data.tags[0] has no property \"x\"");
    }

    @Test
    void typesDecideWhetherANameOrAnIndexCanFollow() {
        assertThat(check(CLOSED, "message.text").reason()).isEqualTo("message is a string, not an object");
        assertThat(check(CLOSED, "[0]").reason()).isEqualTo("the payload is an object, not an array");
        assertThat(check(CLOSED, "data.tags.t").reason()).isEqualTo("data.tags is an array, not an object");
        assertThat(check("{'type':['object','null'],'additionalProperties':false}", "a").kind()).isEqualTo(FORBIDDEN);
        assertThat(check("{'type':['string','object']}", "a").kind()).isEqualTo(ALLOWED);
    }

    @Test
    void tuplesAndItemCaps() {
        String socketio = "{'type':'array','prefixItems':[{'type':'object','properties':{'m':{}},'additionalProperties':false}],"
                + "'items':false}";
        assertThat(check(socketio, "[0].m").kind()).isEqualTo(ALLOWED);
        assertThat(check(socketio, "[1].m").reason()).isEqualTo("the payload has at most 1 item (prefixItems, items: false)");
        assertThat(check("{'type':'array','maxItems':2}", "[2]").reason()).isEqualTo("the payload has at most 2 items (maxItems)");
        assertThat(check("{'type':'array','items':[{}, {}],'additionalItems':false}", "[2]").kind()).isEqualTo(FORBIDDEN);
        assertThat(check("{'type':'array','items':[{}]}", "[5].x").kind()).isEqualTo(ALLOWED);
        assertThat(check("{'items':false}", "[0]").reason()).isEqualTo("the schema allows no value at [0]");
    }

    @Test
    void allOfBranchesMustEachAllow() {
        String s = "{'allOf':[{'properties':{'a':{'type':'string'}}},{'properties':{'a':{}},'additionalProperties':false}]}";
        assertThat(check(s, "a").kind()).isEqualTo(ALLOWED);
        assertThat(check(s, "b").kind()).isEqualTo(FORBIDDEN);
        assertThat(check(s, "a.x").reason()).isEqualTo("a is a string, not an object");
    }

    @Test
    void dynamicSchemasAreNeverRefused() {
        assertThat(check("{'properties':{'a':{}},'patternProperties':{'^x_':{}},'additionalProperties':false}", "b").kind())
                .isEqualTo(UNKNOWN);
        assertThat(check("{'additionalProperties':false,'anyOf':[{'properties':{'a':{}}}]}", "a").kind())
                .as("additionalProperties sees no sibling properties, but anyOf is left alone").isEqualTo(FORBIDDEN);
        assertThat(check("{'anyOf':[{'properties':{'a':{}},'additionalProperties':false},{'type':'string'}]}", "b").kind())
                .isEqualTo(UNKNOWN);
        assertThat(check("{'oneOf':[{'type':'object','additionalProperties':false}]}", "b").kind()).isEqualTo(UNKNOWN);
        assertThat(check("{'properties':{'a':{}},'unevaluatedProperties':false,'allOf':[{'properties':{'b':{}}}]}", "b").kind())
                .isEqualTo(UNKNOWN);
        assertThat(check("{'$ref':'other.json#/x'}", "a").kind()).isEqualTo(UNKNOWN);
        assertThat(check("{'$ref':'#anchor'}", "a").kind()).isEqualTo(UNKNOWN);
        assertThat(check("{'$dynamicRef':'#meta','additionalProperties':true}", "a").kind()).isEqualTo(UNKNOWN);
    }

    @Test
    void aRefCycleEndsUnknownNotInAStackOverflow() {
        assertThat(check("{'$defs':{'a':{'$ref':'#/$defs/b'},'b':{'$ref':'#/$defs/a'}},'$ref':'#/$defs/a'}", "x").kind())
                .isEqualTo(UNKNOWN);
        // a recursive tree is fine: each level is followed as deep as the path goes
        String tree = "{'type':'object','additionalProperties':false,'properties':{'v':{},'kids':{'type':'array','items':{'$ref':'#'}}}}";
        assertThat(check(tree, "kids[0].kids[1].v").kind()).isEqualTo(ALLOWED);
        assertThat(check(tree, "kids[0].kids[1].w").kind()).isEqualTo(FORBIDDEN);
    }

    @Test
    void refsByTheFilesOwnIdAndEscapedPointers() {
        String s = "{'$id':'https://x/s.json','$defs':{'a/b':{'additionalProperties':false}},"
                + "'properties':{'p':{'$ref':'https://x/s.json#/$defs/a~1b'},'q':{'$ref':'#/$defs/a%7E1b'}}}";
        assertThat(check(s, "p.z").kind()).isEqualTo(FORBIDDEN);
        assertThat(check(s, "q.z").kind()).isEqualTo(FORBIDDEN);
    }

    @Test
    void draft07RefIgnoresItsSiblings() {
        String s = "{'$schema':'http://json-schema.org/draft-07/schema#','definitions':{'open':{}},"
                + "'$ref':'#/definitions/open','additionalProperties':false}";
        assertThat(check(s, "a").kind()).isEqualTo(ALLOWED);
        assertThat(check(s.replace("draft-07/schema#", "draft/2020-12/schema").replace("definitions", "$defs"), "a").kind())
                .isEqualTo(FORBIDDEN);
    }

    @Test
    void anOpenObjectWithNamedPropertiesAllowsOthersButSaysSo() {
        String shipped = "{'type':'object','properties':{'type':{},'message':{'type':'string'},'room':{}}}";
        assertThat(check(shipped, "mesage")).isEqualTo(new SchemaPaths.Verdict(UNDECLARED,
                "names no property \"mesage\" (did you mean message?)"));
        assertThat(check("{'properties':{'d':{'properties':{'text':{}}}}}", "d.txt").reason())
                .isEqualTo("names no property \"txt\" under d (did you mean text?)");
        assertThat(check("{'type':'object'}", "anything.at.all").kind()).isEqualTo(ALLOWED);
        assertThat(check("true", "a").kind()).isEqualTo(ALLOWED);
        assertThat(check("false", "a").kind()).isEqualTo(FORBIDDEN);
        assertThat(check("{'properties':{'a':{}},'additionalProperties':{'type':'string'}}", "b.c").reason())
                .isEqualTo("b is a string, not an object");
    }
}
