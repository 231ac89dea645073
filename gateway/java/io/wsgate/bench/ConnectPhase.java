package io.wsgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Opens N WebSocket connections with at most {@code concurrency} handshakes in flight (so the
 * relay's accept backlog is not flooded) and waits, up to a deadline, until each one is
 * established or failed.
 */
final class ConnectPhase {
    private final Semaphore permits;
    private final CountDownLatch resolved;
    private final int count;
    private final ConcurrentLinkedQueue<BenchHandler> established = new ConcurrentLinkedQueue<>();
    final ErrorLog errors;
    /** Set at the deadline: outcomes arriving later are already counted as pending. */
    private volatile boolean over;

    ConnectPhase(int count, int concurrency, ErrorLog errors) {
        this.count = count;
        this.permits = new Semaphore(concurrency);
        this.resolved = new CountDownLatch(count);
        this.errors = errors;
    }

    /**
     * Connects {@code count} channels with {@code bootstrap} (whose pipeline ends in a BenchHandler
     * built with this phase). Returns the handlers established before {@code deadlineNanos}.
     */
    List<BenchHandler> run(Bootstrap bootstrap, String host, int port, long deadlineNanos) throws InterruptedException {
        int started = 0;
        for (; started < count; started++) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            ChannelFuture f = bootstrap.connect(host, port);
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    onFailed("connect", ErrorLog.describe(done.cause()));
                }
            });
        }
        if (started < count) {
            errors.add("connect", count - started, "connect phase hit the time limit after " + started + " attempts");
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            // Only the started attempts count down; wait for them, not for the ones never made.
            while (resolved.getCount() > count - started && System.nanoTime() < deadlineNanos) {
                resolved.await(Math.min(50_000_000L, Math.max(1, deadlineNanos - System.nanoTime())), TimeUnit.NANOSECONDS);
            }
        }
        over = true;
        long pending = resolved.getCount() - (count - started);
        errors.add("handshake", pending, pending + " handshakes still pending at the time limit");
        return new ArrayList<>(established);
    }

    void onEstablished(BenchHandler h) {
        if (over) {
            h.ctx.close();
            return;
        }
        established.add(h);
        permits.release();
        resolved.countDown();
    }

    void onFailed(String kind, String why) {
        if (over) {
            return;
        }
        errors.add(kind, 1, why);
        permits.release();
        resolved.countDown();
    }
}
