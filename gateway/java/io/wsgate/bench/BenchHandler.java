package io.wsgate.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;

/** Base for one bench connection: reports the handshake outcome to the {@link ConnectPhase} exactly once. */
abstract class BenchHandler extends ChannelInboundHandlerAdapter {
    protected final ConnectPhase phase;
    protected ChannelHandlerContext ctx;
    private boolean resolved;
    private boolean established;

    BenchHandler(ConnectPhase phase) {
        this.phase = phase;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            if (!resolved) {
                resolved = true;
                established = true;
                phase.onEstablished(this);
            }
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            failHandshake("handshake timed out");
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!resolved) {
            failHandshake(ErrorLog.describe(cause));
        } else {
            onError(cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!resolved) {
            failHandshake("connection closed during the handshake");
        } else if (established) {
            onClosed();
        }
        super.channelInactive(ctx);
    }

    private void failHandshake(String why) {
        if (!resolved) {
            resolved = true;
            phase.onFailed("handshake", why);
            ctx.close();
        }
    }

    /** An exception after the handshake. */
    protected abstract void onError(Throwable cause);

    /** The channel closed after the handshake. */
    protected abstract void onClosed();
}
