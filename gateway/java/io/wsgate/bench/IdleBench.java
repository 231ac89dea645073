package io.wsgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Samples the relay's memory, opens C idle connections, holds them, samples again, then checks
 * every connection still relays one message end to end.
 */
public final class IdleBench {
    private static final long CHECK_TIMEOUT_SECONDS = 10;

    private IdleBench() {}

    public static IdleResult run(IdleOptions o) throws InterruptedException {
        URI uri = ClientBootstrap.parse(o.url());
        var headers = ClientBootstrap.headers(o.headers());
        ProcessProbe probe = new ProcessProbe(o.pids(), o.jvmProbe());
        ProcessProbe.Sample before = o.pids().isEmpty() ? null : probe.sample();
        ErrorLog errors = new ErrorLog();
        AtomicInteger closed = new AtomicInteger();
        EventLoopGroup group = Transport.group(o.threads(), "idle");
        try {
            ConnectPhase phase = new ConnectPhase(o.connections(), o.connectConcurrency(), errors);
            AtomicInteger ids = new AtomicInteger();
            Payload check = Payload.of(32, o.payloadTemplate() == null ? "idle-check-%s" : o.payloadTemplate());
            Bootstrap b = ClientBootstrap.create(group, uri, headers, 65536,
                    () -> new IdleHandler(phase, check, ids.getAndIncrement(), closed));
            long begin = System.nanoTime();
            List<BenchHandler> handlers = phase.run(b, uri.getHost(), ClientBootstrap.port(uri),
                    begin + o.connectLimit().toNanos());
            double connectSeconds = (System.nanoTime() - begin) / 1e9;
            Thread.sleep(o.hold().toMillis());
            ProcessProbe.Sample after = o.pids().isEmpty() ? null : probe.sample();
            int closedWhileHeld = closed.get();

            CountDownLatch echoed = new CountDownLatch(handlers.size());
            for (BenchHandler h : handlers) {
                ((IdleHandler) h).check(echoed);
            }
            echoed.await(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            int answered = (int) (handlers.size() - echoed.getCount());
            errors.add("no-echo", handlers.size() - answered,
                    (handlers.size() - answered) + " held connections did not echo a message at the end");
            closeAll(handlers);
            return new IdleResult(o, Transport.name(), handlers.size(), closedWhileHeld, answered, connectSeconds,
                    before, after, errors.counts(), errors.samples());
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static void closeAll(List<BenchHandler> handlers) throws InterruptedException {
        List<ChannelFuture> closing = new ArrayList<>();
        for (BenchHandler h : handlers) {
            closing.add(h.ctx.channel().close());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ChannelFuture f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !f.await(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
    }
}
