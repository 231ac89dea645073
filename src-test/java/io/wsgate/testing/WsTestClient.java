package io.wsgate.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.handler.ssl.SslContext;
import io.wsgate.proxy.Transport;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for tests: sends text/binary/fragmented/ping frames or raw bytes, records every frame
 * and the close code, and can stop reading (backpressure tests). Echoes the peer's close frame.
 */
public final class WsTestClient implements AutoCloseable {
    private static final EventLoopGroup GROUP = Transport.newGroup(2);

    public enum Type { TEXT, BINARY, CONTINUATION, PING, PONG, CLOSE }

    public record Frame(Type type, byte[] data, boolean fin) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** The server answered the upgrade with something other than 101. */
    public static final class Refused extends RuntimeException {
        public final int status;
        public final String body;
        public final HttpHeaders headers;

        Refused(int status, String body, HttpHeaders headers) {
            super("HTTP " + status + " " + body);
            this.status = status;
            this.body = body;
            this.headers = headers;
        }
    }

    private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile String closeReason;
    private Channel channel;
    private WebSocketClientHandshaker handshaker;

    public static Builder to(String url) {
        return new Builder(url);
    }

    public static final class Builder {
        private final URI uri;
        private final HttpHeaders headers = new DefaultHttpHeaders();
        private String subprotocols;
        private byte[] prefix;
        private SslContext ssl;
        private boolean deflate;

        Builder(String url) {
            this.uri = URI.create(url);
        }

        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        public Builder subprotocols(String offer) {
            this.subprotocols = offer;
            return this;
        }

        /** Bytes written before anything else (a PROXY protocol header). */
        public Builder prefix(byte[] bytes) {
            this.prefix = bytes;
            return this;
        }

        public Builder tls(SslContext ssl) {
            this.ssl = ssl;
            return this;
        }

        public Builder deflate() {
            this.deflate = true;
            return this;
        }

        public WsTestClient connect() throws Exception {
            return new WsTestClient().open(this);
        }
    }

    private WsTestClient open(Builder b) throws Exception {
        URI uri = b.uri;
        int port = uri.getPort();
        handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, b.subprotocols, true,
                b.headers, 64 << 20, true, false, 1000, false, false);
        CompletableFuture<Void> upgraded = new CompletableFuture<>();
        Bootstrap bs = new Bootstrap().group(GROUP).channel(Transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (b.ssl != null) {
                            ch.pipeline().addLast(b.ssl.newHandler(ch.alloc(), uri.getHost(), port));
                        }
                        ch.pipeline().addLast(new HttpClientCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(1 << 20));
                        if (b.deflate) {
                            ch.pipeline().addLast(new WebSocketClientCompressionHandler(0));
                        }
                        ch.pipeline().addLast(new Handler(upgraded));
                    }
                });
        channel = bs.connect(uri.getHost(), port).sync().channel();
        if (b.prefix != null) {
            channel.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(b.prefix));
        }
        // on the event loop: the handshaker adds its encoder in a listener that must run before the answer
        channel.eventLoop().execute(() -> handshaker.handshake(channel));
        try {
            upgraded.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            channel.close();
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
        return this;
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        private final CompletableFuture<Void> upgraded;

        Handler(CompletableFuture<Void> upgraded) {
            this.upgraded = upgraded;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpResponse res) {
                if (res.status().code() != 101) {
                    upgraded.completeExceptionally(new Refused(res.status().code(),
                            res.content().toString(StandardCharsets.UTF_8), res.headers().copy()));
                    return;
                }
                try {
                    handshaker.finishHandshake(ctx.channel(), res);
                    upgraded.complete(null);
                } catch (RuntimeException e) {
                    upgraded.completeExceptionally(e);
                }
                return;
            }
            if (msg instanceof CloseWebSocketFrame c) {
                closeReason = c.reasonText();
                frames.add(new Frame(Type.CLOSE, ByteBufUtil.getBytes(c.content()), true));
                closeCode.complete(c.statusCode());
                if (ctx.channel().isActive()) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(c.statusCode() < 0 ? 1000 : c.statusCode(), ""));
                }
                return;
            }
            if (msg instanceof WebSocketFrame f) {
                Type t = f instanceof TextWebSocketFrame ? Type.TEXT : f instanceof BinaryWebSocketFrame ? Type.BINARY
                        : f instanceof ContinuationWebSocketFrame ? Type.CONTINUATION
                        : f instanceof PingWebSocketFrame ? Type.PING : Type.PONG;
                frames.add(new Frame(t, ByteBufUtil.getBytes(f.content()), f.isFinalFragment()));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            upgraded.completeExceptionally(new java.io.IOException("connection closed before the upgrade"));
            closeCode.complete(-1);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    public Channel channel() {
        return channel;
    }

    public String subprotocol() {
        return handshaker.actualSubprotocol();
    }

    public void send(WebSocketFrame frame) {
        channel.writeAndFlush(frame).syncUninterruptibly();
    }

    public void sendText(String text) {
        send(new TextWebSocketFrame(text));
    }

    public void sendBinary(byte[] data) {
        send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(data)));
    }

    public void ping(byte[] data) {
        send(new PingWebSocketFrame(Unpooled.wrappedBuffer(data)));
    }

    /** Bytes written as they are, below the WebSocket encoder (protocol violations). */
    public void sendRaw(byte[] bytes) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).syncUninterruptibly();
    }

    public void close(int code, String reason) {
        send(new CloseWebSocketFrame(code, reason));
    }

    /** Stops reading: the peer's writes pile up in TCP buffers and then in its own outbound buffer. */
    public void pauseReading() {
        channel.config().setAutoRead(false);
    }

    public void resumeReading() {
        channel.config().setAutoRead(true);
    }

    /** The next frame received (close frames included); fails after {@code timeout}. */
    public Frame next(Duration timeout) throws InterruptedException {
        Frame f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (f == null) {
            throw new AssertionError("no frame within " + timeout);
        }
        return f;
    }

    public Frame next() throws InterruptedException {
        return next(Duration.ofSeconds(5));
    }

    /** Frames received so far without waiting. */
    public Frame poll() {
        return frames.poll();
    }

    /** The close code the server sent; -1 when the TCP connection ended without a close frame. */
    public int closeCode(Duration timeout) throws Exception {
        return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int closeCode() throws Exception {
        return closeCode(Duration.ofSeconds(10));
    }

    public String closeReason() {
        return closeReason;
    }

    public boolean awaitClosed(Duration timeout) {
        return channel.closeFuture().awaitUninterruptibly(timeout.toMillis());
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2000);
        }
    }
}
