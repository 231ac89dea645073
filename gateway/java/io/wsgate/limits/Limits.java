package io.wsgate.limits;

import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;

/** Process-wide buckets (per IP, per user) plus a factory for per-connection ones. */
public final class Limits {
    /** 0 when a new connection from {@code ip} may proceed, else milliseconds until it may (429 Retry-After). */
    public long tryConnect(RoutePolicy route, String ip) {
        return 0;
    }

    public SessionLimits forSession(Session session) {
        return new SessionLimits(this, session);
    }
}
