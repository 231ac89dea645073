package io.wsgate.proxy;

import io.wsgate.inspect.ConnectionInspector;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;

/** Builds the per-connection inspector once the guard accepted the upgrade; production: {@code server.Gateway}. */
@FunctionalInterface
public interface InspectorFactory {
    ConnectionInspector create(Session session, PolicyHolder policies, RoutePolicy acceptedOn, HandshakeDecision decision);
}
