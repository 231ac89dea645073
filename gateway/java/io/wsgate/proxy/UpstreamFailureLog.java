package io.wsgate.proxy;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Upstream failures at WARN, at most one line a second: a dead backend under a connection storm must not turn
 * every refused upgrade into a log write. The lines left out are counted in the next one that is written.
 */
final class UpstreamFailureLog {
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    private static final AtomicLong NEXT = new AtomicLong(Long.MIN_VALUE);
    private static final AtomicLong SKIPPED = new AtomicLong();

    private UpstreamFailureLog() {
    }

    static void warn(Logger log, String connection, String reason) {
        long now = System.nanoTime();
        long next = NEXT.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !NEXT.compareAndSet(next, now + INTERVAL_NANOS)) {
            SKIPPED.incrementAndGet();
            log.debug("{}: {}", connection, reason);
            return;
        }
        long skipped = SKIPPED.getAndSet(0);
        if (skipped > 0) {
            log.warn("{}: {} ({} more upstream failures in the last second, at DEBUG)", connection, reason, skipped);
        } else {
            log.warn("{}: {}", connection, reason);
        }
    }
}
