package io.wsgate.limits;

import io.github.bucket4j.local.SynchronizationStrategy;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;

import java.util.HashMap;
import java.util.Map;

/**
 * One connection's view of the limits. Event-loop confined. Buckets pick up a reloaded route's limits
 * lazily, on the next message (Bucket4j configuration replacement).
 * <p>
 * Check order: the event's own rate, per-user, per-IP (most specific first, as it refuses most often). A message
 * refused by a later bucket gets its token back from the earlier ones ({@code addTokens}), so refused messages
 * never spend budget. Cache keys are built once per connection (per event for user-scoped event rates), so an
 * allowed message allocates nothing.
 */
public final class SessionLimits {
    private final Limits limits;
    private final Session session;
    /** Built on first use, like the event map: an idle socket holds neither. */
    private String ipKey;
    private String userKey;
    private String userKeyFor;
    private Map<String, EventSlot> events;
    private int dropped;

    SessionLimits(Limits limits, Session session) {
        this.limits = limits;
        this.session = session;
    }

    /** 0 when the message may pass (per_ip.messages, per_user.messages, the event's rate), else retry-after ms. */
    public long tryMessage(RoutePolicy route, String event) {
        RouteLimits rl = route.limits();
        RouteLimits.Spec eventSpec = rl.event(event);
        Gate eventGate = null;
        boolean eventShared = false;
        if (eventSpec != null) {
            EventSlot slot = slot(event);
            eventShared = eventSpec.perUser() && session.user() != null;
            eventGate = eventShared ? limits.gate(slot.userKey(session.routePath(), event, session.user()), eventSpec) : slot.local();
            long wait = eventShared ? limits.take(eventGate, eventSpec) : eventGate.tryTake(eventSpec);
            if (wait > 0) {
                return Limits.toMillis(wait);
            }
        }
        RouteLimits.Spec userSpec = rl.userMessages();
        Gate userGate = null;
        if (userSpec != null && session.user() != null) {
            userGate = limits.gate(userKey(), userSpec);
            long wait = limits.take(userGate, userSpec);
            if (wait > 0) {
                giveBack(eventGate, eventShared);
                return Limits.toMillis(wait);
            }
        }
        RouteLimits.Spec ipSpec = rl.ipMessages();
        if (ipSpec != null) {
            long wait = limits.take(limits.gate(ipKey(), ipSpec), ipSpec);
            if (wait > 0) {
                if (userGate != null) {
                    limits.untake(userGate);
                }
                giveBack(eventGate, eventShared);
                return Limits.toMillis(wait);
            }
        }
        return 0;
    }

    /** Control frames and Engine.IO ping/pong: only per_ip.messages. */
    public long tryControl(RoutePolicy route) {
        RouteLimits.Spec ipSpec = route.limits().ipMessages();
        return ipSpec == null ? 0 : Limits.toMillis(limits.take(limits.gate(ipKey(), ipSpec), ipSpec));
    }

    /** Counts a dropped message; true when it reached rate_limits.close_after (close 4429). */
    public boolean dropped(RoutePolicy route) {
        int closeAfter = route.limits().closeAfter();
        dropped++;
        return closeAfter > 0 && dropped >= closeAfter;
    }

    /** Messages dropped on this connection so far. */
    public int droppedCount() {
        return dropped;
    }

    private void giveBack(Gate g, boolean shared) {
        if (g != null) {
            if (shared) {
                limits.untake(g);
            } else {
                g.refund();
            }
        }
    }

    private String userKey() {
        String user = session.user();
        if (!user.equals(userKeyFor)) {
            userKey = "u|" + session.routePath() + "|" + user;
            userKeyFor = user;
        }
        return userKey;
    }

    private String ipKey() {
        if (ipKey == null) {
            ipKey = "m|" + session.routePath() + "|" + session.clientIp();
        }
        return ipKey;
    }

    private EventSlot slot(String event) {
        if (events == null) {
            events = new HashMap<>(4);
        }
        EventSlot s = events.get(event);
        if (s == null) {
            s = new EventSlot(new Gate(null, SynchronizationStrategy.NONE, limits.meter()));
            events.put(event, s);
        }
        return s;
    }

    /** An event's per-connection bucket and, for {@code scope: user}, its cached shared key. */
    private static final class EventSlot {
        private final Gate local;
        private String userKey;
        private String userKeyFor;

        EventSlot(Gate local) {
            this.local = local;
        }

        Gate local() {
            return local;
        }

        String userKey(String route, String event, String user) {
            if (!user.equals(userKeyFor)) {
                userKey = "e|" + route + "|" + event + "|" + user;
                userKeyFor = user;
            }
            return userKey;
        }
    }
}
