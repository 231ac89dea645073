package io.wsgate.bench;

import java.time.Duration;
import java.util.List;

/**
 * One load run.
 *
 * @param rate     total messages per second over all connections; 0 = closed loop
 * @param inFlight closed loop: messages outstanding per connection; open loop: the most a
 *                 connection lets pile up before it stops sending (late sends still count from
 *                 their intended time)
 */
public record LoadOptions(String url, int connections, long messagesPerConnection, int size, double rate,
                          int inFlight, Duration durationLimit, List<String> headers, String payloadTemplate,
                          boolean binary, int threads, int connectConcurrency) {
    public LoadOptions {
        if (connections < 1 || connections > 1 << 23) {
            throw new IllegalArgumentException("connections must be 1.." + (1 << 23));
        }
        if (messagesPerConnection < 0 || messagesPerConnection >= 1L << 40) {
            throw new IllegalArgumentException("messages must be 0..2^40");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("rate must be >= 0");
        }
        if (inFlight < 1 || inFlight > 1 << 20) {
            throw new IllegalArgumentException("in-flight must be 1..1048576");
        }
        if (durationLimit.isNegative() || durationLimit.isZero()) {
            throw new IllegalArgumentException("duration limit must be positive");
        }
        if (binary && payloadTemplate != null) {
            throw new IllegalArgumentException("a payload template is text; do not combine it with --binary");
        }
        if (threads < 1 || connectConcurrency < 1) {
            throw new IllegalArgumentException("threads and connect concurrency must be >= 1");
        }
        headers = List.copyOf(headers);
    }

    public boolean openLoop() {
        return rate > 0;
    }
}
