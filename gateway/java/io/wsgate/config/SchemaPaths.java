package io.wsgate.config;

import io.wsgate.inspect.FieldPath;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a JSON Schema can hold a value at a field path of {@code sanitize} / {@code max_length}, judged from the
 * schema text alone. It follows {@code properties}, {@code additionalProperties}, {@code items},
 * {@code prefixItems}, {@code $ref} within the same file and {@code allOf}; where the answer depends on the value
 * ({@code patternProperties}, {@code anyOf}, {@code oneOf}, {@code unevaluatedProperties}, {@code $dynamicRef},
 * references to other files) it says {@link Kind#UNKNOWN} rather than guess. Keywords that can only narrow what is
 * allowed ({@code not}, {@code if}, {@code propertyNames}...) are ignored: a path is refused only when it certainly
 * cannot hold a value.
 */
final class SchemaPaths {
    /** Deeper than this (a {@code $ref} cycle, or a path through one) the answer is {@link Kind#UNKNOWN}. */
    private static final int MAX_DEPTH = 64;

    enum Kind {
        /** The schema names every step of the path. */
        ALLOWED,
        /** Allowed, but a step is not among the {@code properties} the schema names (additionalProperties is open). */
        UNDECLARED,
        /** The schema cannot hold a value at the path. */
        FORBIDDEN,
        /** Cannot be told from the schema text. */
        UNKNOWN
    }

    /** {@code reason} says why, for FORBIDDEN and UNDECLARED (null otherwise). */
    record Verdict(Kind kind, String reason) {
        static final Verdict ALLOWED = new Verdict(Kind.ALLOWED, null);
        static final Verdict UNKNOWN = new Verdict(Kind.UNKNOWN, null);
    }

    private final JsonNode root;
    /** Draft-07 and earlier: a {@code $ref} replaces its sibling keywords. */
    private final boolean refReplacesSiblings;
    private FieldPath path;

    SchemaPaths(JsonNode root) {
        this.root = root;
        JsonNode declared = root.isObject() ? root.get("$schema") : null;
        String dialect = declared != null && declared.isString() ? declared.asString() : "";
        this.refReplacesSiblings = dialect.contains("draft-0") || dialect.contains("draft-04");
    }

    Verdict check(FieldPath p) {
        this.path = p;
        return at(root, root, 0, 0);
    }

    private Verdict at(JsonNode schema, JsonNode resource, int i, int depth) {
        if (depth > MAX_DEPTH) {
            return Verdict.UNKNOWN;
        }
        if (schema.isBoolean()) {
            return schema.booleanValue() ? Verdict.ALLOWED
                    : new Verdict(Kind.FORBIDDEN, "the schema allows no value at " + where(i));
        }
        if (!schema.isObject()) {
            return Verdict.UNKNOWN;
        }
        if (schema != root && schema.get("$id") != null) {
            resource = schema;
        }
        if (i == path.size()) {
            return Verdict.ALLOWED;
        }
        List<Verdict> all = new ArrayList<>();
        JsonNode ref = schema.get("$ref");
        if (ref != null) {
            JsonNode target = ref.isString() ? resolve(ref.asString(), resource) : null;
            all.add(target == null ? Verdict.UNKNOWN : at(target, resource, i, depth + 1));
            if (refReplacesSiblings) {
                return all.get(0);
            }
        }
        if (schema.has("$dynamicRef") || schema.has("$recursiveRef") || schema.has("anyOf") || schema.has("oneOf")) {
            all.add(Verdict.UNKNOWN);
        }
        JsonNode allOf = schema.get("allOf");
        if (allOf != null && allOf.isArray()) {
            for (JsonNode sub : allOf) {
                all.add(at(sub, resource, i, depth + 1));
            }
        }
        all.add(step(schema, resource, i, depth));
        return combine(all);
    }

    /** Every conjunct must allow: one that forbids decides; one that cannot tell hides an undeclared warning. */
    private static Verdict combine(List<Verdict> all) {
        Verdict undeclared = null;
        boolean unknown = false;
        for (Verdict v : all) {
            switch (v.kind()) {
                case FORBIDDEN -> {
                    return v;
                }
                case UNKNOWN -> unknown = true;
                case UNDECLARED -> undeclared = undeclared == null ? v : undeclared;
                default -> { }
            }
        }
        return unknown ? Verdict.UNKNOWN : undeclared != null ? undeclared : Verdict.ALLOWED;
    }

    /** What this schema object's own keywords say about segment {@code i}. */
    private Verdict step(JsonNode schema, JsonNode resource, int i, int depth) {
        String name = path.name(i);
        String wrongType = wrongType(schema.get("type"), name != null ? "object" : "array");
        if (wrongType != null) {
            return new Verdict(Kind.FORBIDDEN, where(i) + " is " + wrongType + ", not " + (name != null ? "an object" : "an array"));
        }
        return name != null ? property(schema, resource, name, i, depth) : item(schema, resource, path.index(i), i, depth);
    }

    private Verdict property(JsonNode schema, JsonNode resource, String name, int i, int depth) {
        JsonNode props = schema.get("properties");
        Set<String> names = new TreeSet<>();
        if (props != null && props.isObject()) {
            names.addAll(props.propertyNames());
            JsonNode sub = props.get(name);
            if (sub != null) {
                return at(sub, resource, i + 1, depth + 1);
            }
        }
        if (schema.has("patternProperties")) {
            return Verdict.UNKNOWN;
        }
        JsonNode unevaluated = schema.get("unevaluatedProperties");
        if (unevaluated != null && !(unevaluated.isBoolean() && unevaluated.booleanValue())) {
            return Verdict.UNKNOWN;
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
            return new Verdict(Kind.FORBIDDEN, (i == 0 ? "" : where(i) + " has ") + "no property \"" + name + "\""
                    + FileReader.suggestion(name, names) + " and additionalProperties is false");
        }
        if (names.isEmpty()) {
            return additional == null || additional.isBoolean() ? Verdict.ALLOWED : at(additional, resource, i + 1, depth + 1);
        }
        Verdict rest = additional == null || additional.isBoolean() ? Verdict.ALLOWED : at(additional, resource, i + 1, depth + 1);
        if (rest.kind() != Kind.ALLOWED) {
            return rest;
        }
        return new Verdict(Kind.UNDECLARED, "names no property \"" + name + "\"" + (i == 0 ? "" : " under " + where(i))
                + FileReader.suggestion(name, names));
    }

    private Verdict item(JsonNode schema, JsonNode resource, int index, int i, int depth) {
        JsonNode max = schema.get("maxItems");
        if (max != null && max.isIntegralNumber() && max.asLong() <= index) {
            return new Verdict(Kind.FORBIDDEN, where(i) + " has at most " + max.asLong() + " item" + (max.asLong() == 1 ? "" : "s")
                    + " (maxItems)");
        }
        JsonNode prefix = schema.get("prefixItems");
        JsonNode items = schema.get("items");
        JsonNode tuple = prefix != null && prefix.isArray() ? prefix : items != null && items.isArray() ? items : null;
        JsonNode rest = tuple == prefix ? items : schema.get("additionalItems");
        if (tuple != null) {
            if (index < tuple.size()) {
                return at(tuple.get(index), resource, i + 1, depth + 1);
            }
            if (rest != null && rest.isBoolean() && !rest.booleanValue()) {
                return new Verdict(Kind.FORBIDDEN, where(i) + " has at most " + tuple.size() + " item"
                        + (tuple.size() == 1 ? "" : "s") + " (" + (tuple == prefix ? "prefixItems, items: false" : "items, additionalItems: false") + ")");
            }
            return rest == null ? Verdict.ALLOWED : at(rest, resource, i + 1, depth + 1);
        }
        return items == null ? Verdict.ALLOWED : at(items, resource, i + 1, depth + 1);
    }

    /** Null when {@code type} admits {@code need}, else what it says instead ("a string", "one of string, number"). */
    private static String wrongType(JsonNode type, String need) {
        if (type == null) {
            return null;
        }
        List<String> types = new ArrayList<>();
        if (type.isString()) {
            types.add(type.asString());
        } else if (type.isArray()) {
            for (JsonNode t : type) {
                if (!t.isString()) {
                    return null;
                }
                types.add(t.asString());
            }
        } else {
            return null;
        }
        if (types.contains(need)) {
            return null;
        }
        if (types.size() == 1) {
            String t = types.get(0);
            return ("aeiou".indexOf(t.isEmpty() ? 'x' : t.charAt(0)) >= 0 ? "an " : "a ") + t;
        }
        return "one of " + String.join(", ", types);
    }

    /** {@code #}, {@code #/$defs/x} (JSON pointer, percent-decoded), or the file's own {@code $id} with those. */
    private JsonNode resolve(String ref, JsonNode resource) {
        String r = ref;
        JsonNode base = resource;
        JsonNode id = resource.get("$id");
        if (id != null && id.isString() && r.startsWith(id.asString() + "#")) {
            r = r.substring(id.asString().length());
        }
        if (!r.startsWith("#")) {
            return null; // another file, or a relative URI: not followed
        }
        String pointer = r.substring(1);
        if (pointer.isEmpty()) {
            return base;
        }
        if (!pointer.startsWith("/")) {
            return null; // a named anchor
        }
        try {
            pointer = URLDecoder.decode(pointer.replace("+", "%2B"), StandardCharsets.UTF_8);
            JsonNode target = base.at(JsonPointer.compile(pointer));
            return target == null || target.isMissingNode() ? null : target;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The path up to segment {@code i}, as the policy writes it; "the payload" for the root. */
    private String where(int i) {
        if (i == 0) {
            return "the payload";
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < i; k++) {
            if (path.name(k) != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(path.name(k));
            } else {
                sb.append('[').append(path.index(k)).append(']');
            }
        }
        return sb.toString();
    }
}
