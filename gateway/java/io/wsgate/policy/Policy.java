package io.wsgate.policy;

import io.wsgate.config.GatewayConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One immutable snapshot of everything loaded from a policy directory; reload swaps the whole object. */
public final class Policy {
    private final long version;
    private final GatewayConfig gateway;
    private final Map<String, RoutePolicy> byPath;
    private final List<RoutePolicy> prefixesLongestFirst;

    public Policy(long version, GatewayConfig gateway, List<RoutePolicy> routes) {
        this.version = version;
        this.gateway = gateway;
        this.byPath = routes.stream().collect(Collectors.toUnmodifiableMap(RoutePolicy::path, Function.identity()));
        List<RoutePolicy> prefixes = new ArrayList<>();
        for (RoutePolicy r : routes) {
            if (r.path().endsWith("/")) {
                prefixes.add(r);
            }
        }
        prefixes.sort(Comparator.comparingInt((RoutePolicy r) -> r.path().length()).reversed());
        this.prefixesLongestFirst = List.copyOf(prefixes);
    }

    public long version() {
        return version;
    }

    public GatewayConfig gateway() {
        return gateway;
    }

    public List<RoutePolicy> routes() {
        return List.copyOf(byPath.values());
    }

    /**
     * The route a request path is served by: an exact match, else the longest prefix route; null: 404. Only a
     * path with one spelling can match ({@link RequestPath}): otherwise {@code /pre//admin/} would fall to
     * {@code /pre/} and reach the upstream as {@code /pre/admin/}.
     */
    public RoutePolicy match(String requestPath) {
        if (RequestPath.pathProblem(requestPath) != null) {
            return null;
        }
        RoutePolicy exact = byPath.get(requestPath);
        if (exact != null) {
            return exact;
        }
        for (RoutePolicy r : prefixesLongestFirst) {
            if (requestPath.startsWith(r.path())) {
                return r;
            }
        }
        return null;
    }

    /** The route with this {@code route.path}, as an open socket looks its route up again after a reload. */
    public RoutePolicy route(String routePath) {
        return byPath.get(routePath);
    }
}
