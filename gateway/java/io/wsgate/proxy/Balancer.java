package io.wsgate.proxy;

import io.wsgate.config.RouteConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Orders a route's targets for one connection: the first is preferred, the rest are fail-over candidates. */
final class Balancer {
    private final ConcurrentHashMap<String, AtomicInteger> active = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> cursors = new ConcurrentHashMap<>();

    List<String> order(String routePath, RouteConfig.Upstream upstream, String hashKey) {
        List<String> targets = upstream.targets();
        int n = targets.size();
        if (n <= 1) {
            return targets;
        }
        RouteConfig.Balance balance = upstream.balance() == null ? RouteConfig.Balance.ROUND_ROBIN : upstream.balance();
        int start = switch (balance) {
            case HASH_USER -> Math.floorMod(hashKey == null ? 0 : hashKey.hashCode(), n);
            default -> Math.floorMod(cursors.computeIfAbsent(routePath, k -> new AtomicInteger()).getAndIncrement(), n);
        };
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(targets.get((start + i) % n));
        }
        if (balance == RouteConfig.Balance.LEAST_CONNECTIONS) {
            // stable sort keeps the round-robin rotation among equally loaded targets
            out.sort(Comparator.comparingInt(this::activeCount));
        }
        return out;
    }

    int activeCount(String target) {
        AtomicInteger a = active.get(target);
        return a == null ? 0 : a.get();
    }

    void acquired(String target) {
        active.computeIfAbsent(target, k -> new AtomicInteger()).incrementAndGet();
    }

    void released(String target) {
        AtomicInteger a = active.get(target);
        if (a != null) {
            a.decrementAndGet();
        }
    }
}
