package io.wsgate.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** An idle connection: sends nothing until {@link #check} asks it to prove it still relays. */
final class IdleHandler extends BenchHandler {
    private final Payload probe;
    private final int conn;
    private final AtomicInteger closed;
    private CountDownLatch echoed;
    private boolean answered;

    IdleHandler(ConnectPhase phase, Payload probe, int conn, AtomicInteger closed) {
        super(phase);
        this.probe = probe;
        this.conn = conn;
        this.closed = closed;
    }

    /** Sends one message; counts {@code echoed} down when the identical bytes come back. */
    void check(CountDownLatch echoed) {
        ctx.executor().execute(() -> {
            this.echoed = echoed;
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(new TextWebSocketFrame(probe.encode(ctx.alloc(), conn, 0)), ctx.voidPromise());
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame t && echoed != null && !answered
                    && probe.decodeId(t.content()) == Payload.id(conn, 0)) {
                answered = true;
                echoed.countDown();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    protected void onError(Throwable cause) {
        phase.errors.add("io", cause);
    }

    @Override
    protected void onClosed() {
        closed.incrementAndGet();
    }
}
