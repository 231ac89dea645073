package io.wsgate.auth;

import io.wsgate.config.GatewayConfig;
import io.wsgate.config.RouteConfig;
import io.wsgate.limits.AuthFailureMeter;
import io.wsgate.limits.Limits;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.HandshakeRequest;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Policy;
import io.wsgate.policy.RequestPath;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.RevocationStore;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides an upgrade request: path, route, origin, caps, per-IP connection rate, token, revocation, roles,
 * sessions per user; and builds the upstream request (path, query and headers without the token, identity
 * headers). Pure: no Netty, no I/O; every call is non-blocking and safe on an event loop.
 *
 * <p>What an accepted decision carries for the proxy:
 * <ul>
 * <li>{@code upstreamPathAndQuery}: the request path's part after {@code route.path} (empty for an exact route;
 * for a prefix route it never starts with {@code /}, since the route path ends with one), then {@code ?query}
 * when a query is left (the token's query parameters removed when {@code strip_token}). The proxy appends it
 * verbatim to the chosen target's path: target {@code ws://h:3000/socket.io/} + {@code ?EIO=4&transport=websocket}.
 * <li>{@code upstreamHeaders}: headers to SET on the upstream request, replacing any client header of the same
 * name: the identity headers of {@code forward.headers}, and {@code Cookie} when the token cookie was removed
 * (value {@code ""}: send no Cookie at all); {@code Authorization} only when {@code strip_token: false}.
 * <li>{@code upstreamSubprotocols}: the offers minus {@code bearer} and the token; {@code clientSubprotocol}: what
 * to answer the client when the upstream selects none (the proxy uses the upstream's choice when it makes one).
 * <li>{@code sessionsToReplace}: the user's oldest sessions the proxy closes with 4409 once this one is open.
 * </ul>
 */
public final class HandshakeGuard {
    /** Retry-After for caps that free up when someone disconnects, not on a timer. */
    static final String CAP_RETRY_AFTER_SECONDS = "5";
    static final String SESSIONS_RETRY_AFTER_SECONDS = "30";
    static final String BEARER_CHALLENGE = "Bearer";
    static final String INVALID_TOKEN_CHALLENGE = "Bearer error=\"invalid_token\"";
    static final String AUTH_BUDGET_REASON = "too many failed token verifications from this address";

    /** The per-IP connection rate: 0 to proceed, else milliseconds until a new connection may. */
    @FunctionalInterface
    public interface ConnectRate {
        /** 0: go on; above 0: milliseconds until the address may connect again (429); below 0: store down (503). */
        long tryConnect(RoutePolicy route, String ip);
    }

    private final ConnectionRegistry registry;
    private final RevocationStore revocations;
    private final ConnectRate rate;
    private final AuthFailureMeter failures;
    private final LongAdder verifications = new LongAdder();

    public HandshakeGuard(ConnectionRegistry registry, RevocationStore revocations, Limits limits) {
        this(registry, revocations, limits::tryConnect);
    }

    public HandshakeGuard(ConnectionRegistry registry, RevocationStore revocations, ConnectRate rate) {
        this(registry, revocations, rate, AuthFailureMeter.NONE);
    }

    /** @param failures {@code connections.auth_failures_per_ip}: asked before, and told after, each failed verification */
    public HandshakeGuard(ConnectionRegistry registry, RevocationStore revocations, ConnectRate rate,
                          AuthFailureMeter failures) {
        this.registry = registry;
        this.revocations = revocations;
        this.rate = rate;
        this.failures = failures == null ? AuthFailureMeter.NONE : failures;
    }

    /** Token verifications attempted so far (handshake and later tokens); a refused-unverified one is not counted. */
    public long verifications() {
        return verifications.sum();
    }

    public HandshakeDecision check(Policy policy, HandshakeRequest request) {
        String path = request.path();
        String pathProblem = RequestPath.pathProblem(path);
        if (pathProblem != null) {
            return HandshakeDecision.refuse(400, "bad_request", "invalid request path: " + pathProblem);
        }
        RoutePolicy route = policy.match(path);
        if (route == null) {
            return HandshakeDecision.refuse(404, "not_found", "no route for this path");
        }
        HandshakeDecision d = checkOn(route, policy, request);
        return d.accepted() ? d : d.onRoute(route);
    }

    /** Everything after the route matched; a refusal here is labelled with the route by {@link #check}. */
    private HandshakeDecision checkOn(RoutePolicy route, Policy policy, HandshakeRequest request) {
        RouteConfig.Route r = route.config().route();
        String origin = request.header("origin");
        List<String> allowed = r.allowedOrigins();
        if (allowed != null && !allowed.isEmpty()) {
            if (origin == null ? !r.allowNoOrigin() : !allowed.contains(origin)) {
                return HandshakeDecision.refuse(403, "forbidden", origin == null ? "Origin required" : "Origin not allowed");
            }
        }
        GatewayConfig.Connections caps = policy.gateway() == null ? null : policy.gateway().connections();
        if (caps != null && caps.maxTotal() > 0 && registry.total() >= caps.maxTotal()) {
            return HandshakeDecision.refuse(503, "unavailable", "gateway at connection capacity");
        }
        if (!revocations.healthy()) {
            return HandshakeDecision.refuse(503, "unavailable", "revocation store unreachable");
        }
        String ip = request.clientIp();
        if (caps != null && caps.maxPerIp() > 0 && registry.perIp(ip) >= caps.maxPerIp()) {
            return HandshakeDecision.refuse(429, "too_many_requests", "too many connections from this address",
                    Map.of("Retry-After", CAP_RETRY_AFTER_SECONDS));
        }
        long authWait = route.auth() == null ? 0 : failures.retryAfterMillis(ip);
        if (authWait > 0) {
            // refused before the token is even looked at: a failure flood costs no signature checks
            return HandshakeDecision.refuse(429, "too_many_requests", AUTH_BUDGET_REASON,
                    Map.of("Retry-After", retryAfterSeconds(authWait)));
        }
        long waitMs = rate.tryConnect(route, ip);
        if (waitMs < 0) {
            return HandshakeDecision.refuse(503, "unavailable", "shared state store unreachable");
        }
        if (waitMs > 0) {
            return HandshakeDecision.refuse(429, "too_many_requests", "connection rate exceeded",
                    Map.of("Retry-After", retryAfterSeconds(waitMs)));
        }

        RouteAuth auth = route.auth();
        Identity identity = null;
        PendingAuth pending = PendingAuth.NONE;
        TokenExtractor.Result found = null;
        List<Session> replace = List.of();
        if (auth != null) {
            found = TokenExtractor.extract(request, auth.sources());
            if (found.found()) {
                try {
                    identity = verify(auth, found.token(), ip);
                } catch (TokenException e) {
                    return HandshakeDecision.refuse(401, "invalid_token", e.getMessage(),
                            Map.of("WWW-Authenticate", INVALID_TOKEN_CHALLENGE));
                }
                if (revocations.isRevoked(identity)) {
                    failures.failed(ip);
                    return HandshakeDecision.refuse(403, "forbidden", "token revoked").of(identity);
                }
                if (!identity.hasAnyRole(auth.config().connectRoles())) {
                    return HandshakeDecision.refuse(403, "forbidden", "role may not connect").of(identity);
                }
                RouteConfig.Auth a = auth.config();
                if (a.maxSessionsPerUser() > 0) {
                    List<Session> open = registry.byUserOldestFirst(identity.subject(), route.path());
                    int excess = open.size() - a.maxSessionsPerUser() + 1;
                    if (excess > 0) {
                        if (a.onExcessSessions() == RouteConfig.OnExcess.REJECT) {
                            return HandshakeDecision.refuse(429, "too_many_requests", "too many sessions",
                                    Map.of("Retry-After", SESSIONS_RETRY_AFTER_SECONDS)).of(identity);
                        }
                        replace = List.copyOf(open.subList(0, excess));
                    }
                }
            } else if (found.pending() != null) {
                pending = found.pending().kind() == TokenSource.Kind.FIRST_MESSAGE
                        ? PendingAuth.FIRST_MESSAGE : PendingAuth.SOCKETIO_AUTH;
            } else if (auth.config().required()) {
                return HandshakeDecision.refuse(401, "unauthorized", "token required",
                        Map.of("WWW-Authenticate", BEARER_CHALLENGE));
            }
        }
        return accept(route, request, identity, pending, found, replace);
    }

    private HandshakeDecision accept(RoutePolicy route, HandshakeRequest request, Identity identity,
                                     PendingAuth pending, TokenExtractor.Result found, List<Session> replace) {
        RouteConfig cfg = route.config();
        RouteConfig.Forward fwd = cfg.forward();
        boolean strip = fwd == null || fwd.stripToken();
        List<TokenSource> sources = route.auth() == null ? List.of() : route.auth().sources();

        String suffix = RequestPath.suffix(request.path(), route.path());
        String query = strip ? UpstreamRequest.stripQuery(request.rawQuery(), sources) : request.rawQuery();
        String pathAndQuery = query == null || query.isEmpty() ? suffix : suffix + "?" + query;

        List<Map.Entry<String, String>> headers = new ArrayList<>(4);
        RouteConfig.Headers names = fwd == null ? null : fwd.headers();
        if (names != null) {
            if (identity != null && names.user() != null) {
                headers.add(new SimpleImmutableEntry<>(names.user(), identity.subject()));
            }
            if (identity != null && names.roles() != null) {
                headers.add(new SimpleImmutableEntry<>(names.roles(), String.join(",", identity.roles())));
            }
            if (names.clientIp() != null && request.clientIp() != null) {
                headers.add(new SimpleImmutableEntry<>(names.clientIp(), request.clientIp()));
            }
        }
        if (strip) {
            String cookie = UpstreamRequest.stripCookies(request.headers("cookie"), sources);
            if (cookie != null) {
                headers.add(new SimpleImmutableEntry<>("Cookie", cookie));
            }
        } else if (found != null && found.found() && found.source().kind() == TokenSource.Kind.HEADER) {
            headers.add(new SimpleImmutableEntry<>("Authorization", request.header("authorization")));
        }

        List<String> offers = TokenExtractor.offeredSubprotocols(request);
        int bearer = TokenExtractor.bearerIndex(offers);
        List<String> upstreamOffers = TokenExtractor.withoutBearer(offers);
        String clientProtocol = bearer >= 0 ? offers.get(bearer) : null;
        if (pending == PendingAuth.FIRST_MESSAGE) {
            // The gateway answers the 101 itself: it picks the first offer the route lists, and offers only that.
            List<String> own = cfg.route().subprotocols() == null ? List.of() : cfg.route().subprotocols();
            String chosen = upstreamOffers.stream().filter(own::contains).findFirst().orElse(null);
            upstreamOffers = chosen == null ? List.of() : List.of(chosen);
            if (chosen != null) {
                clientProtocol = chosen;
            }
        }
        return new HandshakeDecision(101, null, null, Map.of(), route, identity, pending, pathAndQuery,
                List.copyOf(headers), List.copyOf(upstreamOffers), clientProtocol, replace);
    }

    /**
     * For a token that arrives after the 101: a {@code first_message} token, a Socket.IO CONNECT's auth token.
     * Same checks as the handshake (verify, revocation, connect_roles, max_sessions_per_user). Synchronous and
     * non-blocking (event loop safe). On OK the identity is stored on the session and, with
     * {@code close_oldest}, the user's oldest sessions beyond the cap are closed with 4409 (listed in
     * {@code replaced}). A session that already has an identity (a second Socket.IO namespace) must present a
     * token for the same subject.
     */
    public LateAuthResult authenticateLate(RoutePolicy route, Session session, String token) {
        RouteAuth auth = route.auth();
        if (auth == null) {
            return LateAuthResult.refused(LateAuthResult.Outcome.INVALID, "route has no authentication");
        }
        LateAuthResult checked = verifyChecked(auth, session, token);
        if (!checked.ok()) {
            return checked;
        }
        Identity id = checked.identity();
        List<Session> replaced = List.of();
        RouteConfig.Auth a = auth.config();
        if (a.maxSessionsPerUser() > 0 && session.identity() == null) {
            List<Session> open = new ArrayList<>(registry.byUserOldestFirst(id.subject(), route.path()));
            open.removeIf(s -> s.id() == session.id());
            int excess = open.size() - a.maxSessionsPerUser() + 1;
            if (excess > 0) {
                if (a.onExcessSessions() == RouteConfig.OnExcess.REJECT) {
                    return LateAuthResult.refused(LateAuthResult.Outcome.TOO_MANY_SESSIONS, "too many sessions");
                }
                replaced = List.copyOf(open.subList(0, excess));
            }
        }
        session.identity(id);
        for (Session s : replaced) {
            s.close(4409, "session replaced");
        }
        return new LateAuthResult(LateAuthResult.Outcome.OK, id, null, replaced);
    }

    /**
     * A refresh event's token: verify, revocation, connect_roles, and the same subject as the session's current
     * identity. On OK the new identity (later expiry) replaces the session's; the caller consumes the message.
     * Anything else: the caller closes 4401. Synchronous and non-blocking.
     */
    public LateAuthResult refresh(RoutePolicy route, Session session, String token) {
        RouteAuth auth = route.auth();
        if (auth == null) {
            return LateAuthResult.refused(LateAuthResult.Outcome.INVALID, "route has no authentication");
        }
        if (session.identity() == null) {
            return LateAuthResult.refused(LateAuthResult.Outcome.INVALID, "nothing to refresh: not authenticated");
        }
        LateAuthResult checked = verifyChecked(auth, session, token);
        if (!checked.ok()) {
            return checked;
        }
        Identity id = checked.identity();
        session.identity(id);
        return new LateAuthResult(LateAuthResult.Outcome.OK, id, null, List.of());
    }

    /** OK with the identity when the token passed every per-token check; the session is not touched. */
    private LateAuthResult verifyChecked(RouteAuth auth, Session session, String token) {
        if (token == null || token.isEmpty()) {
            return LateAuthResult.refused(LateAuthResult.Outcome.MISSING, "token required");
        }
        String ip = session.clientIp();
        if (failures.retryAfterMillis(ip) > 0) {
            return LateAuthResult.refused(LateAuthResult.Outcome.OVER_BUDGET, AUTH_BUDGET_REASON);
        }
        Identity id;
        try {
            id = verify(auth, token, ip);
        } catch (TokenException e) {
            return LateAuthResult.refused(LateAuthResult.Outcome.INVALID, e.getMessage());
        }
        if (revocations.isRevoked(id)) {
            failures.failed(ip);
            return LateAuthResult.refused(LateAuthResult.Outcome.REVOKED, "token revoked");
        }
        if (!id.hasAnyRole(auth.config().connectRoles())) {
            return LateAuthResult.refused(LateAuthResult.Outcome.FORBIDDEN, "role may not connect");
        }
        Identity current = session.identity();
        if (current != null && !current.subject().equals(id.subject())) {
            return LateAuthResult.refused(LateAuthResult.Outcome.SUBJECT_CHANGED, "token names another subject");
        }
        return new LateAuthResult(LateAuthResult.Outcome.OK, id, null, List.of());
    }

    /** One verification, counted; a failure is charged to {@code ip}'s auth_failures_per_ip budget. */
    private Identity verify(RouteAuth auth, String token, String ip) throws TokenException {
        verifications.increment();
        try {
            return auth.verify(token);
        } catch (TokenException e) {
            failures.failed(ip);
            throw e;
        }
    }

    /** A Retry-After value: whole seconds, rounded up, at least 1. */
    public static String retryAfterSeconds(long millis) {
        return Long.toString(Math.max(1, (millis + 999) / 1000));
    }
}
