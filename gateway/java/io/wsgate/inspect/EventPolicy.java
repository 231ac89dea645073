package io.wsgate.inspect;

import io.wsgate.config.RouteConfig.SanitizeMode;
import io.wsgate.policy.Identity;

import com.networknt.schema.Schema;

import java.util.List;

/** One event's compiled rule. {@code schema} null: none. Field rules address the event payload. */
public record EventPolicy(String name, List<String> roles, int maxBytes, Schema schema,
                        List<FieldRule> maxLength, List<FieldRule> sanitize) {

    /** {@code limit} for max_length rules; {@code mode} for sanitize rules. */
    public record FieldRule(FieldPath path, int limit, SanitizeMode mode) {}

    /** A rule allowing anything (events: default allow, or no events section). */
    static final EventPolicy ALLOW_ANY = new EventPolicy(null, List.of(), 0, null, List.of(), List.of());

    public boolean needsPayload() {
        return schema != null || !maxLength.isEmpty() || !sanitize.isEmpty();
    }

    public boolean allows(Identity identity) {
        if (roles.isEmpty()) {
            return true;
        }
        return identity != null && identity.hasAnyRole(roles);
    }
}
