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

    /**
     * For a token verified after the 101 ({@code first_message}): the upstream headers with the identity
     * headers of {@code forward.headers} set for {@code id}, replacing any of the same names.
     */
    private List<Map.Entry<String, String>> upstreamHeadersFor(Identity id) {
        RouteConfig.Forward fwd = route == null ? null : route.config().forward();
        RouteConfig.Headers names = fwd == null ? null : fwd.headers();
        if (id == null || names == null || (names.user() == null && names.roles() == null)) {
            return upstreamHeaders;
        }
        List<Map.Entry<String, String>> out = new ArrayList<>(upstreamHeaders.size() + 2);
        for (Map.Entry<String, String> e : upstreamHeaders) {
            if (!e.getKey().equalsIgnoreCase(names.user()) && !e.getKey().equalsIgnoreCase(names.roles())) {
                out.add(e);
            }
        }
        if (names.user() != null) {
            out.add(new SimpleImmutableEntry<>(names.user(), id.subject()));
        }
        if (names.roles() != null) {
            out.add(new SimpleImmutableEntry<>(names.roles(), String.join(",", id.roles())));
        }
        return List.copyOf(out);
    }

    /** This decision with {@link #upstreamHeadersFor(Identity)} and the identity set. */
    public HandshakeDecision withIdentity(Identity id) {
        return new HandshakeDecision(status, error, reason, responseHeaders, route, id, pendingAuth,
                upstreamPathAndQuery, upstreamHeadersFor(id), upstreamSubprotocols, clientSubprotocol, sessionsToReplace);
    }

    /** This refusal with the verified identity it concerns (the audit line names the user). */
    public HandshakeDecision of(Identity id) {
        return new HandshakeDecision(status, error, reason, responseHeaders, route, id, pendingAuth,
                upstreamPathAndQuery, upstreamHeaders, upstreamSubprotocols, clientSubprotocol, sessionsToReplace);
    }

    /** The matched route's path, or null when none matched (metrics label refusals with it). */
    public String routePath() {
        return route == null ? null : route.path();
    }

    /** This refusal attributed to the route it was decided on (metrics); a refusal stays a refusal. */
    public HandshakeDecision onRoute(RoutePolicy matched) {
        return new HandshakeDecision(status, error, reason, responseHeaders, matched, identity, pendingAuth,
                upstreamPathAndQuery, upstreamHeaders, upstreamSubprotocols, clientSubprotocol, sessionsToReplace);
    }

    public static HandshakeDecision refuse(int status, String error, String reason) {
        return refuse(status, error, reason, Map.of());
    }

    public static HandshakeDecision refuse(int status, String error, String reason, Map<String, String> headers) {
        return new HandshakeDecision(status, error, reason, headers, null, null, PendingAuth.NONE, null, List.of(),
                List.of(), null, List.of());
    }
}
