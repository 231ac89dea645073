package io.wsgate.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an idle run measured. Memory values are KiB summed over the probed pids; -1 = not available. */
public record IdleResult(IdleOptions options, String transport, int established, int closedWhileHeld,
                         int echoedAtEnd, double connectSeconds, ProcessProbe.Sample before,
                         ProcessProbe.Sample after, Map<String, Long> errors, List<String> errorSamples) {

    /** Growth of VmRSS per established connection, in bytes. */
    public long rssBytesPerConnection() {
        return perConnection(before.rssKb(), after.rssKb());
    }

    public long heapBytesPerConnection() {
        return perConnection(before.heapUsedKb(), after.heapUsedKb());
    }

    public long nmtBytesPerConnection() {
        return perConnection(before.nmtCommittedKb(), after.nmtCommittedKb());
    }

    private long perConnection(long beforeKb, long afterKb) {
        return beforeKb < 0 || afterKb < 0 || established == 0 ? -1 : (afterKb - beforeKb) * 1024 / established;
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", options.url());
        m.put("connections", options.connections());
        m.put("established", established);
        m.put("connect_seconds", connectSeconds);
        m.put("hold_seconds", options.hold().toMillis() / 1000.0);
        m.put("warmup_connections", options.warmup());
        m.put("closed_while_held", closedWhileHeld);
        m.put("echoed_at_end", echoedAtEnd);
        m.put("pids", options.pids());
        m.put("before", sampleMap(before));
        m.put("after", sampleMap(after));
        m.put("rss_bytes_per_connection", rssBytesPerConnection());
        m.put("heap_bytes_per_connection", heapBytesPerConnection());
        m.put("nmt_bytes_per_connection", nmtBytesPerConnection());
        m.put("errors", errors);
        m.put("error_samples", errorSamples);
        return m;
    }

    private static Map<String, Object> sampleMap(ProcessProbe.Sample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (s == null) {
            return m;
        }
        m.put("rss_kb", s.rssKb());
        m.put("rss_anon_kb", s.rssAnonKb());
        m.put("open_files", s.openFiles());
        m.put("heap_used_kb", s.heapUsedKb());
        m.put("nmt_committed_kb", s.nmtCommittedKb());
        return m;
    }

    public static final String MARKDOWN_HEADER = """
            | target | conns | RSS before KiB | RSS after KiB | RSS B/conn | open files before → after | JVM heap B/conn | echoed at end | errors |
            |---|---:|---:|---:|---:|---|---:|---:|---|
            """;

    public String markdownRow(String label) {
        ProcessProbe.Sample b = before == null ? new ProcessProbe.Sample(-1, -1, -1, -1, -1) : before;
        ProcessProbe.Sample a = after == null ? b : after;
        return String.format("| %s | %d/%d | %d | %d | %d | %d → %d | %s | %d | %s |%n",
                label, established, options.connections(), b.rssKb(), a.rssKb(), rssBytesPerConnection(),
                b.openFiles(), a.openFiles(), options.jvmProbe() ? Long.toString(heapBytesPerConnection()) : "n/a",
                echoedAtEnd, errors.isEmpty() ? "0" : errorCount() + " " + errors);
    }

    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("target       %s (%s)%n", options.url(), transport));
        s.append(String.format("idle         %d/%d connections opened in %.2f s (after a warm-up of %d), held %.1f s; "
                        + "%d closed while held, %d echoed at the end%n",
                established, options.connections(), connectSeconds, options.warmup(),
                options.hold().toMillis() / 1000.0, closedWhileHeld, echoedAtEnd));
        if (!options.pids().isEmpty()) {
            s.append(String.format("pids         %s%n", options.pids()));
            s.append(String.format("VmRSS        %d KiB -> %d KiB = %d B per connection (RssAnon %d -> %d KiB)%n",
                    before.rssKb(), after.rssKb(), rssBytesPerConnection(), before.rssAnonKb(), after.rssAnonKb()));
            s.append(String.format("open files   %d -> %d%n", before.openFiles(), after.openFiles()));
            if (options.jvmProbe()) {
                s.append(String.format("JVM heap     %d KiB -> %d KiB used after GC = %d B per connection%n",
                        before.heapUsedKb(), after.heapUsedKb(), heapBytesPerConnection()));
                s.append(String.format("JVM NMT      %d KiB -> %d KiB committed = %d B per connection (-1: start the JVM with -XX:NativeMemoryTracking=summary)%n",
                        before.nmtCommittedKb(), after.nmtCommittedKb(), nmtBytesPerConnection()));
            }
        }
        s.append(String.format("errors       %d %s%n", errorCount(), errors.isEmpty() ? "" : errors));
        for (String e : errorSamples) {
            s.append("  ").append(e).append(System.lineSeparator());
        }
        return s.toString();
    }
}
