package io.wsgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * One load connection, driven only from its event loop. Replies arrive in send order (one
 * WebSocket, an echo upstream), so the send stamp of reply k is {@code stamps[k & mask]}.
 * Closed loop stamps the actual send time; open loop stamps the intended send time, so a
 * stalled relay shows up as latency instead of as fewer samples (no coordinated omission).
 */
final class LoadHandler extends BenchHandler {
    private final LoadRun run;
    private final int conn;
    private final long total;
    private final long[] stamps;
    private final int mask;
    private final int window;
    private Histogram histogram;

    private long sent;
    private long received;
    long mismatched;
    private boolean started;
    private boolean finished;
    private boolean tickScheduled;
    private long startNanos;
    private double intervalNanos;
    private long offsetNanos;
    long finishNanos;

    LoadHandler(LoadRun run, ConnectPhase phase, int conn) {
        super(phase);
        this.run = run;
        this.conn = conn;
        this.total = run.options.messagesPerConnection();
        this.window = run.options.inFlight();
        int cap = Integer.highestOneBit(Math.max(1, window - 1)) << 1;
        this.stamps = new long[cap];
        this.mask = cap - 1;
    }

    long sent() {
        return sent;
    }

    long received() {
        return received;
    }

    /** Begins sending; runs on this channel's event loop. */
    void start(long t0) {
        if (started) {
            return;
        }
        started = true;
        if (!ctx.channel().isActive()) {
            run.errors.add("closed", 1, "closed before the load started");
            finish();
            return;
        }
        startNanos = t0;
        histogram = run.histogramFor(ctx.executor());
        if (total == 0) {
            finish();
            return;
        }
        if (run.options.openLoop()) {
            intervalNanos = 1e9 * run.options.connections() / run.options.rate();
            offsetNanos = (long) (intervalNanos * conn / run.options.connections());
            tick();
        } else {
            while (sent < total && sent < window) {
                send(System.nanoTime());
            }
            ctx.flush();
        }
    }

    private long intended(long seq) {
        return startNanos + offsetNanos + (long) (seq * intervalNanos);
    }

    private void tick() {
        tickScheduled = false;
        if (finished || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        boolean wrote = false;
        while (sent < total && sent - received < window) {
            long due = intended(sent);
            if (due > now) {
                break;
            }
            send(due);
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (sent < total && sent - received < window) {
            tickScheduled = true;
            ctx.executor().schedule(this::tick, intended(sent) - now, TimeUnit.NANOSECONDS);
        }
    }

    private void send(long stamp) {
        stamps[(int) (sent & mask)] = stamp;
        ByteBuf buf = run.payload.encode(ctx.alloc(), conn, sent);
        ctx.write(run.options.binary() ? new BinaryWebSocketFrame(buf) : new TextWebSocketFrame(buf), ctx.voidPromise());
        sent++;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if ((msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) && started && !finished) {
                onReply(((WebSocketFrame) msg).content());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onReply(ByteBuf content) {
        long now = System.nanoTime();
        if (received >= sent) {
            mismatched++;
            return;
        }
        long id = run.payload.decodeId(content);
        if (id == Payload.id(conn, received)) {
            long micros = (now - stamps[(int) (received & mask)]) / 1000;
            histogram.recordValue(Math.min(Math.max(micros, 1), LoadRun.MAX_MICROS));
        } else {
            mismatched++;
        }
        received++;
        if (received == total) {
            finish();
        } else if (run.options.openLoop()) {
            if (!tickScheduled) {
                tick();
            }
        } else if (sent < total) {
            send(System.nanoTime());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    private void finish() {
        if (!finished) {
            finished = true;
            finishNanos = System.nanoTime();
            run.onFinished(this);
        }
    }

    @Override
    protected void onError(Throwable cause) {
        if (!run.stopping()) {
            run.errors.add("io", cause);
        }
    }

    @Override
    protected void onClosed() {
        if (started && !finished && !run.stopping()) {
            run.errors.add("closed", 1, "closed by the peer after " + received + " of " + total + " replies");
            finish();
        }
    }
}
