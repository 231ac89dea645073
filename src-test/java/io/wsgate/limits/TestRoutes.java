package io.wsgate.limits;

import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.Rate;
import io.wsgate.policy.RoutePolicy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds routes with given limits, and a manual clock for buckets and cache expiry. */
final class TestRoutes {
    private TestRoutes() {
    }

    static Rate rate(int limit, Duration per) {
        return new Rate(limit, per, 0, RouteConfig.Scope.CONNECTION);
    }

    static Rate rate(int limit, Duration per, int burst, RouteConfig.Scope scope) {
        return new Rate(limit, per, burst, scope);
    }

    static RoutePolicy route(String path, Rate ipConns, Rate ipMsgs, Rate userMsgs, int closeAfter,
                             Map<String, Rate> eventRates) {
        RouteConfig.Route r = new RouteConfig.Route(path, new RouteConfig.Upstream(List.of("ws://127.0.0.1:1/"),
                RouteConfig.Balance.ROUND_ROBIN, Duration.ofSeconds(3), null), List.of(), false, 65536, 1 << 20,
                List.of(), false);
        RouteConfig.RateLimits rl = new RouteConfig.RateLimits(new RouteConfig.PerIp(ipConns, ipMsgs),
                new RouteConfig.PerUser(userMsgs), RouteConfig.OnExceed.DROP, true, closeAfter);
        java.util.LinkedHashMap<String, RouteConfig.EventRule> rules = new java.util.LinkedHashMap<>();
        eventRates.forEach((k, v) -> rules.put(k, new RouteConfig.EventRule(List.of(), 0, v, null, Map.of(), Map.of())));
        RouteConfig.Events events = new RouteConfig.Events(RouteConfig.DefaultAction.ALLOW, RouteConfig.OnDeny.DROP,
                true, "error", rules);
        RouteConfig cfg = new RouteConfig(path.substring(1) + ".yaml", r,
                new RouteConfig.Protocol(RouteConfig.Kind.JSON, "type", null, 0), null, null, rl, events);
        return new RoutePolicy(cfg, null, null, RouteLimits.compile(cfg));
    }

}
