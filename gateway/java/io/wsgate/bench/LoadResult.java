package io.wsgate.bench;

import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a load run measured; latencies are in microseconds. */
public record LoadResult(LoadOptions options, int messageBytes, String transport, int established, long sent,
                         long received, long elapsedNanos, long connectNanos, boolean timedOut, String boxLoad,
                         Map<String, Long> errors, List<String> errorSamples, Histogram latency) {

    /** Replies that matched their message (the latency samples). */
    public long completed() {
        return latency.getTotalCount();
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    public double throughput() {
        return elapsedNanos <= 0 ? 0 : completed() * 1e9 / elapsedNanos;
    }

    public long percentile(double p) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(p);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", options.url());
        m.put("mode", options.openLoop() ? "open-loop" : "closed-loop");
        m.put("rate", options.rate());
        m.put("in_flight", options.inFlight());
        m.put("connections", options.connections());
        m.put("established", established);
        m.put("messages_per_connection", options.messagesPerConnection());
        m.put("message_bytes", messageBytes);
        m.put("binary", options.binary());
        m.put("transport", transport);
        m.put("threads", options.threads());
        m.put("sent", sent);
        m.put("received", received);
        m.put("completed", completed());
        m.put("connect_seconds", connectNanos / 1e9);
        m.put("elapsed_seconds", elapsedNanos / 1e9);
        m.put("msgs_per_sec", Math.round(throughput()));
        m.put("timed_out", timedOut);
        m.put("box_load_1m", boxLoad);
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("p50", percentile(50));
        lat.put("p90", percentile(90));
        lat.put("p99", percentile(99));
        lat.put("p99_9", percentile(99.9));
        lat.put("max", latency.getTotalCount() == 0 ? 0 : latency.getMaxValue());
        lat.put("mean", Math.round(latency.getTotalCount() == 0 ? 0 : latency.getMean()));
        m.put("latency_us", lat);
        m.put("errors", errors);
        m.put("error_samples", errorSamples);
        return m;
    }

    public static final String MARKDOWN_HEADER = """
            | target | conns | msgs/conn | bytes | mode | msgs/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | errors | box load 1m |
            |---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|
            """;

    public String markdownRow(String label) {
        String mode = options.openLoop() ? String.format("open %.0f/s", options.rate())
                : "closed, " + options.inFlight() + " in flight";
        return String.format("| %s | %d/%d | %d | %d | %s | %.0f | %d | %d | %d | %d | %d | %s | %s |%n",
                label, established, options.connections(), options.messagesPerConnection(), messageBytes, mode,
                throughput(), percentile(50), percentile(90), percentile(99), percentile(99.9),
                latency.getTotalCount() == 0 ? 0 : latency.getMaxValue(),
                errors.isEmpty() ? "0" : errorCount() + " " + errors + (timedOut ? " (time limit)" : ""), boxLoad);
    }

    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("target       %s (%s, %d client thread(s))%n", options.url(), transport, options.threads()));
        s.append(String.format("load         %d/%d connections x %d messages of %d B, %s%n",
                established, options.connections(), options.messagesPerConnection(), messageBytes,
                options.openLoop() ? String.format("open loop at %.0f msgs/s total (max %d pending/conn)",
                        options.rate(), options.inFlight())
                        : "closed loop, " + options.inFlight() + " in flight/conn"));
        s.append(String.format("completed    %d of %d sent (%d received) in %.3f s (connect phase %.3f s)%s%n",
                completed(), sent, received, elapsedNanos / 1e9, connectNanos / 1e9,
                timedOut ? "  [DURATION LIMIT HIT]" : ""));
        s.append(String.format("throughput   %.0f msgs/s (box load average %s)%n", throughput(), boxLoad));
        s.append(String.format("latency us   p50 %d  p90 %d  p99 %d  p99.9 %d  max %d  mean %.0f%n",
                percentile(50), percentile(90), percentile(99), percentile(99.9),
                latency.getTotalCount() == 0 ? 0 : latency.getMaxValue(),
                latency.getTotalCount() == 0 ? 0.0 : latency.getMean()));
        s.append(String.format("errors       %d %s%n", errorCount(), errors.isEmpty() ? "" : errors));
        for (String e : errorSamples) {
            s.append("  ").append(e).append(System.lineSeparator());
        }
        return s.toString();
    }
}
