package io.wsgate.bench;

import java.time.Duration;
import java.util.List;

/**
 * One idle-memory run.
 *
 * @param pids     processes whose memory is sampled (summed); empty = none
 * @param jvmProbe        also force a GC and read heap/NMT via jcmd on the pids that are JVMs
 * @param warmup          connections opened, checked and closed before the first sample (0: none)
 * @param payloadTemplate shape of the one message each connection sends at the end (null: plain
 *                        text); a json route needs a message its policy lets through
 */
public record IdleOptions(String url, int connections, Duration hold, Duration connectLimit, List<String> headers,
                          List<Long> pids, boolean jvmProbe, int threads, int connectConcurrency,
                          int warmup, String payloadTemplate) {
    public IdleOptions {
        if (connections < 1 || connections > 1 << 23) {
            throw new IllegalArgumentException("connections must be 1.." + (1 << 23));
        }
        if (hold.isNegative() || connectLimit.isNegative() || connectLimit.isZero()) {
            throw new IllegalArgumentException("hold must be >= 0 and the connect limit > 0");
        }
        if (warmup < 0 || warmup > connections) {
            throw new IllegalArgumentException("warm-up must be 0..connections");
        }
        if (threads < 1 || connectConcurrency < 1) {
            throw new IllegalArgumentException("threads and connect concurrency must be >= 1");
        }
        headers = List.copyOf(headers);
        pids = List.copyOf(pids);
    }
}
