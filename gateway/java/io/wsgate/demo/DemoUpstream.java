package io.wsgate.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wsgate.proxy.Transport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A small WebSocket backend for {@code wsgate demo} and the tests: {@code /chat} is a JSON chat with rooms,
 * {@code /echo} echoes every message byte-exact. Everything received is recorded.
 */
public final class DemoUpstream implements AutoCloseable {
    /** One message as the upstream received it. */
    public record Received(String path, boolean binary, byte[] data) {
        public String text() {
            return new String(data, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** One completed upgrade: the request URI and headers the gateway sent, and the subprotocol chosen. */
    public record Handshake(String uri, HttpHeaders headers, String subprotocol, Channel channel) {}

    private static final AttributeKey<String> USER = AttributeKey.valueOf("demo.user");
    private static final AttributeKey<String> PATH = AttributeKey.valueOf("demo.path");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final String host;
    private final int port;
    private final List<String> subprotocols;
    private final SslContext tls;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
    private final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, ChannelGroup> rooms = new ConcurrentHashMap<>();
    private EventLoopGroup group;
    private Channel server;

    public DemoUpstream(String host, int port) {
        this(host, port, List.of(), null);
    }

    /** @param subprotocols the subprotocols this upstream accepts (first offered match wins); tls null: ws:// */
    public DemoUpstream(String host, int port, List<String> subprotocols, SslContext tls) {
        this.host = host;
        this.port = port;
        this.subprotocols = subprotocols;
        this.tls = tls;
    }

    public DemoUpstream start() throws InterruptedException {
        group = Transport.newGroup(1);
        server = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(65536));
                        ch.pipeline().addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                .websocketPath("/")
                                .checkStartsWith(true)
                                .subprotocols(subprotocols.isEmpty() ? null : String.join(",", subprotocols))
                                .handleCloseFrames(false)
                                .forceCloseTimeoutMillis(2000)
                                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                                        .maxFramePayloadLength(64 << 20).build())
                                .build()));
                        ch.pipeline().addLast(new WebSocketFrameAggregator(64 << 20));
                        ch.pipeline().addLast(new Handler());
                    }
                })
                .bind(host, port).sync().channel();
        return this;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public List<Received> received() {
        return received;
    }

    public List<Handshake> handshakes() {
        return handshakes;
    }

    /** TCP connections accepted so far, upgraded or not (tests: "no upstream connection was opened"). */
    public int accepted() {
        return accepted.get();
    }

    /** Close codes received from the gateway (-1: a close frame without a code). */
    public List<Integer> closeCodes() {
        return closeCodes;
    }

    /** The upstream side of the most recent connection (tests close it, or write to it directly). */
    public Channel lastChannel() {
        return handshakes.isEmpty() ? null : handshakes.get(handshakes.size() - 1).channel();
    }

    /** Ends the TCP connection without a close frame (as a crashed backend would). */
    public static void dropTcp(Channel ch) {
        ch.eventLoop().execute(() -> ch.unsafe().close(ch.unsafe().voidPromise()));
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
                String path = hc.requestUri();
                int q = path.indexOf('?');
                ctx.channel().attr(PATH).set(q < 0 ? path : path.substring(0, q));
                String user = hc.requestHeaders().get("X-User-Id");
                ctx.channel().attr(USER).set(user == null ? "anonymous" : user);
                handshakes.add(new Handshake(hc.requestUri(), new DefaultHttpHeaders().add(hc.requestHeaders()),
                        hc.selectedSubprotocol(), ctx.channel()));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                closeCodes.add(close.statusCode());
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode() < 0 ? 1000 : close.statusCode(), ""))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            boolean binary = frame instanceof BinaryWebSocketFrame;
            if (!binary && !(frame instanceof TextWebSocketFrame)) {
                return;
            }
            String path = ctx.channel().attr(PATH).get();
            byte[] data = ByteBufUtil.getBytes(frame.content());
            received.add(new Received(path, binary, data));
            if (path != null && path.endsWith("/chat")) {
                chat(ctx.channel(), data);
            } else {
                WebSocketFrame echo = binary ? new BinaryWebSocketFrame(frame.content().retain())
                        : new TextWebSocketFrame(frame.content().retain());
                ctx.writeAndFlush(echo);
            }
        }

        private void chat(Channel ch, byte[] data) {
            JsonNode msg;
            try {
                msg = JSON.readTree(data);
            } catch (RuntimeException e) {
                ch.writeAndFlush(new TextWebSocketFrame("{\"type\":\"error\",\"code\":\"invalid\"}"));
                return;
            }
            String type = msg.path("type").asString("");
            String room = msg.path("room").asString("");
            String user = ch.attr(USER).get();
            switch (type) {
                case "join-room" -> {
                    rooms.computeIfAbsent(room, r -> new DefaultChannelGroup(r, GlobalEventExecutor.INSTANCE)).add(ch);
                    ObjectNode ok = JSON.createObjectNode().put("type", "joined").put("room", room).put("user", user);
                    ch.writeAndFlush(new TextWebSocketFrame(ok.toString()));
                }
                case "send-message", "typing" -> {
                    ChannelGroup members = rooms.get(room);
                    if (members == null || !members.contains(ch)) {
                        ch.writeAndFlush(new TextWebSocketFrame(
                                "{\"type\":\"error\",\"code\":\"not_in_room\",\"room\":" + JSON.valueToTree(room) + "}"));
                        return;
                    }
                    ObjectNode out = JSON.createObjectNode()
                            .put("type", type.equals("typing") ? "typing" : "message").put("room", room).put("from", user);
                    if (type.equals("send-message")) {
                        out.set("message", msg.path("message"));
                        members.writeAndFlush(new TextWebSocketFrame(out.toString()));
                    } else {
                        members.writeAndFlush(new TextWebSocketFrame(out.toString()), c -> c != ch);
                    }
                }
                default -> ch.writeAndFlush(new TextWebSocketFrame("{\"type\":\"error\",\"code\":\"unknown_event\"}"));
            }
        }
    }
}
