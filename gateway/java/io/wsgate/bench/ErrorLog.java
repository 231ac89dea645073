package io.wsgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Error counts by kind plus the first few messages, safe to call from any thread. */
final class ErrorLog {
    private static final int MAX_SAMPLES = 5;

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sampleCount = new AtomicInteger();

    void add(String kind, long n, String detail) {
        if (n <= 0) {
            return;
        }
        counts.computeIfAbsent(kind, k -> new LongAdder()).add(n);
        if (detail != null && sampleCount.getAndIncrement() < MAX_SAMPLES) {
            samples.add(kind + ": " + detail);
        }
    }

    void add(String kind, Throwable cause) {
        add(kind, 1, cause == null ? null : describe(cause));
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    List<String> samples() {
        return new ArrayList<>(samples);
    }
}
