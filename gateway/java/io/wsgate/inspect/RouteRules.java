package io.wsgate.inspect;

import io.wsgate.config.RouteConfig;

/** A route's compiled message rules: protocol, event path, compiled schemas and sanitizers. */
public final class RouteRules {
    private final RouteConfig route;

    private RouteRules(RouteConfig route) {
        this.route = route;
    }

    public static RouteRules compile(RouteConfig route) {
        return new RouteRules(route);
    }

    public RouteConfig route() {
        return route;
    }
}
