package io.wsgate.limits;

import io.wsgate.config.RouteConfig;

/** A route's compiled rate limits (bucket configurations), or a no-op when the route has none. */
public final class RouteLimits {
    private final RouteConfig.RateLimits config;

    private RouteLimits(RouteConfig.RateLimits config) {
        this.config = config;
    }

    public static RouteLimits compile(RouteConfig route) {
        return new RouteLimits(route.rateLimits());
    }

    public RouteConfig.RateLimits config() {
        return config;
    }
}
