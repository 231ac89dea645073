package io.wsgate.inspect;

import io.wsgate.policy.Identity;

/**
 * Verifies a token that arrives inside a message (socketio_auth CONNECT, first_message, refresh). The
 * integrator binds the auth helper's verifier (signature, revocation, connect_roles, session cap) to it,
 * one instance per connection. Never logs or keeps the token.
 */
@FunctionalInterface
public interface TokenCheck {
    /**
     * The connection's first token (first_message, socketio_auth CONNECT): verify, revocation, connect_roles,
     * session cap. Production: {@code HandshakeGuard.authenticateLate(route, session, token)}.
     */
    Result check(String token);

    /**
     * A refresh event's token; the inspector also requires the same subject. Production:
     * {@code HandshakeGuard.refresh(route, session, token)}.
     */
    default Result refresh(String token) {
        return check(token);
    }

    /** {@code OVER_BUDGET}: not verified, the client IP spent its auth_failures_per_ip budget (close 4429). */
    enum Failure { MISSING, INVALID, REVOKED, FORBIDDEN_ROLE, TOO_MANY_SESSIONS, OVER_BUDGET }

    /** Exactly one of identity and failure is non-null. */
    record Result(Identity identity, Failure failure) {
        public static Result ok(Identity identity) {
            return new Result(identity, null);
        }

        public static Result fail(Failure failure) {
            return new Result(null, failure);
        }
    }

    /** For routes without in-message tokens: everything is invalid. */
    TokenCheck NONE = token -> Result.fail(token == null ? Failure.MISSING : Failure.INVALID);
}
