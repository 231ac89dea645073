package io.wsgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Optionally warms the relay up with a smaller batch (so one-time costs such as JIT compilation or
 * first pool growth are not charged to the connections), samples its memory, opens C idle
 * connections, holds them, samples again, then checks every connection still relays one message.
 */
public final class IdleBench {
    private static final long CHECK_TIMEOUT_SECONDS = 10;

    private IdleBench() {}

    public static IdleResult run(IdleOptions o) throws InterruptedException {
        URI uri = ClientBootstrap.parse(o.url());
        HttpHeaders headers = ClientBootstrap.headers(o.headers());
        Payload check = Payload.of(32, o.payloadTemplate() == null ? "idle-check-%s" : o.payloadTemplate());
        ProcessProbe probe = new ProcessProbe(o.pids(), o.jvmProbe());
        ErrorLog errors = new ErrorLog();
        EventLoopGroup group = Transport.group(o.threads(), "idle");
        try {
            if (o.warmup() > 0) {
                ErrorLog warmErrors = new ErrorLog();
                Batch warm = Batch.open(group, uri, headers, check, o.warmup(), o, warmErrors);
                int echoed = warm.check();
                warm.closeAll();
                if (warmErrors.total() > 0 || echoed < o.warmup()) {
                    errors.add("warmup", 1, echoed + "/" + o.warmup() + " warm-up connections echoed; "
                            + warmErrors.counts() + " " + warmErrors.samples());
                }
                Thread.sleep(1000);
            }
            ProcessProbe.Sample before = o.pids().isEmpty() ? null : probe.sample();
            Batch batch = Batch.open(group, uri, headers, check, o.connections(), o, errors);
            Thread.sleep(o.hold().toMillis());
            ProcessProbe.Sample after = o.pids().isEmpty() ? null : probe.sample();
            int closedWhileHeld = batch.closed.get();
            int answered = batch.check();
            int established = batch.handlers.size();
            errors.add("no-echo", established - answered,
                    (established - answered) + " held connections did not echo a message at the end");
            batch.closeAll();
            return new IdleResult(o, Transport.name(), established, closedWhileHeld, answered, batch.connectSeconds,
                    before, after, errors.counts(), errors.samples());
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** One set of idle connections. */
    private static final class Batch {
        final List<BenchHandler> handlers;
        final AtomicInteger closed;
        final double connectSeconds;

        private Batch(List<BenchHandler> handlers, AtomicInteger closed, double connectSeconds) {
            this.handlers = handlers;
            this.closed = closed;
            this.connectSeconds = connectSeconds;
        }

        static Batch open(EventLoopGroup group, URI uri, HttpHeaders headers, Payload check, int count,
                          IdleOptions o, ErrorLog errors) throws InterruptedException {
            AtomicInteger closed = new AtomicInteger();
            ConnectPhase phase = new ConnectPhase(count, o.connectConcurrency(), errors);
            AtomicInteger ids = new AtomicInteger();
            Bootstrap b = ClientBootstrap.create(group, uri, headers, 65536,
                    () -> new IdleHandler(phase, check, ids.getAndIncrement(), closed));
            long begin = System.nanoTime();
            List<BenchHandler> handlers = phase.run(b, uri.getHost(), ClientBootstrap.port(uri),
                    begin + o.connectLimit().toNanos());
            return new Batch(handlers, closed, (System.nanoTime() - begin) / 1e9);
        }

        /** Sends one message on each connection; returns how many came back intact in time. */
        int check() throws InterruptedException {
            CountDownLatch echoed = new CountDownLatch(handlers.size());
            for (BenchHandler h : handlers) {
                ((IdleHandler) h).check(echoed);
            }
            echoed.await(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return (int) (handlers.size() - echoed.getCount());
        }

        void closeAll() throws InterruptedException {
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
}
