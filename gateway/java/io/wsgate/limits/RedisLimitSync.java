package io.wsgate.limits;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shares per-IP and per-user buckets between gateway processes through Redis, never on the event loop.
 * <p>
 * Scheme: the local bucket always decides. Every token a shared gate hands out is also counted as pending; a
 * flusher thread sends each gate's pending count every {@link #FLUSH_MILLIS} ms to the gate's Redis bucket
 * ({@code tryConsumeAsMuchAsPossible}, async). When Redis could not cover them all (other processes spent the
 * shared budget), the gate gets a local deny window long enough to repay the shortfall plus one token; the event
 * loop only reads that volatile. Sharing is therefore eventually consistent: a process may pass up to one flush
 * interval of messages beyond the shared limit. While Redis is unreachable pending counts are discarded and local
 * buckets alone decide ({@code fail_open}); {@link #down()} lets {@code fail_closed} refuse handshakes.
 * A Redis bucket's key includes a digest of its configuration, so a reload that changes limits starts a new one.
 */
final class RedisLimitSync implements AutoCloseable {
    static final long FLUSH_MILLIS = 20;
    private static final Logger log = LoggerFactory.getLogger(RedisLimitSync.class);

    private final TimeMeter meter;
    private final RedisClient client;
    private final ScheduledExecutorService flusher;
    private final ConcurrentLinkedQueue<Gate> queue = new ConcurrentLinkedQueue<>();
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile AsyncProxyManager<byte[]> buckets;
    private volatile boolean down = true;
    private long lastConnectAttempt;

    RedisLimitSync(String redisUrl, TimeMeter meter) {
        this.meter = meter;
        this.client = RedisClient.create(redisUrl);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1)))
                .build());
        client.setDefaultTimeout(Duration.ofSeconds(1));
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wsgate-redis-limits");
            t.setDaemon(true);
            return t;
        });
        connect();
        flusher.scheduleWithFixedDelay(this::tick, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    boolean down() {
        return down;
    }

    /** Event loop: one token passed locally; counted for the next flush. */
    void record(Gate g, RouteLimits.Spec spec) {
        if (down) {
            return;
        }
        if (g.remoteSpec != spec) {
            g.remoteSpec = spec;
        }
        if (g.pendingRemote.getAndIncrement() == 0) {
            queue.offer(g);
        }
    }

    void unrecord(Gate g) {
        g.pendingRemote.updateAndGet(n -> n > 0 ? n - 1 : 0);
    }

    private void connect() {
        lastConnectAttempt = System.nanoTime();
        try {
            StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
            buckets = Bucket4jLettuce.casBasedBuilder(c)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .build()
                    .asAsync();
            connection = c;
            down = false;
        } catch (RuntimeException e) {
            down = true;
            log.warn("redis limits store unreachable: {}", e.getMessage());
        }
    }

    private void tick() {
        try {
            StatefulRedisConnection<byte[], byte[]> c = connection;
            if (c == null) {
                if (System.nanoTime() - lastConnectAttempt > 1_000_000_000L) {
                    connect();
                }
                if (connection == null) {
                    discardPending();
                    return;
                }
                c = connection;
            }
            down = !c.isOpen();
            if (down) {
                discardPending();
                return;
            }
            Gate g;
            while ((g = queue.poll()) != null) {
                long n = g.pendingRemote.getAndSet(0);
                if (n > 0) {
                    flush(g, n);
                }
            }
        } catch (RuntimeException e) {
            log.warn("redis limits flush failed: {}", e.toString());
        }
    }

    private void flush(Gate g, long n) {
        RouteLimits.Spec spec = g.remoteSpec;
        AsyncBucketProxy remote = g.remote;
        if (remote == null || remoteSpecOf(g) != spec) {
            byte[] key = ("wsgate:" + g.key + ":" + Integer.toHexString(spec.configuration().hashCode()))
                    .getBytes(StandardCharsets.UTF_8);
            remote = buckets.builder().build(key, () -> CompletableFuture.completedFuture(spec.configuration()));
            g.remote = remote;
            g.remoteBuiltFor = spec;
        }
        remote.tryConsumeAsMuchAsPossible(n).whenComplete((got, err) -> {
            if (err != null) {
                down = true;
                return;
            }
            if (got < n) {
                long perToken = spec.nanosPerToken();
                g.remoteDeniedUntil = meter.currentTimeNanos() + (n - got + 1) * perToken;
            }
        });
    }

    private static RouteLimits.Spec remoteSpecOf(Gate g) {
        return g.remoteBuiltFor;
    }

    private void discardPending() {
        Gate g;
        while ((g = queue.poll()) != null) {
            g.pendingRemote.set(0);
        }
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
