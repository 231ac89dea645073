package io.wsgate.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.wsgate.config.InvalidSettingException;
import io.wsgate.config.RouteConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A route's compiled rate limits (bucket configurations), or a no-op when the route has none.
 * Refill is greedy: {@code limit} tokens spread evenly over {@code per} (same average as "limit every per",
 * without a burst at each interval edge, and retry-after is the time to the next single token).
 * Capacity is {@code burst} (defaults to {@code limit}). Immutable; a reload compiles a new instance, which is
 * how live buckets notice the change.
 */
public final class RouteLimits {
    /** One compiled {@code {limit, per, burst}}. {@code fullNanos}: time to refill from empty to full. */
    public record Spec(BucketConfiguration configuration, long fullNanos, long nanosPerToken, boolean perUser) {}

    private final RouteConfig.RateLimits config;
    private final Spec ipConnections;
    private final Spec ipMessages;
    private final Spec userMessages;
    private final Map<String, Spec> events;
    /** The contract's default for {@code rate_limits.close_after}. */
    public static final int DEFAULT_CLOSE_AFTER = 50;
    private final int closeAfter;

    private RouteLimits(RouteConfig.RateLimits config, Spec ipConnections, Spec ipMessages, Spec userMessages,
                        Map<String, Spec> events) {
        this.config = config;
        this.ipConnections = ipConnections;
        this.ipMessages = ipMessages;
        this.userMessages = userMessages;
        this.events = events;
        // Without a rate_limits section, per-event rates still follow the section's defaults (close on the 50th drop).
        this.closeAfter = config == null ? DEFAULT_CLOSE_AFTER : config.closeAfter();
    }

    public static RouteLimits compile(RouteConfig route) {
        RouteConfig.RateLimits rl = route.rateLimits();
        Spec conns = null;
        Spec ipMsgs = null;
        Spec userMsgs = null;
        if (rl != null) {
            if (rl.perIp() != null) {
                conns = spec(rl.perIp().connections(), "rate_limits.per_ip.connections");
                ipMsgs = spec(rl.perIp().messages(), "rate_limits.per_ip.messages");
            }
            if (rl.perUser() != null) {
                userMsgs = spec(rl.perUser().messages(), "rate_limits.per_user.messages");
            }
            if (rl.closeAfter() < 0) {
                throw new InvalidSettingException("rate_limits.close_after", "must be 0 or more");
            }
        }
        Map<String, Spec> ev = new HashMap<>();
        if (route.events() != null && route.events().rules() != null) {
            route.events().rules().forEach((name, rule) -> {
                if (rule != null && rule.rate() != null) {
                    ev.put(name, spec(rule.rate(), "events.rules." + name + ".rate"));
                }
            });
        }
        return new RouteLimits(rl, conns, ipMsgs, userMsgs, Map.copyOf(ev));
    }

    static Spec spec(RouteConfig.Rate rate, String key) {
        if (rate == null) {
            return null;
        }
        if (rate.limit() <= 0) {
            throw new InvalidSettingException(key + ".limit", "must be at least 1");
        }
        Duration per = rate.per();
        if (per == null || per.isZero() || per.isNegative()) {
            throw new InvalidSettingException(key + ".per", "must be a positive duration");
        }
        int burst = rate.burst() <= 0 ? rate.limit() : rate.burst();
        BucketConfiguration cfg = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(rate.limit(), per).build())
                .build();
        long full = (long) Math.ceil((double) per.toNanos() * burst / rate.limit());
        return new Spec(cfg, full, Math.max(1, per.toNanos() / rate.limit()), rate.scope() == RouteConfig.Scope.USER);
    }

    /** The raw section; null when the route has no {@code rate_limits}. */
    public RouteConfig.RateLimits config() {
        return config;
    }

    public Spec ipConnections() {
        return ipConnections;
    }

    public Spec ipMessages() {
        return ipMessages;
    }

    public Spec userMessages() {
        return userMessages;
    }

    /** The event's own rate, or null. */
    public Spec event(String name) {
        return name == null ? null : events.get(name);
    }

    /** {@code rate_limits.close_after}; 0: dropping never closes. */
    public int closeAfter() {
        return closeAfter;
    }

    public boolean closeOnExceed() {
        return config != null && config.onExceed() == RouteConfig.OnExceed.CLOSE;
    }

    public boolean notifyClient() {
        return config == null || config.notifyClient();
    }
}
