package io.wsgate.audit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.wsgate.config.GatewayConfig;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one JSON line per refusal to a stream, off the caller's thread: callers only offer to a bounded queue.
 * Sampling: at most {@code perSecond} lines per second (a Bucket4j bucket); lines beyond that, or offered while
 * the queue is full, are left out and reported by a summary line {@code {"kind":"summary","left_out":N}} at most
 * once per second. The caller never passes a token, and nothing here reads one.
 */
public final class JsonAuditLog implements AuditLog, AutoCloseable {
    public static final int DEFAULT_PER_SECOND = 100;
    public static final int DEFAULT_QUEUE = 4096;

    private record Entry(long epochMillis, String kind, long connectionId, String ip, String user, String route,
                         String event, int status, String reason) {}

    private static final Entry STOP = new Entry(0, null, 0, null, null, null, null, 0, null);

    private final Writer out;
    private final boolean closeOut;
    private final Clock clock;
    private final Bucket sample;
    private final BlockingQueue<Entry> queue;
    private final AtomicLong leftOut = new AtomicLong();
    private final AtomicLong totalLeftOut = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final JsonFactory json = new JsonFactory();
    private final Thread writer;
    private final AuditRing recent = new AuditRing(AuditRing.DEFAULT_CAPACITY);
    private long lastSummaryMillis;

    public JsonAuditLog(Writer out, boolean closeOut, int perSecond, int queueSize, Clock clock, TimeMeter meter) {
        this.out = out;
        this.closeOut = closeOut;
        this.clock = clock;
        this.sample = Bucket.builder()
                .addLimit(l -> l.capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1)))
                .withCustomTimePrecision(meter)
                .withSynchronizationStrategy(SynchronizationStrategy.LOCK_FREE)
                .build();
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.lastSummaryMillis = clock.millis();
        this.writer = new Thread(this::run, "wsgate-audit");
        writer.setDaemon(true);
        writer.start();
    }

    /** {@code audit.denials}: "off" gives {@link AuditLog#OFF}, "stdout" standard output, anything else a file (appended). */
    public static AuditLog create(GatewayConfig.Audit audit) {
        String where = audit == null || audit.denials() == null ? "stdout" : audit.denials();
        if (where.equals("off")) {
            return AuditLog.OFF;
        }
        return new JsonAuditLog(LogStreams.open(where, "audit.denials"), LogStreams.owned(where), DEFAULT_PER_SECOND,
                DEFAULT_QUEUE, Clock.systemUTC(), TimeMeter.SYSTEM_NANOTIME);
    }

    @Override
    public void handshakeRefused(String ip, String route, int status, String reason) {
        handshakeRefused(ip, null, route, status, reason);
    }

    @Override
    public void handshakeRefused(String ip, String user, String route, int status, String reason) {
        offer(new Entry(clock.millis(), "handshake", 0, ip, user, route, null, status, reason));
    }

    @Override
    public void adminAction(String ip, String action, String detail, int status) {
        offer(new Entry(clock.millis(), "admin", 0, ip, null, null, action, status, detail));
    }

    @Override
    public void messageRefused(long connectionId, String ip, String user, String route, String event, String reason) {
        offer(new Entry(clock.millis(), "message", connectionId, ip, user, route, event, 0, reason));
    }

    /** Lines left out so far (sampled away or queue full), including those already reported in a summary. */
    public long leftOutTotal() {
        return totalLeftOut.get();
    }

    /** The last lines written (summaries included), kept by the writer thread for the admin API. */
    public AuditRing recent() {
        return recent;
    }

    /** Lines written so far (summaries excluded). */
    public long written() {
        return written.get();
    }

    private void offer(Entry e) {
        if (!sample.tryConsume(1) || !queue.offer(e)) {
            leftOut.incrementAndGet();
            totalLeftOut.incrementAndGet();
        }
    }

    private void run() {
        try {
            while (true) {
                Entry e = queue.poll(200, TimeUnit.MILLISECONDS);
                if (e == STOP) {
                    summary(true);
                    out.flush();
                    return;
                }
                if (e != null) {
                    write(e);
                    written.incrementAndGet();
                    if (queue.isEmpty()) {
                        summary(false);
                        out.flush();
                    }
                } else {
                    summary(false);
                    out.flush();
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException ex) {
            System.err.println("wsgate audit writer stopped: " + ex);
        }
    }

    private void summary(boolean force) throws IOException {
        long now = clock.millis();
        if (!force && now - lastSummaryMillis < 1000) {
            return;
        }
        long n = leftOut.getAndSet(0);
        lastSummaryMillis = now;
        if (n == 0) {
            return;
        }
        StringWriter sw = new StringWriter(96);
        try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), sw)) {
            g.writeStartObject();
            g.writeStringProperty("time", Instant.ofEpochMilli(now).toString());
            g.writeStringProperty("kind", "summary");
            g.writeNumberProperty("left_out", n);
            g.writeEndObject();
        }
        emit(sw.toString());
    }

    private void write(Entry e) throws IOException {
        StringWriter sw = new StringWriter(192);
        try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), sw)) {
            g.writeStartObject();
            g.writeStringProperty("time", Instant.ofEpochMilli(e.epochMillis()).toString());
            g.writeStringProperty("kind", e.kind());
            if (e.kind().equals("admin")) {
                g.writeStringProperty("ip", e.ip());
                g.writeStringProperty("action", e.event());
                g.writeStringProperty("detail", e.reason());
                g.writeNumberProperty("status", e.status());
            } else {
                refusal(g, e);
            }
            g.writeEndObject();
        }
        emit(sw.toString());
    }

    private static void refusal(JsonGenerator g, Entry e) {
        if (e.kind().equals("message")) {
            g.writeNumberProperty("connection", e.connectionId());
        }
        g.writeStringProperty("ip", e.ip());
        g.writeStringProperty("user", e.user());
        g.writeStringProperty("route", e.route());
        if (e.kind().equals("message")) {
            g.writeStringProperty("event", e.event());
        } else {
            g.writeNumberProperty("status", e.status());
        }
        g.writeStringProperty("reason", e.reason());
    }

    private void emit(String line) throws IOException {
        out.write(line);
        out.write('\n');
        recent.add(line);
    }

    /** Flushes what is queued, writes the last summary and stops the writer thread. */
    @Override
    public void close() {
        LogStreams.stop(queue, STOP, writer, out, closeOut);
    }
}
