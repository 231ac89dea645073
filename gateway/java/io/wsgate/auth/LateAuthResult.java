package io.wsgate.auth;

import io.wsgate.policy.Identity;
import io.wsgate.policy.Session;

import java.util.List;

/**
 * The answer of {@link HandshakeGuard#authenticateLate} and {@link HandshakeGuard#refresh} for a token that
 * arrived after the 101 (first_message, Socket.IO CONNECT auth, refresh event). Only {@link Outcome#OK} lets the
 * connection go on; {@code identity} is then already stored on the session.
 */
public record LateAuthResult(Outcome outcome, Identity identity, String reason, List<Session> replaced) {
    public enum Outcome {
        OK,
        /** No token where one was expected (first_message / socketio_auth: close 4401, or 44 "Authentication required"). */
        MISSING,
        /** Malformed, badly signed, expired... (close 4401, or 44 "Invalid token"). */
        INVALID,
        /** Revoked (close 4401, or 44 "Invalid token"). */
        REVOKED,
        /** connect_roles not met (44 "Forbidden"; first_message: close 4401). */
        FORBIDDEN,
        /** max_sessions_per_user reached with on_excess_sessions: reject (44 "Too many sessions"). */
        TOO_MANY_SESSIONS,
        /** The token names another subject than the session's (refresh, second CONNECT): close 4401. */
        SUBJECT_CHANGED,
        /** Not verified: the client IP spent its {@code connections.auth_failures_per_ip} budget (close 4429). */
        OVER_BUDGET
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    static LateAuthResult refused(Outcome outcome, String reason) {
        return new LateAuthResult(outcome, null, reason, List.of());
    }
}
