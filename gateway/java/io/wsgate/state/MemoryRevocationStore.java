package io.wsgate.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Session;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Revocations of this process, in Caffeine maps whose entries expire at their {@code untilEpochSeconds}
 * (no sweeper). Deliberately not size-bounded: evicting an entry would un-revoke a token; entries only come
 * from the admin API and all expire. {@link #isRevoked} is three hash lookups, safe on an event loop.
 */
public final class MemoryRevocationStore implements RevocationStore {
    public static final int CLOSE_CODE = 4401;
    public static final String CLOSE_REASON = "token revoked";

    /** {@code at}: subject revocations refuse tokens issued at or before it. */
    private record Entry(long at, long until) {}

    private final ConnectionRegistry registry;
    private final LongSupplier nowSeconds;
    private final Cache<String, Entry> byJti;
    private final Cache<String, Entry> bySubject;
    private final Cache<String, Entry> byDigest;

    public MemoryRevocationStore(ConnectionRegistry registry) {
        this(registry, () -> System.currentTimeMillis() / 1000);
    }

    public MemoryRevocationStore(ConnectionRegistry registry, LongSupplier nowSeconds) {
        this.registry = registry;
        this.nowSeconds = nowSeconds;
        this.byJti = newCache();
        this.bySubject = newCache();
        this.byDigest = newCache();
    }

    private Cache<String, Entry> newCache() {
        return Caffeine.newBuilder()
                .expireAfter(Expiry.<String, Entry>writing((k, e) ->
                        Duration.ofSeconds(Math.max(0, e.until() - nowSeconds.getAsLong()))))
                .build();
    }

    @Override
    public boolean isRevoked(Identity id) {
        if (id == null) {
            return false;
        }
        long now = nowSeconds.getAsLong();
        if (id.jti() != null && live(byJti.getIfPresent(id.jti()), now)) {
            return true;
        }
        if (id.tokenDigest() != null && live(byDigest.getIfPresent(id.tokenDigest()), now)) {
            return true;
        }
        Entry sub = bySubject.getIfPresent(id.subject());
        return live(sub, now) && id.issuedAt() <= sub.at();
    }

    private static boolean live(Entry e, long now) {
        return e != null && e.until() > now;
    }

    /** Records the revocation (unless already past its {@code until}) and closes matching open sockets with 4401. */
    @Override
    public int revoke(Revocation r) {
        record(r);
        int closed = 0;
        for (Session s : registry.all()) {
            Identity id = s.identity();
            if (id != null && matches(r, id)) {
                s.close(CLOSE_CODE, CLOSE_REASON);
                closed++;
            }
        }
        return closed;
    }

    private void record(Revocation r) {
        check(r);
        if (r.untilEpochSeconds() <= nowSeconds.getAsLong()) {
            return;
        }
        Entry e = new Entry(r.atEpochSeconds(), r.untilEpochSeconds());
        if (r.jti() != null) {
            byJti.put(r.jti(), e);
        } else if (r.tokenDigest() != null) {
            byDigest.put(r.tokenDigest(), e);
        } else {
            // Two revocations of one subject: the later instant and the longer life win.
            bySubject.asMap().merge(r.subject(), e, (a, b) ->
                    new Entry(Math.max(a.at(), b.at()), Math.max(a.until(), b.until())));
        }
    }

    @Override
    public java.util.List<Revocation> list() {
        long now = nowSeconds.getAsLong();
        java.util.List<Revocation> out = new java.util.ArrayList<>();
        byJti.asMap().forEach((k, e) -> add(out, new Revocation(k, null, null, e.at(), e.until()), now));
        bySubject.asMap().forEach((k, e) -> add(out, new Revocation(null, k, null, e.at(), e.until()), now));
        byDigest.asMap().forEach((k, e) -> add(out, new Revocation(null, null, k, e.at(), e.until()), now));
        return out;
    }

    private static void add(java.util.List<Revocation> out, Revocation r, long now) {
        if (r.untilEpochSeconds() > now) {
            out.add(r);
        }
    }

    @Override
    public void lift(Revocation r) {
        check(r);
        if (r.jti() != null) {
            byJti.invalidate(r.jti());
        } else if (r.tokenDigest() != null) {
            byDigest.invalidate(r.tokenDigest());
        } else {
            bySubject.invalidate(r.subject());
        }
    }

    static boolean matches(Revocation r, Identity id) {
        if (r.jti() != null) {
            return r.jti().equals(id.jti());
        }
        if (r.tokenDigest() != null) {
            return r.tokenDigest().equals(id.tokenDigest());
        }
        return r.subject().equals(id.subject()) && id.issuedAt() <= r.atEpochSeconds();
    }

    private static void check(Revocation r) {
        int set = (r.jti() != null ? 1 : 0) + (r.subject() != null ? 1 : 0) + (r.tokenDigest() != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("a revocation names exactly one of jti, sub, token");
        }
    }
}
