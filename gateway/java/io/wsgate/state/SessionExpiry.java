package io.wsgate.state;

import io.wsgate.policy.Identity;
import io.wsgate.policy.Session;

/**
 * When to close a socket whose token expires ({@code close_on_expiry}), without a scanning loop: the proxy
 * schedules one task per socket on its event loop after {@link #millisUntilExpiry} and, when it fires, asks
 * again (a refresh may have moved the expiry): a positive answer reschedules, 0 closes with {@link #CLOSE_CODE}.
 */
public final class SessionExpiry {
    public static final int CLOSE_CODE = 4401;
    public static final String CLOSE_REASON = "token expired";
    /** No identity (public route, auth pending): nothing to schedule. */
    public static final long NEVER = -1;

    private SessionExpiry() {
    }

    public static long millisUntilExpiry(Identity identity, long nowMillis) {
        if (identity == null || identity.expiresAt() <= 0) {
            return NEVER;
        }
        return Math.max(0, identity.expiresAt() * 1000 - nowMillis);
    }

    public static long millisUntilExpiry(Session session, long nowMillis) {
        return millisUntilExpiry(session.identity(), nowMillis);
    }
}
