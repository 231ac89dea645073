package io.wsgate.audit;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every refusal (before the audit log samples) by client IP and by user, then hands it on to the audit
 * log. Cost on a refusal: a map lookup and an add per key. Keys are capped ({@link #MAX_KEYS} each) because a
 * flood could bring many IPs; beyond the cap new keys count as {@link #OTHER}.
 */
public final class RefusalTally implements AuditLog {
    public static final int MAX_KEYS = 10_000;
    public static final String OTHER = "(other)";

    /** One key's count. */
    public record Count(String key, long count) {}

    private final AuditLog next;
    private final Map<String, LongAdder> byIp = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byUser = new ConcurrentHashMap<>();

    public RefusalTally(AuditLog next) {
        this.next = next;
    }

    public AuditLog next() {
        return next;
    }

    @Override
    public void handshakeRefused(String ip, String route, int status, String reason) {
        handshakeRefused(ip, null, route, status, reason);
    }

    @Override
    public void handshakeRefused(String ip, String user, String route, int status, String reason) {
        add(byIp, ip);
        add(byUser, user);
        next.handshakeRefused(ip, user, route, status, reason);
    }

    @Override
    public void adminAction(String ip, String action, String detail, int status) {
        next.adminAction(ip, action, detail, status);
    }

    @Override
    public void messageRefused(long connectionId, String ip, String user, String route, String event, String reason) {
        add(byIp, ip);
        add(byUser, user);
        next.messageRefused(connectionId, ip, user, route, event, reason);
    }

    /** The {@code n} IPs with the most refusals since start, most first. */
    public List<Count> topIps(int n) {
        return top(byIp, n);
    }

    /** The {@code n} users (token subjects) with the most refused messages since start, most first. */
    public List<Count> topUsers(int n) {
        return top(byUser, n);
    }

    private static void add(Map<String, LongAdder> map, String key) {
        if (key == null) {
            return;
        }
        LongAdder a = map.get(key);
        if (a == null) {
            a = map.computeIfAbsent(map.size() >= MAX_KEYS ? OTHER : key, k -> new LongAdder());
        }
        a.increment();
    }

    static List<Count> top(Map<String, LongAdder> map, int n) {
        return map.entrySet().stream()
                .map(e -> new Count(e.getKey(), e.getValue().sum()))
                .sorted(Comparator.comparingLong(Count::count).reversed().thenComparing(Count::key))
                .limit(n)
                .toList();
    }
}
