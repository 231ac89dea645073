package io.wsgate.policy;

import io.wsgate.config.RouteConfig;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The guard's answer to an upgrade request: refused with an HTTP status, or accepted with everything the
 * proxy needs to open the upstream leg. The proxy only moves bytes; it decides nothing here.
 */
public record HandshakeDecision(
        int status, String error, String reason, Map<String, String> responseHeaders,
        RoutePolicy route, Identity identity, PendingAuth pendingAuth,
        String upstreamPathAndQuery, List<Map.Entry<String, String>> upstreamHeaders,
        List<String> upstreamSubprotocols, String clientSubprotocol, List<Session> sessionsToReplace) {

    /** Where the token will come from when it was not in the upgrade request. */
    public enum PendingAuth { NONE, FIRST_MESSAGE, SOCKETIO_AUTH }

    public boolean accepted() {
        return status == 101;
    }

    public static HandshakeDecision refuse(int status, String error, String reason) {
        return refuse(status, error, reason, Map.of());
    }

    public static HandshakeDecision refuse(int status, String error, String reason, Map<String, String> headers) {
        return new HandshakeDecision(status, error, reason, headers, null, null, PendingAuth.NONE, null, List.of(),
                List.of(), null, List.of());
    }

    /**
     * A first_message token verified after the 101: the same decision with that identity, and the route's
     * {@code forward.headers} user/roles set on the upstream request opened now.
     */
    public HandshakeDecision withIdentity(Identity id) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(upstreamHeaders);
        RouteConfig.Forward fwd = route.config().forward();
        RouteConfig.Headers names = fwd == null ? null : fwd.headers();
        if (names != null && names.user() != null) {
            headers.add(new SimpleImmutableEntry<>(names.user(), id.subject()));
        }
        if (names != null && names.roles() != null) {
            headers.add(new SimpleImmutableEntry<>(names.roles(), String.join(",", id.roles())));
        }
        return new HandshakeDecision(status, error, reason, responseHeaders, route, id, pendingAuth,
                upstreamPathAndQuery, List.copyOf(headers), upstreamSubprotocols, clientSubprotocol, sessionsToReplace);
    }
}
