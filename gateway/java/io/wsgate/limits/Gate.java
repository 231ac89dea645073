package io.wsgate.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.SynchronizationStrategy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One token bucket plus the limits it was built from. The bucket is built on first use and reconfigured lazily
 * when a reload hands it a different {@link RouteLimits.Spec} instance (one reference compare per use).
 * PROPORTIONALLY keeps the fraction of the budget already spent: a reload neither refills an abuser (RESET) nor
 * leaves a loosened limit stuck at the old count (AS_IS).
 */
final class Gate {
    static final long NO_DENY = Long.MIN_VALUE;

    private final SynchronizationStrategy sync;
    private final TimeMeter meter;
    /** The cache key (shared gates only); the Redis bucket key derives from it. */
    final String key;
    private LocalBucket bucket;
    private volatile RouteLimits.Spec applied;
    /** Caffeine expiry: an idle bucket is full after this long, so forgetting it then loses nothing. */
    volatile long idleNanos = 60_000_000_000L;

    // Redis sharing; untouched with the memory store.
    final AtomicLong pendingRemote = new AtomicLong();
    volatile long remoteDeniedUntil = NO_DENY;
    volatile AsyncBucketProxy remote;
    volatile RouteLimits.Spec remoteSpec;
    volatile RouteLimits.Spec remoteBuiltFor;

    Gate(String key, SynchronizationStrategy sync, TimeMeter meter) {
        this.key = key;
        this.sync = sync;
        this.meter = meter;
    }

    RouteLimits.Spec applied() {
        return applied;
    }

    /** 0 when a token was taken, else nanoseconds until one is available. */
    long tryTake(RouteLimits.Spec spec) {
        // applied is written after bucket, so reading it first makes bucket visible.
        LocalBucket b = applied == spec ? bucket : configure(spec);
        if (b.tryConsume(1)) {
            return 0;
        }
        // Only refusals pay for the probe object.
        return Math.max(1, b.estimateAbilityToConsume(1).getNanosToWaitForRefill());
    }

    /** 0 when a token is available (none is taken), else nanoseconds until one is. */
    long nanosUntilAvailable(RouteLimits.Spec spec) {
        LocalBucket b = applied == spec ? bucket : configure(spec);
        if (b.getAvailableTokens() > 0) {
            return 0;
        }
        return Math.max(1, b.estimateAbilityToConsume(1).getNanosToWaitForRefill());
    }

    void prepare(RouteLimits.Spec spec) {
        configure(spec);
    }

    /** Gives back a token taken for a message a later bucket refused. */
    void refund() {
        LocalBucket b = bucket;
        if (b != null) {
            b.addTokens(1);
        }
    }

    long availableTokens() {
        LocalBucket b = bucket;
        return b == null ? -1 : b.getAvailableTokens();
    }

    private synchronized LocalBucket configure(RouteLimits.Spec spec) {
        RouteLimits.Spec old = applied;
        if (old == spec && bucket != null) {
            return bucket;
        }
        if (bucket == null) {
            LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(meter).withSynchronizationStrategy(sync);
            for (Bandwidth bw : spec.configuration().getBandwidths()) {
                builder.addLimit(bw);
            }
            bucket = builder.build();
        } else if (!old.configuration().equals(spec.configuration())) {
            bucket.replaceConfiguration(spec.configuration(), TokensInheritanceStrategy.PROPORTIONALLY);
        }
        idleNanos = spec.fullNanos() + 1_000_000_000L;
        applied = spec;
        return bucket;
    }
}
