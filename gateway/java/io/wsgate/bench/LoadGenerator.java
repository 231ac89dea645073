package io.wsgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens the connections, then starts every one at the same instant and waits until all replies
 * are in or the duration limit (which covers the connect phase too) is reached.
 */
public final class LoadGenerator {
    private LoadGenerator() {}

    public static LoadResult run(LoadOptions o) throws InterruptedException {
        URI uri = ClientBootstrap.parse(o.url());
        var headers = ClientBootstrap.headers(o.headers());
        LoadRun run = new LoadRun(o);
        long begin = System.nanoTime();
        long deadline = begin + o.durationLimit().toNanos();
        EventLoopGroup group = Transport.group(o.threads(), "load");
        List<LoadHandler> handlers = new ArrayList<>();
        long t0;
        long stoppedAt;
        boolean complete;
        try {
            ConnectPhase phase = new ConnectPhase(o.connections(), o.connectConcurrency(), run.errors);
            AtomicInteger ids = new AtomicInteger();
            int maxFrame = Math.max(65536, run.payload.length() * 2);
            Bootstrap b = ClientBootstrap.create(group, uri, headers, maxFrame,
                    () -> new LoadHandler(run, phase, ids.getAndIncrement()));
            for (BenchHandler h : phase.run(b, uri.getHost(), ClientBootstrap.port(uri), deadline)) {
                handlers.add((LoadHandler) h);
            }
            run.expect(handlers.size());
            t0 = System.nanoTime();
            for (LoadHandler h : handlers) {
                h.ctx.executor().execute(() -> h.start(t0));
            }
            complete = run.finishedLatch().await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            stoppedAt = System.nanoTime();
            run.stop();
            closeAll(handlers);
        } finally {
            // Terminating the loops also publishes every handler's fields to this thread.
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        long sent = 0;
        long received = 0;
        long mismatched = 0;
        long lastFinish = t0;
        for (LoadHandler h : handlers) {
            sent += h.sent();
            received += h.received();
            mismatched += h.mismatched;
            lastFinish = Math.max(lastFinish, h.finishNanos);
        }
        long end = complete ? lastFinish : stoppedAt;
        run.errors.add("mismatch", mismatched, mismatched + " replies did not match the message sent");
        long expected = (long) handlers.size() * o.messagesPerConnection();
        if (!complete) {
            run.errors.add("unfinished", expected - received,
                    "duration limit " + o.durationLimit() + " reached with " + (expected - received) + " replies missing");
        }
        return new LoadResult(o, run.payload.length(), Transport.name(), handlers.size(), sent, received,
                end - t0, t0 - begin, !complete, loadAverage(), run.errors.counts(), run.errors.samples(), run.merged());
    }

    /** The 1-minute load average: how busy the shared box was (other processes included). */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    private static void closeAll(List<LoadHandler> handlers) throws InterruptedException {
        List<ChannelFuture> closing = new ArrayList<>(handlers.size());
        for (LoadHandler h : handlers) {
            var ch = h.ctx.channel();
            if (ch.isActive()) {
                ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            closing.add(ch.closeFuture());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (ChannelFuture f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !f.await(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
    }
}
