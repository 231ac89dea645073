package io.wsgate.inspect;

import io.wsgate.limits.SessionLimits;
import io.wsgate.policy.RoutePolicy;

/** The inspector's view of one connection's rate limits; production wraps {@link SessionLimits}. */
public interface RateGate {
    /** 0 when the message may pass, else milliseconds until it may. {@code event} null: no event rate. */
    long tryMessage(RoutePolicy route, String event);

    /** Engine.IO ping/pong and WebSocket control frames (per_ip.messages only). */
    long tryControl(RoutePolicy route);

    /** Counts a dropped message; true when rate_limits.close_after was reached. */
    boolean dropped(RoutePolicy route);

    /** No rate limits at all (an inspector built without {@link SessionLimits}). */
    RateGate NONE = new RateGate() {
        @Override
        public long tryMessage(RoutePolicy route, String event) {
            return 0;
        }

        @Override
        public long tryControl(RoutePolicy route) {
            return 0;
        }

        @Override
        public boolean dropped(RoutePolicy route) {
            return false;
        }
    };

    /** {@code limits} null: {@link #NONE}. */
    static RateGate of(SessionLimits limits) {
        if (limits == null) {
            return NONE;
        }
        return new RateGate() {
            @Override
            public long tryMessage(RoutePolicy route, String event) {
                return limits.tryMessage(route, event);
            }

            @Override
            public long tryControl(RoutePolicy route) {
                return limits.tryControl(route);
            }

            @Override
            public boolean dropped(RoutePolicy route) {
                return limits.dropped(route);
            }
        };
    }
}
