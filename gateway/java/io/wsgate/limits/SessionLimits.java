package io.wsgate.limits;

import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;

/**
 * One connection's view of the limits. Event-loop confined. Buckets pick up a reloaded route's limits
 * lazily, on the next message (Bucket4j configuration replacement).
 */
public final class SessionLimits {
    private final Limits limits;
    private final Session session;

    SessionLimits(Limits limits, Session session) {
        this.limits = limits;
        this.session = session;
    }

    /** 0 when the message may pass (per_ip.messages, per_user.messages, the event's rate), else retry-after ms. */
    public long tryMessage(RoutePolicy route, String event) {
        return 0;
    }

    /** Control frames and Engine.IO ping/pong: only per_ip.messages. */
    public long tryControl(RoutePolicy route) {
        return 0;
    }

    /** Counts a dropped message; true when it reached rate_limits.close_after (close 4429). */
    public boolean dropped(RoutePolicy route) {
        return false;
    }
}
