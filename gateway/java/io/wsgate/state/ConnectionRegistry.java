package io.wsgate.state;

import io.wsgate.policy.Session;

import java.util.Collection;
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
}
