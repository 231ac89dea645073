package io.wsgate.state;

import io.wsgate.policy.Identity;

/**
 * Revoked tokens: by jti, by subject (tokens issued at or before the revocation), or by whole token
 * (its digest). {@link #isRevoked} is a local in-memory check, safe on the event loop.
 */
public interface RevocationStore {
    boolean isRevoked(Identity identity);

    /** Records a revocation and closes every matching open socket with 4401; returns how many were closed. */
    int revoke(Revocation revocation);

    void lift(Revocation revocation);

    /**
     * False only when the store is shared, unreachable and configured {@code on_failure: fail_closed}: new
     * handshakes then get 503 while open sockets stay.
     */
    default boolean healthy() {
        return true;
    }

    /** The revocations in force here (a shared store: as this instance knows them), for {@code GET /admin/revocations}. */
    default java.util.List<Revocation> list() {
        return java.util.List.of();
    }
}
