package io.wsgate.proxy;

import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.HandshakeRequest;
import io.wsgate.policy.Policy;

/** Decides an upgrade request. Production passes {@code HandshakeGuard::check}; tests pass their own. */
@FunctionalInterface
public interface Guard {
    HandshakeDecision check(Policy policy, HandshakeRequest request);
}
