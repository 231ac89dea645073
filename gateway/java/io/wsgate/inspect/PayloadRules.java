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
            if (v != null && v.isString() && v.asString().length() > ml.limit()) {
                return INVALID;
            }
        }
        int result = UNCHANGED;
        for (EventPolicy.FieldRule s : rule.sanitize()) {
            JsonNode v = s.path().get(payload);
            if (v == null || !v.isString()) {
                continue;
            }
            String in = v.asString();
            if (Sanitizer.isPlain(in)) {
                continue;
            }
            if (in.length() > s.limit()) {
                return INVALID;
            }
            String out = Sanitizer.sanitize(s.mode(), in);
            if (!out.equals(in)) {
                s.path().setString(payload, out);
                result = CHANGED;
            }
        }
        return result;
    }
}
