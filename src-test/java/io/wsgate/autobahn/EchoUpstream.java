package io.wsgate.autobahn;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.wsgate.proxy.Transport;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Echo backend for the Autobahn run: every text/binary message back as one frame, the close frame answered
 * with the same code (Netty's protocol handler). Unlike {@link io.wsgate.demo.DemoUpstream} it records
 * nothing, so the 9.* performance cases do not pile up hundreds of MiB.
 */
final class EchoUpstream implements AutoCloseable {
    private final int maxMessageBytes;
    private EventLoopGroup group;
    private Channel server;

    EchoUpstream(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    EchoUpstream start() throws InterruptedException {
        group = Transport.newGroup(1);
        server = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(65536));
                        ch.pipeline().addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                .websocketPath("/")
                                .checkStartsWith(true)
                                .forceCloseTimeoutMillis(2000)
                                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                                        .maxFramePayloadLength(maxMessageBytes).build())
                                .build()));
                        ch.pipeline().addLast(new WebSocketFrameAggregator(maxMessageBytes));
                        ch.pipeline().addLast(new Echo());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return this;
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame) {
                ctx.writeAndFlush(new TextWebSocketFrame(frame.content().retain()));
            } else if (frame instanceof BinaryWebSocketFrame) {
                ctx.writeAndFlush(new BinaryWebSocketFrame(frame.content().retain()));
            }
        }
    }
}
