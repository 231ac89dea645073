package io.wsgate.inspect;

import tools.jackson.databind.JsonNode;

/** Applies an event's payload rules in contract order: schema, max_length, then sanitize (in place). */
final class PayloadRules {
    static final int UNCHANGED = 0;
    static final int CHANGED = 1;
    static final int INVALID = -1;

    private PayloadRules() {
    }

    /**
     * {@code payload} null: the message had no JSON payload (only a rule-less pass is possible then). A payload
     * comes from {@link StrictJson#readTree}, so its numbers, like the schema's, are within {@link NumberLiterals}
     * bounds: keyword arithmetic (multipleOf, minimum) on them stays cheap.
     */
    static int apply(EventPolicy rule, JsonNode payload) {
        if (rule.schema() != null) {
            if (payload == null || !rule.schema().validate(payload).isEmpty()) {
                return INVALID;
            }
        }
        if (payload == null) {
            return UNCHANGED;
        }
        for (EventPolicy.FieldRule ml : rule.maxLength()) {
            JsonNode v = ml.path().get(payload);
            if (v != null && longestString(v) > ml.limit()) {
                return INVALID;
            }
        }
        int result = UNCHANGED;
        for (EventPolicy.FieldRule s : rule.sanitize()) {
            JsonNode v = s.path().get(payload);
            if (v == null) {
                continue;
            }
            int r;
            if (v.isString()) {
                String out = clean(s, v.asString());
                r = out == TOO_LONG ? INVALID : out == null ? UNCHANGED : CHANGED;
                if (r == CHANGED) {
                    s.path().setString(payload, out);
                }
            } else {
                // every string under the field: ["<img onerror=...>"] is markup as much as "<img ...>"
                r = sanitizeWithin(s, v);
            }
            if (r == INVALID) {
                return INVALID;
            }
            result = Math.max(result, r);
        }
        // sanitizing must not produce a message the schema refuses
        if (result == CHANGED && rule.schema() != null && !rule.schema().validate(payload).isEmpty()) {
            return INVALID;
        }
        return result;
    }

    /** Marks a value over the sanitizer's length limit (compared by identity). */
    private static final String TOO_LONG = new String("too long");

    /** The sanitized text; null when it is unchanged, {@link #TOO_LONG} when it is too long to sanitize. */
    private static String clean(EventPolicy.FieldRule s, String in) {
        if (Sanitizer.isPlain(in)) {
            return null;
        }
        if (in.length() > s.limit()) {
            return TOO_LONG;
        }
        String out = Sanitizer.sanitize(s.mode(), in);
        return out.equals(in) ? null : out;
    }

    /** Sanitizes every string value inside an array or object in place (depth is bounded by the parser). */
    private static int sanitizeWithin(EventPolicy.FieldRule s, JsonNode node) {
        int result = UNCHANGED;
        if (node instanceof tools.jackson.databind.node.ArrayNode a) {
            for (int i = 0; i < a.size() && result != INVALID; i++) {
                int index = i;
                result = merge(result, visit(s, a.get(i), out -> a.set(index, a.stringNode(out))));
            }
        } else if (node instanceof tools.jackson.databind.node.ObjectNode o) {
            for (String name : java.util.List.copyOf(o.propertyNames())) {
                result = merge(result, visit(s, o.get(name), out -> o.put(name, out)));
                if (result == INVALID) {
                    break;
                }
            }
        }
        return result;
    }

    /** One child: a string is sanitized and put back through {@code replace}, a container is walked. */
    private static int visit(EventPolicy.FieldRule s, JsonNode child, java.util.function.Consumer<String> replace) {
        if (!child.isString()) {
            return sanitizeWithin(s, child);
        }
        String out = clean(s, child.asString());
        if (out == TOO_LONG) {
            return INVALID;
        }
        if (out == null) {
            return UNCHANGED;
        }
        replace.accept(out);
        return CHANGED;
    }

    private static int merge(int a, int b) {
        return a == INVALID || b == INVALID ? INVALID : Math.max(a, b);
    }

    /** The longest string value at or under {@code node}. */
    private static int longestString(JsonNode node) {
        if (node.isString()) {
            return node.asString().length();
        }
        int max = 0;
        for (JsonNode c : node.values()) {
            max = Math.max(max, longestString(c));
        }
        return max;
    }
}
