package io.wsgate.inspect;

import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Verdict;

/**
 * Bounds on the work a client can cause with tokens sent inside messages (Socket.IO CONNECT, first_message,
 * refresh): the per-connection CONNECT cap and the close once the client IP's auth_failures_per_ip budget is spent.
 */
final class LateTokens {
    /** After this many failed CONNECT verifications on one connection, the next CONNECT closes 4401 unverified. */
    static final int MAX_FAILED_CONNECTS = 3;
    static final String OVER_BUDGET_REASON = "auth_failures";

    private LateTokens() {
    }

    /** A verification ran and refused the token (Forbidden, Too many sessions and missing tokens do not count). */
    static boolean verificationFailed(TokenCheck.Failure f) {
        return f == TokenCheck.Failure.INVALID || f == TokenCheck.Failure.REVOKED;
    }

    static Verdict tooManyFailedConnects(ConnectionInspector in, RoutePolicy rp) {
        in.audit(rp, null, "unauthorized");
        return Verdict.close(ConnectionInspector.CLOSE_UNAUTHORIZED, "too many failed CONNECT tokens", "unauthorized", null);
    }

    /** The client IP spent its budget: close 4429, the token was not verified. */
    static Verdict overBudget(ConnectionInspector in, RoutePolicy rp, String event) {
        in.audit(rp, event, OVER_BUDGET_REASON);
        return Verdict.close(ConnectionInspector.CLOSE_RATE, "too many failed token verifications", OVER_BUDGET_REASON,
                event);
    }
}
