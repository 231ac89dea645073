package io.wsgate.proxy;

import io.wsgate.inspect.ConnectionInspector;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;

/** Builds the per-connection inspector; production: {@code new ConnectionInspector(s, p, r, limits.forSession(s))}. */
@FunctionalInterface
public interface InspectorFactory {
    ConnectionInspector create(Session session, PolicyHolder policies, RoutePolicy acceptedOn);
}
