package io.wsgate.testing;

import io.netty.util.ResourceLeakDetector;

import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector, also keeping every report so that {@link LeakCheckExtension} can fail the test class
 * that leaked. Installed by surefire through {@code -Dio.netty.customResourceLeakDetector} (so it is in place
 * before the first buffer class initialises its detector), with {@code -Dio.netty.leakDetection.level=paranoid}.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
    private static final List<String> LEAKS = new ArrayList<>();

    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    /** Netty looks this (older) signature up first and logs an ERROR when it is missing; maxActive is unused there. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        record(resourceType + " leaked:" + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        record(resourceType + " leaked (no records)");
        super.reportUntracedLeak(resourceType);
    }

    private static void record(String leak) {
        synchronized (LEAKS) {
            LEAKS.add(leak);
        }
    }

    /** The reports since the last call. */
    static List<String> drain() {
        synchronized (LEAKS) {
            List<String> out = List.copyOf(LEAKS);
            LEAKS.clear();
            return out;
        }
    }
}
