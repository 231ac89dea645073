package io.wsgate.server;

import io.wsgate.config.GatewayConfig;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** The one drain of a gateway: started once, waits out the delay off every event loop, then closes the sockets. */
final class Drain {
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long maxWaitMillis;

    /** {@code closeAll} gets drain_timeout: stop accepting, 1001 to every socket, wait for them up to that. */
    void start(GatewayConfig.Shutdown config, Consumer<Duration> closeAll) {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        maxWaitMillis = config.drainDelay().plus(config.drainTimeout()).toMillis() + 5_000;
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(config.drainDelay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                closeAll.accept(config.drainTimeout());
            } finally {
                done.countDown();
            }
        }, "wsgate-drain");
        t.setDaemon(true);
        t.start();
    }

    boolean started() {
        return started.get();
    }

    /** Blocks until the sockets were closed (bounded by delay + timeout + 5 s). */
    void awaitDone() {
        try {
            done.await(maxWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
