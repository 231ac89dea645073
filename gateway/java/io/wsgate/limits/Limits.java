package io.wsgate.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.wsgate.config.GatewayConfig;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;

import java.util.concurrent.TimeUnit;

/**
 * Process-wide buckets (per IP, per user, per event per user) plus a factory for per-connection ones.
 * Shared buckets live in a Caffeine cache whose entries expire once idle long enough to be full again
 * (forgetting a full bucket loses nothing), bounded in size against key floods.
 * With {@code state.store: redis}, every shared bucket also has a Redis twin that is consumed asynchronously
 * (see {@link RedisLimitSync}); decisions are always taken locally, never waiting on Redis.
 */
public final class Limits implements AutoCloseable {
    /** Retry-After for handshakes refused because the shared store is down under {@code fail_closed}. */
    public static final long STORE_DOWN_RETRY_MS = 1000;
    static final long DEFAULT_MAX_KEYS = 1_000_000;

    private final TimeMeter meter;
    private final Cache<String, Gate> shared;
    private final RedisLimitSync redis;
    private final boolean failClosed;

    /** Memory store, system clock. */
    public Limits() {
        this(TimeMeter.SYSTEM_NANOTIME, null, DEFAULT_MAX_KEYS);
    }

    /** Per {@code state}: memory, or Redis (connects now, off the event loop; retries in the background). */
    public Limits(GatewayConfig.State state) {
        this(TimeMeter.SYSTEM_NANOTIME, state, DEFAULT_MAX_KEYS);
    }

    /** For tests: a manual clock drives both the buckets and the cache expiry. */
    public Limits(TimeMeter meter, GatewayConfig.State state, long maxKeys) {
        this.meter = meter;
        this.shared = Caffeine.newBuilder()
                .ticker(meter::currentTimeNanos)
                .maximumSize(maxKeys)
                .expireAfter(new IdleExpiry())
                .build();
        boolean useRedis = state != null && state.store() == GatewayConfig.Store.REDIS;
        this.failClosed = useRedis && state.onFailure() == GatewayConfig.OnFailure.FAIL_CLOSED;
        this.redis = useRedis ? new RedisLimitSync(state.redisUrl(), meter) : null;
    }

    /** 0 when a new connection from {@code ip} may proceed, else milliseconds until it may (429 Retry-After). */
    public long tryConnect(RoutePolicy route, String ip) {
        if (failClosed && redis.down()) {
            return STORE_DOWN_RETRY_MS;
        }
        RouteLimits.Spec spec = route.limits().ipConnections();
        if (spec == null) {
            return 0;
        }
        return toMillis(take(gate("c|" + route.path() + "|" + ip, spec), spec));
    }

    /**
     * True when {@code state.store: redis} is unreachable. With {@code fail_closed} the guard answers 503 to a
     * refused {@link #tryConnect} when this is true (429 otherwise).
     */
    public boolean storeDown() {
        return redis != null && redis.down();
    }

    /** True when {@code fail_closed} is set and the store is unreachable: new handshakes get 503. */
    public boolean refusingForStoreDown() {
        return failClosed && redis.down();
    }

    public SessionLimits forSession(Session session) {
        return new SessionLimits(this, session);
    }

    /** Shared buckets currently tracked (after pending expirations ran). */
    public long trackedKeys() {
        shared.cleanUp();
        return shared.estimatedSize();
    }

    TimeMeter meter() {
        return meter;
    }

    /** The shared gate for {@code key}, created already configured so its first expiry is right. */
    Gate gate(String key, RouteLimits.Spec spec) {
        Gate g = shared.getIfPresent(key);
        if (g == null) {
            Gate fresh = new Gate(key, SynchronizationStrategy.SYNCHRONIZED, meter);
            fresh.prepare(spec);
            Gate prior = shared.asMap().putIfAbsent(key, fresh);
            g = prior == null ? fresh : prior;
        }
        return g;
    }

    /** Consume one token from a shared gate: the local bucket decides; Redis only feeds a deny window. */
    long take(Gate g, RouteLimits.Spec spec) {
        if (redis != null) {
            long until = g.remoteDeniedUntil;
            if (until != Gate.NO_DENY) {
                long now = meter.currentTimeNanos();
                if (now < until) {
                    return until - now;
                }
            }
        }
        long wait = g.tryTake(spec);
        if (wait == 0 && redis != null) {
            redis.record(g, spec);
        }
        return wait;
    }

    void untake(Gate g) {
        g.refund();
        if (redis != null) {
            redis.unrecord(g);
        }
    }

    static long toMillis(long nanos) {
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }

    static final class IdleExpiry implements Expiry<String, Gate> {
        @Override
        public long expireAfterCreate(String key, Gate value, long currentTime) {
            return value.idleNanos;
        }

        @Override
        public long expireAfterUpdate(String key, Gate value, long currentTime, long currentDuration) {
            return value.idleNanos;
        }

        @Override
        public long expireAfterRead(String key, Gate value, long currentTime, long currentDuration) {
            long until = value.remoteDeniedUntil;
            return until == Gate.NO_DENY ? value.idleNanos : Math.max(value.idleNanos, until - currentTime);
        }
    }
}
