package io.wsgate.state;

import io.wsgate.policy.Session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Every open proxied connection of this process: counts for the caps, lookup by user for revocation and session caps. */
public final class ConnectionRegistry {
    private final Map<Long, Session> byId = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perIp = new ConcurrentHashMap<>();

    public void add(Session s) {
        byId.put(s.id(), s);
        perIp.computeIfAbsent(s.clientIp(), k -> new AtomicInteger()).incrementAndGet();
    }

    public void remove(Session s) {
        if (byId.remove(s.id()) != null) {
            perIp.computeIfPresent(s.clientIp(), (k, v) -> v.decrementAndGet() <= 0 ? null : v);
        }
    }

    public int total() {
        return byId.size();
    }

    public int perIp(String ip) {
        AtomicInteger n = perIp.get(ip);
        return n == null ? 0 : n.get();
    }

    public Collection<Session> all() {
        return byId.values();
    }

    public List<Session> byUser(String subject) {
        return byId.values().stream().filter(s -> subject.equals(s.user())).toList();
    }

    /** The user's open sessions on one route ({@code routePath} null: on any route), oldest ({@code sinceMillis}) first. */
    public List<Session> byUserOldestFirst(String subject, String routePath) {
        List<Session> out = new ArrayList<>();
        for (Session s : byId.values()) {
            if (subject.equals(s.user()) && (routePath == null || routePath.equals(s.routePath()))) {
                out.add(s);
            }
        }
        out.sort(OLDEST_FIRST);
        return out;
    }

    private static final Comparator<Session> OLDEST_FIRST =
            Comparator.comparingLong(Session::sinceMillis).thenComparingLong(Session::id);
}
