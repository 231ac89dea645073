package io.wsgate.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.wsgate.config.GatewayConfig;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * {@code connections.auth_failures_per_ip}: one local token bucket per client IP, consumed only by a failed token
 * verification, and asked "is this IP over budget" before a verification (which costs about 1 ms for ES256).
 * Same machinery as the per-IP limits ({@link Gate} in a bounded Caffeine map whose entries expire once full
 * again). Never blocks; safe from any event loop.
 *
 * <p>Reloads: the limits are read from the current snapshot on every call. A changed limit compiles a new
 * {@link RouteLimits.Spec} and each IP's bucket is reconfigured lazily with PROPORTIONALLY (the fraction already
 * spent is kept: a reload neither refills an abuser nor strands a loosened limit). {@code limit: 0} turns the meter
 * off; the buckets left then expire on their own. Always local to this process, also with {@code state.store: redis}.
 */
public final class AuthFailureMeter {
    /** A meter that never refuses and keeps nothing (tests, tools). */
    public static final AuthFailureMeter NONE = new AuthFailureMeter(() -> GatewayConfig.AuthFailures.OFF);
    /** IPs tracked at once; beyond, the least recently used are forgotten (a key flood costs memory, not a bypass). */
    static final long DEFAULT_MAX_KEYS = 100_000;

    private final Supplier<GatewayConfig.AuthFailures> config;
    private final TimeMeter meter;
    private final Cache<String, Gate> buckets;
    private final LongAdder failures = new LongAdder();
    private final LongAdder refusals = new LongAdder();
    private volatile Compiled compiled;

    private record Compiled(GatewayConfig.AuthFailures config, RouteLimits.Spec spec) {}

    /** @param config the limits in force now (e.g. from the current policy snapshot); null means off */
    public AuthFailureMeter(Supplier<GatewayConfig.AuthFailures> config) {
        this(config, TimeMeter.SYSTEM_NANOTIME, DEFAULT_MAX_KEYS);
    }

    /** For tests: a manual clock drives both the buckets and the map's expiry. */
    public AuthFailureMeter(Supplier<GatewayConfig.AuthFailures> config, TimeMeter meter, long maxKeys) {
        this.config = config;
        this.meter = meter;
        this.buckets = Caffeine.newBuilder()
                .ticker(meter::currentTimeNanos)
                .maximumSize(maxKeys)
                .expireAfter(new Limits.IdleExpiry())
                .build();
    }

    /**
     * 0 when {@code ip} may have a token verified now; else milliseconds until its budget has room again (the
     * caller refuses without verifying: 429 with Retry-After, or close 4429). Counts the refusal.
     */
    public long retryAfterMillis(String ip) {
        RouteLimits.Spec spec = spec();
        if (spec == null || ip == null) {
            return 0;
        }
        Gate g = buckets.getIfPresent(ip);
        long wait = g == null ? 0 : g.nanosUntilAvailable(spec);
        if (wait == 0) {
            return 0;
        }
        refusals.increment();
        return Limits.toMillis(wait);
    }

    /** One failed verification from {@code ip}: takes a token (none left: nothing more to take). */
    public void failed(String ip) {
        failures.increment();
        RouteLimits.Spec spec = spec();
        if (spec == null || ip == null) {
            return;
        }
        Gate g = buckets.getIfPresent(ip);
        if (g == null) {
            Gate fresh = new Gate(ip, SynchronizationStrategy.SYNCHRONIZED, meter);
            fresh.prepare(spec);
            Gate prior = buckets.asMap().putIfAbsent(ip, fresh);
            g = prior == null ? fresh : prior;
        }
        g.tryTake(spec);
    }

    /** Failed verifications reported so far (also while off). */
    public long failures() {
        return failures.sum();
    }

    /** Verifications refused because the IP was over budget. */
    public long refusals() {
        return refusals.sum();
    }

    /** IPs currently tracked (after pending expirations ran). */
    public long trackedIps() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    /** The compiled limits for the config in force, rebuilt only when it changed; null when off. */
    private RouteLimits.Spec spec() {
        GatewayConfig.AuthFailures cfg = config.get();
        if (cfg == null || !cfg.enabled()) {
            return null;
        }
        Compiled c = compiled;
        if (c == null || !c.config().equals(cfg)) {
            c = new Compiled(cfg, compile(cfg));
            compiled = c;
        }
        return c.spec();
    }

    static RouteLimits.Spec compile(GatewayConfig.AuthFailures cfg) {
        long perNanos = cfg.per().toNanos();
        BucketConfiguration bc = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(cfg.limit()).refillGreedy(cfg.limit(), cfg.per()).build())
                .build();
        return new RouteLimits.Spec(bc, perNanos, Math.max(1, perNanos / cfg.limit()), false);
    }
}
