package io.wsgate.auth;

import io.wsgate.limits.Limits;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.HandshakeRequest;
import io.wsgate.policy.Policy;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.RevocationStore;

/**
 * Decides an upgrade request: path, route, origin, caps, per-IP connection rate, token, revocation, roles,
 * sessions per user; and builds the upstream request (path, query and headers without the token, identity
 * headers). Pure: no Netty, no I/O.
 */
public final class HandshakeGuard {
    private final ConnectionRegistry registry;
    private final RevocationStore revocations;
    private final Limits limits;

    public HandshakeGuard(ConnectionRegistry registry, RevocationStore revocations, Limits limits) {
        this.registry = registry;
        this.revocations = revocations;
        this.limits = limits;
    }

    public HandshakeDecision check(Policy policy, HandshakeRequest request) {
        return HandshakeDecision.refuse(404, "not_found", "not implemented yet");
    }
}
