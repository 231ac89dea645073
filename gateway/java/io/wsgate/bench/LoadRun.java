package io.wsgate.bench;

import io.netty.util.concurrent.EventExecutor;
import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/** State shared by the connections of one load run. */
final class LoadRun {
    static final long MAX_MICROS = 3_600_000_000L;

    final LoadOptions options;
    final Payload payload;
    final ErrorLog errors = new ErrorLog();
    /** One histogram per event loop: recorded without locks, merged after the loops stop. */
    private final Map<EventExecutor, Histogram> histograms = new ConcurrentHashMap<>();
    private volatile CountDownLatch finished;
    private volatile boolean stopping;

    LoadRun(LoadOptions options) {
        this.options = options;
        this.payload = Payload.of(options.size(), options.payloadTemplate());
    }

    Histogram histogramFor(EventExecutor loop) {
        return histograms.computeIfAbsent(loop, l -> new Histogram(1, MAX_MICROS, 3));
    }

    Histogram merged() {
        Histogram all = new Histogram(1, MAX_MICROS, 3);
        histograms.values().forEach(all::add);
        return all;
    }

    void expect(int connections) {
        finished = new CountDownLatch(connections);
    }

    CountDownLatch finishedLatch() {
        return finished;
    }

    void onFinished(LoadHandler h) {
        finished.countDown();
    }

    boolean stopping() {
        return stopping;
    }

    void stop() {
        stopping = true;
    }
}
