package io.wsgate.audit;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code access_log}: one JSON line per closed connection, written by a background thread from a bounded queue.
 * Not sampled (every connection has a line); when the queue is full a line is left out and counted, and a
 * {@code {"kind":"summary","left_out":N}} line says so. Lines are built with Jackson, so every client-chosen
 * string (user, close reason) is escaped.
 */
public final class JsonAccessLog implements AccessLog, AutoCloseable {
    public static final int DEFAULT_QUEUE = 16_384;
    private static final AccessRecord STOP = new AccessRecord(0, 0, null, null, null, null, null, 0, 0, 0, 0, 0, 0,
            0, null, null);

    private final Writer out;
    private final boolean closeOut;
    private final BlockingQueue<AccessRecord> queue;
    private final AtomicLong leftOut = new AtomicLong();
    private final JsonFactory json = new JsonFactory();
    private final Thread writer;

    public JsonAccessLog(Writer out, boolean closeOut, int queueSize) {
        this.out = out;
        this.closeOut = closeOut;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.writer = new Thread(this::run, "wsgate-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** "off": {@link AccessLog#OFF}; "stdout": standard output; anything else: a file, appended. */
    public static AccessLog create(String where) {
        if (where == null || where.equals("off")) {
            return AccessLog.OFF;
        }
        return new JsonAccessLog(LogStreams.open(where, "access_log"), LogStreams.owned(where), DEFAULT_QUEUE);
    }

    @Override
    public void closed(AccessRecord record) {
        if (!queue.offer(record)) {
            leftOut.incrementAndGet();
        }
    }

    private void run() {
        try {
            while (true) {
                AccessRecord r = queue.poll(200, TimeUnit.MILLISECONDS);
                if (r == STOP) {
                    summary();
                    out.flush();
                    return;
                }
                if (r != null) {
                    out.write(line(r));
                }
                if (r == null || queue.isEmpty()) {
                    summary();
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            System.err.println("wsgate access log writer stopped: " + e);
        }
    }

    private void summary() throws IOException {
        long n = leftOut.getAndSet(0);
        if (n == 0) {
            return;
        }
        StringWriter sw = new StringWriter(96);
        try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), sw)) {
            g.writeStartObject();
            g.writeStringProperty("time", Instant.now().toString());
            g.writeStringProperty("kind", "summary");
            g.writeNumberProperty("left_out", n);
            g.writeEndObject();
        }
        out.write(sw.append('\n').toString());
    }

    String line(AccessRecord r) {
        StringWriter sw = new StringWriter(320);
        try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), sw)) {
            g.writeStartObject();
            g.writeStringProperty("time", Instant.ofEpochMilli(r.endMillis()).toString());
            g.writeStringProperty("kind", "access");
            g.writeNumberProperty("connection", r.connection());
            g.writeStringProperty("ip", r.ip());
            g.writeStringProperty("route", r.route());
            g.writeStringProperty("transport", r.transport());
            g.writeStringProperty("user", r.user());
            g.writeStringProperty("upstream", r.upstream());
            g.writeNumberProperty("duration_ms", r.durationMillis());
            g.writeNumberProperty("messages_in", r.messagesIn());
            g.writeNumberProperty("messages_out", r.messagesOut());
            g.writeNumberProperty("bytes_in", r.bytesIn());
            g.writeNumberProperty("bytes_out", r.bytesOut());
            g.writeNumberProperty("refused", r.refused());
            g.writeNumberProperty("close_code", r.closeCode());
            g.writeStringProperty("close_by", r.closeBy());
            g.writeStringProperty("close_reason", r.closeReason());
            g.writeEndObject();
        }
        return sw.append('\n').toString();
    }

    /** Writes what is queued and stops the writer. */
    @Override
    public void close() {
        LogStreams.stop(queue, STOP, writer, out, closeOut);
    }
}
