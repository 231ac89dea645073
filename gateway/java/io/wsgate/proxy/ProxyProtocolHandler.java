package io.wsgate.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;

/**
 * Sits after {@code HAProxyMessageDecoder}: a PROXY header is believed only from a trusted peer (any other
 * peer is cut before it is read); the source address it names becomes the client address.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    static final AttributeKey<String> SOURCE = AttributeKey.valueOf("wsgate.proxySource");

    private final Cidrs trusted;

    ProxyProtocolHandler(Cidrs trusted) {
        this.trusted = trusted;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        if (!trusted.contains(peer.getAddress())) {
            ctx.close();
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage m) {
            try {
                if (m.command() == HAProxyCommand.PROXY && m.sourceAddress() != null) {
                    String source = ClientAddress.canonical(m.sourceAddress());
                    ctx.channel().attr(SOURCE).set(source != null ? source : m.sourceAddress());
                }
            } finally {
                ReferenceCountUtil.release(m);
            }
            ctx.pipeline().remove(this);
            ctx.read();
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
