package io.wsgate.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.wsgate.config.RouteConfig;
import io.wsgate.policy.HandshakeDecision;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Opens the upstream WebSocket on the client's event loop: targets in balancer order, each attempt (TCP connect
 * and the 101 answer) given an equal share of what is left of {@code connect_timeout}, the next target on connect
 * failure or timeout. A target that accepts TCP but does not answer the upgrade within its share (a hung process:
 * its kernel still completes TCP handshakes) is a timeout too. A target that answers the handshake with anything
 * but 101 fails the whole attempt (502).
 */
final class UpstreamConnector {
    /** A connected, upgraded upstream whose pipeline already ends in the relay's handler. */
    record Connected(Channel channel, String target, String subprotocol) {}

    /** Why the upstream could not be used, for the log and the audit line (never for the client). */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }

        /** "upstream ws://10.0.0.5:9000/chat: connection refused": the target and a plain reason, no class names. */
        static Refused of(String target, Throwable cause) {
            if (cause instanceof Refused r) {
                return r;
            }
            return new Refused("upstream " + target + ": " + plain(cause));
        }

        private static String plain(Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof io.netty.channel.ConnectTimeoutException) {
                    return "connect timed out";
                }
                if (t instanceof java.net.ConnectException) {
                    return "connection refused";
                }
                if (t instanceof javax.net.ssl.SSLException) {
                    return "TLS handshake failed (" + t.getMessage() + ")";
                }
                if (t instanceof java.net.UnknownHostException) {
                    return "unknown host";
                }
            }
            return "connection failed";
        }
    }

    private final ProxyServer server;

    UpstreamConnector(ProxyServer server) {
        this.server = server;
    }

    /**
     * @param subprotocols comma-separated offer for the upstream, or null
     * @param relayHandler installed in place of the upgrade handler in the same call that finishes the handshake
     */
    Promise<Connected> connect(EventLoop loop, RouteConfig.Route route, HandshakeDecision d, HttpHeaders clientHeaders,
                               String subprotocols, String hashKey, Supplier<ChannelHandler> relayHandler) {
        Promise<Connected> promise = loop.newPromise();
        List<String> order = server.balancer().order(route.path(), route.upstream(), hashKey);
        long budget = route.upstream().connectTimeout() == null ? 3000 : route.upstream().connectTimeout().toMillis();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budget);
        HttpHeaders headers = upstreamHeaders(d, clientHeaders);
        new Attempt(loop, route, d, headers, subprotocols, order, deadline, promise, relayHandler).next(0, null);
        return promise;
    }

    /**
     * The guard's headers are SET (an empty value: send none of that name, e.g. {@code Cookie} when only the
     * token cookie was there); Cookie, User-Agent and Origin are copied from the client unless the guard set them.
     */
    static HttpHeaders upstreamHeaders(HandshakeDecision d, HttpHeaders client) {
        HttpHeaders h = new DefaultHttpHeaders();
        java.util.Set<String> set = new java.util.HashSet<>();
        if (d.upstreamHeaders() != null) {
            for (Map.Entry<String, String> e : d.upstreamHeaders()) {
                set.add(e.getKey().toLowerCase(java.util.Locale.ROOT));
                if (e.getValue() != null && !e.getValue().isEmpty()) {
                    h.add(e.getKey(), e.getValue());
                }
            }
        }
        copy(client, h, set, "cookie");
        copy(client, h, set, "user-agent");
        copy(client, h, set, "origin");
        return h;
    }

    private static void copy(HttpHeaders from, HttpHeaders to, java.util.Set<String> set, String name) {
        if (!set.contains(name)) {
            List<String> v = from.getAll(name);
            if (!v.isEmpty()) {
                to.add(name, v);
            }
        }
    }

    /**
     * Target path + the request's remainder after the route path (and query), see HandshakeDecision. The
     * remainder is appended byte for byte (no {@code /} dropped or merged); only a target path that does not end
     * in {@code /} gets one before a non-empty remainder path (the operator's spelling, never the client's).
     */
    static URI address(String target, String suffix) {
        URI t = URI.create(target);
        String path = t.getRawPath() == null || t.getRawPath().isEmpty() ? "/" : t.getRawPath();
        String s = suffix == null ? "" : suffix;
        boolean slash = !s.isEmpty() && !s.startsWith("?") && !path.endsWith("/");
        return URI.create(t.getScheme() + "://" + t.getRawAuthority() + path + (slash ? "/" : "") + s);
    }

    private final class Attempt {
        final EventLoop loop;
        final RouteConfig.Route route;
        final HandshakeDecision d;
        final HttpHeaders headers;
        final String subprotocols;
        final List<String> order;
        final long deadline;
        final Promise<Connected> promise;
        final Supplier<ChannelHandler> relayHandler;

        Attempt(EventLoop loop, RouteConfig.Route route, HandshakeDecision d, HttpHeaders headers, String subprotocols,
                List<String> order, long deadline, Promise<Connected> promise, Supplier<ChannelHandler> relayHandler) {
            this.loop = loop;
            this.route = route;
            this.d = d;
            this.headers = headers;
            this.subprotocols = subprotocols;
            this.order = order;
            this.deadline = deadline;
            this.promise = promise;
            this.relayHandler = relayHandler;
        }

        void next(int i, Throwable last) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (promise.isDone()) {
                return;
            }
            if (i >= order.size() || left <= 0) {
                promise.tryFailure(last != null ? last : new Refused("upstream connect timed out"));
                return;
            }
            String target = order.get(i);
            URI uri;
            boolean tls;
            SslContext ssl = null;
            try {
                uri = address(target, d.upstreamPathAndQuery());
                tls = "wss".equalsIgnoreCase(uri.getScheme());
                if (tls) {
                    ssl = server.upstreamTls(route.upstream().caFile());
                }
            } catch (Exception e) {
                next(i + 1, Refused.of(target, e));
                return;
            }
            int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
            String host = uri.getHost();
            long share = Math.max(1, left / (order.size() - i));
            long attemptEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(share);
            WebSocketClientHandshaker hs = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13,
                    subprotocols, false, headers, route.maxUpstreamMessageBytes(), true, false,
                    ProxyServer.FORCE_CLOSE_MILLIS, false, false);
            final SslContext sslCtx = ssl;
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channel(Transport.clientChannel())
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, ProxyServer.readAllocator())
                    .option(ChannelOption.ALLOCATOR, ProxyServer.BUFFERS)
                    // connect timeout below: Netty's own keeps its cancelled task referenced by the channel
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, ProxyServer.WATER_MARK)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (sslCtx != null) {
                                ch.pipeline().addLast("tls", sslCtx.newHandler(ch.alloc(), host, port));
                            }
                            ch.pipeline().addLast("http", new HttpClientCodec());
                            ch.pipeline().addLast("http-agg", new HttpObjectAggregator(16 * 1024));
                            ch.pipeline().addLast("upgrade", new Upgrade(hs, target));
                        }
                    });
            ChannelFuture cf = b.connect(host, port);
            ScheduledFuture<?> connectTimer = cf.isDone() ? null : loop.schedule(() -> {
                if (cf instanceof ChannelPromise p
                        && p.tryFailure(new ConnectTimeoutException("connection timed out: " + host + ":" + port))) {
                    cf.channel().close();
                }
            }, share, TimeUnit.MILLISECONDS);
            cf.addListener(f -> {
                if (connectTimer != null) {
                    connectTimer.cancel(false);
                }
                if (!f.isSuccess()) {
                    server.metrics().upstreamConnectFailed(route.path(), target);
                    next(i + 1, Refused.of(target, f.cause()));
                    return;
                }
                Channel ch = cf.channel();
                if (promise.isDone()) {
                    ch.close();
                    return;
                }
                // the 101 must arrive within this attempt's share; else this target is given up and the next tried
                // (the last one's share is what is left of the deadline: then the timeout is the 502's cause)
                Upgrade upgrade = (Upgrade) ch.pipeline().get("upgrade");
                long wait = Math.max(1, attemptEnd - System.nanoTime());
                ScheduledFuture<?> timeout = loop.schedule(() -> {
                    if (!promise.isDone() && upgrade != null) {
                        upgrade.abandoned = true;
                        server.metrics().upstreamConnectFailed(route.path(), target);
                        ch.close();
                        next(i + 1, new Refused("upstream " + target + ": handshake timed out"));
                    }
                }, wait, TimeUnit.NANOSECONDS);
                promise.addListener(p -> timeout.cancel(false));
                hs.handshake(ch).addListener(w -> {
                    if (!w.isSuccess() && (upgrade == null || !upgrade.abandoned)) {
                        ch.close();
                        promise.tryFailure(Refused.of(target, w.cause()));
                    }
                });
                ch.read();
            });
        }

        /** Waits for the upstream's answer; on 101 puts the relay's handler in its place. */
        private final class Upgrade extends ChannelInboundHandlerAdapter {
            final WebSocketClientHandshaker hs;
            final String target;
            /** Given up for the next target (handshake timeout): whatever this channel does no longer matters. */
            boolean abandoned;

            Upgrade(WebSocketClientHandshaker hs, String target) {
                this.hs = hs;
                this.target = target;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!(msg instanceof FullHttpResponse res)) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                try {
                    if (promise.isDone() || abandoned) {
                        ctx.close();
                        return;
                    }
                    // RFC 6455 lets a server pick none of the offered subprotocols; Netty's client calls that
                    // invalid, so satisfy its check and remember that nothing was chosen
                    boolean noneChosen = subprotocols != null && res.status().code() == 101
                            && !res.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
                    if (noneChosen) {
                        res.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, subprotocols.split(",")[0].trim());
                    }
                    try {
                        hs.finishHandshake(ctx.channel(), res);
                    } catch (RuntimeException e) {
                        promise.tryFailure(new Refused("upstream " + target + ": refused the handshake ("
                                + res.status().code() + ")"));
                        ctx.close();
                        return;
                    }
                    ctx.pipeline().replace(this, "relay", relayHandler.get());
                    if (!promise.trySuccess(new Connected(ctx.channel(), target,
                            noneChosen ? null : hs.actualSubprotocol()))) {
                        ctx.close();
                    }
                } finally {
                    res.release();
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (!abandoned) {
                    promise.tryFailure(new Refused("upstream " + target + ": closed during the handshake"));
                }
                ctx.fireChannelInactive();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (!abandoned) {
                    promise.tryFailure(Refused.of(target, cause));
                }
                ctx.close();
            }
        }
    }
}
