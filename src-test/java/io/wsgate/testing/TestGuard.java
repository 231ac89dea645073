package io.wsgate.testing;

import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.HandshakeRequest;
import io.wsgate.policy.Policy;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.proxy.Guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A policy-free stand-in for the handshake guard: matches the route, then accepts (building the upstream
 * address and headers as the contract's "Upstream address" says) or refuses with a fixed status.
 */
public final class TestGuard implements Guard {
    public final List<HandshakeRequest> seen = new CopyOnWriteArrayList<>();
    private volatile int refuseStatus;
    private volatile HandshakeDecision.PendingAuth pending = HandshakeDecision.PendingAuth.NONE;
    private volatile List<io.wsgate.policy.Session> replace = List.of();
    private volatile io.wsgate.policy.Identity identity;

    /** The next accepted handshakes name these sessions to close with 4409. */
    public TestGuard replace(List<io.wsgate.policy.Session> sessions) {
        this.replace = sessions;
        return this;
    }

    /** Accepted handshakes carry this identity (as a verified token would). */
    public TestGuard identity(io.wsgate.policy.Identity id) {
        this.identity = id;
        return this;
    }

    public TestGuard refuseWith(int status) {
        this.refuseStatus = status;
        return this;
    }

    public TestGuard pending(HandshakeDecision.PendingAuth p) {
        this.pending = p;
        return this;
    }

    @Override
    public HandshakeDecision check(Policy policy, HandshakeRequest req) {
        seen.add(req);
        RoutePolicy route = policy.match(req.path());
        if (route == null) {
            return HandshakeDecision.refuse(404, "not_found", "no route for " + req.path());
        }
        if (refuseStatus != 0) {
            return HandshakeDecision.refuse(refuseStatus, "forbidden", "refused by the test guard",
                    refuseStatus == 429 ? Map.of("Retry-After", "1") : Map.of());
        }
        String suffix = req.path().substring(route.path().length());
        String upstreamPath = suffix + (req.rawQuery() != null ? "?" + req.rawQuery() : "");
        List<String> offered = new ArrayList<>();
        for (String h : req.headers("sec-websocket-protocol")) {
            for (String p : h.split(",")) {
                if (!p.isBlank()) {
                    offered.add(p.trim());
                }
            }
        }
        List<Map.Entry<String, String>> headers = List.of(Map.entry("X-Forwarded-For", req.clientIp()));
        return new HandshakeDecision(101, null, null, Map.of(), route, identity, pending, upstreamPath, headers,
                pending == HandshakeDecision.PendingAuth.FIRST_MESSAGE ? List.of() : offered, null, replace);
    }
}
