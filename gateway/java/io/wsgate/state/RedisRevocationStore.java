package io.wsgate.state;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.wsgate.config.GatewayConfig;
import io.wsgate.policy.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Revocations shared by every gateway instance through Redis. Each revocation is a key
 * {@code wsgate:rev:<jti|sub|tokhp>:<value>} ({@code tokhp}: the token's header+payload digest, see
 * {@link Revocation#tokenDigest()}) holding {@code <at>:<until>} that Redis expires at {@code until}
 * (EXAT), plus a message on channel {@code wsgate:revocations} that every other instance applies to its local
 * {@link MemoryRevocationStore} (closing its matching sockets). The keys are loaded at start and after every
 * reconnect. {@link #isRevoked} only reads the local store: never a Redis call on the check path. Writes to
 * Redis are asynchronous; while Redis is down revocations keep working locally (fail_open: changes are queued,
 * bounded, and written when Redis is back), and with fail_closed {@link #healthy()} turns false so new
 * handshakes get 503.
 */
public final class RedisRevocationStore implements RevocationStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRevocationStore.class);
    static final String KEY_PREFIX = "wsgate:rev:";
    static final String CHANNEL = "wsgate:revocations";
    /** Whole-token revocations; the older {@code tok} kind digested the signature too and is ignored. */
    static final String TOKEN_KIND = "tokhp";
    static final String LEGACY_TOKEN_KIND = "tok";

    private final MemoryRevocationStore local;
    private final boolean failClosed;
    private final String instanceId = UUID.randomUUID().toString();
    private final RedisClient client;
    private final ScheduledExecutorService background;
    private volatile StatefulRedisConnection<String, String> conn;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean closed;
    /** Changes made while Redis was unreachable, written when it is back (bounded; oldest dropped beyond). */
    private final ConcurrentLinkedQueue<Change> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    static final int MAX_PENDING = 10_000;

    private record Change(boolean revoke, Revocation revocation) {}

    /** Connects (bounded by a 2 s timeout; call it at start, never on an event loop) and loads existing revocations. */
    public RedisRevocationStore(ConnectionRegistry registry, String redisUrl, GatewayConfig.OnFailure onFailure) {
        this.local = new MemoryRevocationStore(registry);
        this.failClosed = onFailure == GatewayConfig.OnFailure.FAIL_CLOSED;
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(Duration.ofSeconds(2));
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
                .build());
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wsgate-revocations-redis");
            t.setDaemon(true);
            return t;
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (conn != null) {
                    background.execute(RedisRevocationStore.this::resync);
                }
            }
        });
        if (!tryConnect()) {
            background.schedule(this::retryConnect, 2, TimeUnit.SECONDS);
        }
    }

    private boolean tryConnect() {
        try {
            StatefulRedisPubSubConnection<String, String> ps = client.connectPubSub();
            ps.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    onMessage(message);
                }
            });
            ps.sync().subscribe(CHANNEL);
            pubsub = ps;
            conn = client.connect();
            flushPending();
            load();
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Redis revocation store unreachable ({}); {}", e.getMessage(),
                    failClosed ? "new handshakes get 503 until it is back" : "revocations stay local until it is back");
            StatefulRedisPubSubConnection<String, String> ps = pubsub;
            if (ps != null && conn == null) {
                ps.closeAsync();
                pubsub = null;
            }
            return false;
        }
    }

    private void retryConnect() {
        if (!closed && !tryConnect()) {
            background.schedule(this::retryConnect, 2, TimeUnit.SECONDS);
        }
    }

    @Override
    public boolean isRevoked(Identity identity) {
        return local.isRevoked(identity);
    }

    /** What this instance holds: every revocation loaded at start or received since (no Redis call). */
    @Override
    public java.util.List<Revocation> list() {
        return local.list();
    }

    @Override
    public boolean healthy() {
        if (!failClosed) {
            return true;
        }
        StatefulRedisConnection<String, String> c = conn;
        return c != null && c.isOpen();
    }

    /** Applies locally (closing this instance's sockets, counted), then writes and publishes asynchronously. */
    @Override
    public int revoke(Revocation r) {
        int closedHere = local.revoke(r);
        share(new Change(true, r));
        return closedHere;
    }

    @Override
    public void lift(Revocation r) {
        local.lift(r);
        share(new Change(false, r));
    }

    private void share(Change change) {
        StatefulRedisConnection<String, String> c = conn;
        if (c == null || !c.isOpen()) {
            LOG.warn("Redis down: {} applied on this instance; shared when Redis is back",
                    change.revoke() ? "revocation" : "lift");
            queue(change);
            return;
        }
        write(c, change).exceptionally(e -> {
            LOG.warn("Redis: change not shared yet ({}); retried on reconnect", e.getMessage());
            queue(change);
            return 0L;
        });
    }

    private java.util.concurrent.CompletionStage<Long> write(StatefulRedisConnection<String, String> c, Change change) {
        Revocation r = change.revocation();
        if (change.revoke()) {
            String message = instanceId + "|R|" + kind(r) + "|" + r.atEpochSeconds() + "|" + r.untilEpochSeconds()
                    + "|" + r.value();
            return c.async().set(key(r), r.atEpochSeconds() + ":" + r.untilEpochSeconds(),
                            SetArgs.Builder.exAt(r.untilEpochSeconds()))
                    .thenCompose(ok -> c.async().publish(CHANNEL, message));
        }
        String message = instanceId + "|L|" + kind(r) + "|0|0|" + r.value();
        return c.async().del(key(r)).thenCompose(n -> c.async().publish(CHANNEL, message));
    }

    private void queue(Change change) {
        pending.add(change);
        if (pendingCount.incrementAndGet() > MAX_PENDING && pending.poll() != null) {
            pendingCount.decrementAndGet();
            LOG.warn("Redis: more than {} unshared revocation changes; dropping the oldest", MAX_PENDING);
        }
    }

    /** Writes what changed during the outage (in order), then reloads everything others wrote meanwhile. */
    private void flushPending() {
        StatefulRedisConnection<String, String> c = conn;
        Change change;
        while (c != null && (change = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            try {
                write(c, change).toCompletableFuture().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                pending.add(change);
                pendingCount.incrementAndGet();
                LOG.warn("Redis: flushing unshared revocations failed: {}", e.getMessage());
                return;
            }
        }
    }

    private void onMessage(String message) {
        String[] f = message.split("\\|", 6);
        if (f.length != 6 || f[0].equals(instanceId)) {
            return;
        }
        try {
            Revocation r = revocation(f[2], f[5], Long.parseLong(f[3]), Long.parseLong(f[4]));
            if (r == null) {
                return;
            }
            if (f[1].equals("R")) {
                local.revoke(r);
            } else if (f[1].equals("L")) {
                local.lift(r);
            }
        } catch (NumberFormatException e) {
            LOG.warn("Redis: ignoring malformed revocation message");
        }
    }

    private void load() {
        RedisCommands<String, String> sync = conn.sync();
        List<String> keys = new ArrayList<>();
        int legacy = 0;
        ScanIterator.scan(sync, ScanArgs.Builder.matches(KEY_PREFIX + "*").limit(500)).forEachRemaining(keys::add);
        for (int i = 0; i < keys.size(); i += 500) {
            List<String> batch = keys.subList(i, Math.min(keys.size(), i + 500));
            for (KeyValue<String, String> kv : sync.mget(batch.toArray(String[]::new))) {
                if (!kv.hasValue()) {
                    continue;
                }
                String rest = kv.getKey().substring(KEY_PREFIX.length());
                int colon = rest.indexOf(':');
                if (rest.startsWith(LEGACY_TOKEN_KIND + ":")) {
                    legacy++;
                }
                String[] times = kv.getValue().split(":");
                if (colon < 0 || times.length != 2) {
                    continue;
                }
                try {
                    Revocation r = revocation(rest.substring(0, colon), rest.substring(colon + 1),
                            Long.parseLong(times[0]), Long.parseLong(times[1]));
                    if (r != null) {
                        local.revoke(r);
                    }
                } catch (NumberFormatException ignored) {
                    // not ours
                }
            }
        }
        LOG.info("Redis: {} revocations loaded", keys.size() - legacy);
        if (legacy > 0) {
            LOG.warn("Redis: ignoring {} whole-token revocations written by an older version (keyed on the"
                    + " signature too); revoke those tokens again", legacy);
        }
    }

    private void resync() {
        try {
            if (!closed && conn != null) {
                flushPending();
                load();
            }
        } catch (RuntimeException e) {
            LOG.warn("Redis: reloading revocations failed: {}", e.getMessage());
        }
    }

    private static Revocation revocation(String kind, String value, long at, long until) {
        return switch (kind) {
            case "jti" -> new Revocation(value, null, null, at, until);
            case "sub" -> new Revocation(null, value, null, at, until);
            case TOKEN_KIND -> new Revocation(null, null, value, at, until);
            default -> null;
        };
    }

    /** The key's kind: a token revocation is {@code tokhp} (header+payload digest), never an older whole-token key. */
    private static String kind(Revocation r) {
        return r.tokenDigest() != null ? TOKEN_KIND : r.kind();
    }

    private static String key(Revocation r) {
        return KEY_PREFIX + kind(r) + ":" + r.value();
    }

    @Override
    public void close() {
        closed = true;
        background.shutdownNow();
        StatefulRedisPubSubConnection<String, String> ps = pubsub;
        if (ps != null) {
            ps.close();
        }
        StatefulRedisConnection<String, String> c = conn;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
