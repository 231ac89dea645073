package io.wsgate.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Makes a remote {@link JWKSource} built by Nimbus' {@code JWKSourceBuilder} (which caches, refreshes on an
 * unknown kid with rate limiting, retries and tolerates outages, but fetches over HTTP on the calling thread)
 * safe on an event loop: {@link #get} only reads the key set Nimbus last returned, and asks Nimbus again on a
 * background thread when a kid is unknown or the last answer is older than {@code recheckMillis}. Nimbus alone
 * decides whether that actually hits the network. Consequence: the first token signed with a newly rotated key
 * is refused (401) until the background refresh finished, typically a few hundred ms.
 */
final class BackgroundJwkSource implements JWKSource<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundJwkSource.class);
    private static final JWKSelector ALL = new JWKSelector(new JWKMatcher.Builder().build());
    private static final ExecutorService REFRESHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "wsgate-jwks-refresh");
        t.setDaemon(true);
        return t;
    });

    private final JWKSource<SecurityContext> nimbus;
    private final String url;
    private final long recheckMillis;
    private final LongSupplier clock;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile JWKSet snapshot = new JWKSet();
    private volatile long snapshotAtMillis;

    BackgroundJwkSource(JWKSource<SecurityContext> nimbus, String url, long recheckMillis, LongSupplier clock) {
        this.nimbus = nimbus;
        this.url = url;
        this.recheckMillis = recheckMillis;
        this.clock = clock;
    }

    /** Blocking first fetch, done at compile time (never on an event loop); false when the endpoint failed. */
    boolean prefetch() {
        try {
            refresh(null);
            return true;
        } catch (KeySourceException | RuntimeException e) {
            LOG.warn("JWKS {} not reachable at load ({}); tokens are refused until a background refresh succeeds",
                    url, e.getMessage());
            snapshotAtMillis = 0;
            return false;
        }
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        List<JWK> hit = selector.select(snapshot);
        if (hit.isEmpty() || clock.getAsLong() - snapshotAtMillis > recheckMillis) {
            refreshInBackground(hit.isEmpty() ? selector : null);
        }
        return hit;
    }

    /** True once a fetch succeeded; while not, starts a background retry (Nimbus rate-limits it). */
    boolean loadedOrRetry() {
        if (snapshotAtMillis != 0) {
            return true;
        }
        refreshInBackground(null);
        return false;
    }

    int keyCount() {
        return snapshot.size();
    }

    private void refreshInBackground(JWKSelector missed) {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            REFRESHER.execute(() -> {
                try {
                    refresh(missed);
                } catch (KeySourceException | RuntimeException e) {
                    LOG.warn("JWKS {} refresh failed: {}", url, e.getMessage());
                } finally {
                    refreshing.set(false);
                }
            });
        } catch (RuntimeException rejected) {
            refreshing.set(false);
        }
    }

    private void refresh(JWKSelector missed) throws KeySourceException {
        if (missed != null) {
            // Lets Nimbus apply its own "unknown kid" refresh (rate-limited).
            nimbus.get(missed, null);
        }
        List<JWK> all = nimbus.get(ALL, null);
        snapshot = new JWKSet(all);
        snapshotAtMillis = clock.getAsLong();
    }
}
