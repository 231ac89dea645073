package io.wsgate.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.HandshakeRequest;
import io.wsgate.policy.Policy;
import io.wsgate.policy.RequestPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP phase of a client connection: times the handshake from TCP accept (slowloris), answers
 * {@code /healthz}, refuses what is not a WebSocket upgrade, asks the guard, and hands an accepted request
 * to a {@link Relay}.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);

    private final ProxyServer server;
    private final boolean secure;
    private ScheduledFuture<?> timer;
    private boolean answered;
    /** A request was accepted and handed to a relay: any pipelined request after it is ignored. */
    private boolean handedOver;
    /** System.nanoTime() when the upgrade request arrived: the start of the handshake latency. */
    private long requestNanos;

    HandshakeHandler(ProxyServer server, boolean secure) {
        this.server = server;
        this.secure = secure;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        server.trackClient(ctx.channel());
        long timeout = server.policies().get().gateway().connections().handshakeTimeout().toMillis();
        timer = ctx.executor().schedule(() -> {
            if (!answered) {
                ctx.close();
            }
        }, timeout, TimeUnit.MILLISECONDS);
        ctx.read();
        ctx.fireChannelActive();
    }

    /** Called by the relay once the 101 is written, or on a refusal. */
    void answered() {
        answered = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req) || answered || handedOver) {
            ReferenceCountUtil.release(msg);
            return;
        }
        requestNanos = System.nanoTime();
        boolean handedOver = false;
        try {
            handedOver = handle(ctx, req);
        } catch (RuntimeException e) {
            log.warn("handshake failed", e);
            refuse(ctx, 500, "internal", "internal error", null);
        } finally {
            if (!handedOver) {
                req.release();
            }
        }
    }

    private boolean handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        DecoderResult result = req.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                refuse(ctx, 414, "uri_too_long", "request line larger than " + ProxyServer.MAX_REQUEST_LINE + " bytes", null);
            } else if (cause instanceof TooLongHttpHeaderException) {
                refuse(ctx, 431, "headers_too_large", "headers larger than " + ProxyServer.MAX_HEADERS + " bytes", null);
            } else {
                refuse(ctx, 400, "bad_request", "malformed HTTP request", null);
            }
            return false;
        }
        RequestPath target = RequestPath.parse(req.uri());
        String rawPath = target.path();
        boolean upgrade = req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        if (!upgrade) {
            if (target.ok() && "/healthz".equals(rawPath) && req.method() == HttpMethod.GET) {
                answered();
                HttpReplies.text(ctx, 200, "ok");
            } else {
                refuse(ctx, 426, "upgrade_required", "not a WebSocket upgrade request",
                        Map.of("Upgrade", "websocket"));
            }
            return false;
        }
        if (server.shuttingDown()) {
            refuse(ctx, 503, "unavailable", "gateway shutting down", null);
            return false;
        }
        String problem = upgradeProblem(req);
        if (problem != null) {
            refuse(ctx, 400, "bad_request", problem, null);
            return false;
        }
        String version = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (!"13".equals(version)) {
            refuse(ctx, 426, "unsupported_version", "WebSocket version 13 required",
                    Map.of("Sec-WebSocket-Version", "13"));
            return false;
        }
        if (!target.ok()) {
            // before route matching: one spelling per path (policy-format.md, "Paths")
            refuse(ctx, 400, "bad_path", target.problem(), null);
            return false;
        }
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        String peerIp = ClientAddress.canonical(peer.getAddress());
        String clientIp = clientIp(ctx, req, peerIp);
        String rawQuery = target.query();
        HandshakeRequest hreq = new HandshakeRequest(rawPath, rawQuery, headers(req), clientIp, peerIp, secure);
        Policy policy = server.policies().get();
        HandshakeDecision d = server.guard().check(policy, hreq);
        if (!d.accepted()) {
            server.audit().handshakeRefused(clientIp, d.identity() == null ? null : d.identity().subject(), rawPath,
                    d.status(), d.reason());
            refuse(ctx, d.routePath(), d.status(), d.error(), d.reason(), d.responseHeaders());
            return false;
        }
        handedOver = true;
        Relay relay = new Relay(server, ctx.channel(), this, d, req, clientIp);
        relay.start();
        return true;
    }

    void refuse(ChannelHandlerContext ctx, int status, String error, String reason, Map<String, String> headers) {
        refuse(ctx, null, status, error, reason, headers);
    }

    /** {@code route}: the matched route's path, null before or without a match (metrics label "none"). */
    void refuse(ChannelHandlerContext ctx, String route, int status, String error, String reason,
                Map<String, String> headers) {
        answered();
        server.metrics().handshakeRefused(route, status, error, sinceRequest());
        HttpReplies.error(ctx, status, error, reason, headers);
    }

    /** Nanoseconds since the upgrade request arrived. */
    long sinceRequest() {
        return System.nanoTime() - requestNanos;
    }

    private static String upgradeProblem(HttpRequest req) {
        if (req.method() != HttpMethod.GET) {
            return "WebSocket upgrade must be GET";
        }
        if (!req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return "missing Connection: Upgrade";
        }
        String key = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isBlank()) {
            return "missing Sec-WebSocket-Key";
        }
        return null;
    }

    private static Map<String, List<String>> headers(HttpRequest req) {
        Map<String, List<String>> out = new HashMap<>();
        for (Map.Entry<String, String> e : req.headers()) {
            out.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(e.getValue());
        }
        return out;
    }

    /** PROXY source (the handler only sets it for trusted peers), else trusted X-Forwarded-For, else the peer. */
    private String clientIp(ChannelHandlerContext ctx, HttpRequest req, String peerIp) {
        String proxied = ctx.channel().attr(ProxyProtocolHandler.SOURCE).get();
        if (proxied != null) {
            return proxied;
        }
        return ClientAddress.fromForwardedFor(req.headers().getAll("X-Forwarded-For"), server.trustedProxies(), peerIp);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client error before upgrade: {}", cause.toString());
        ctx.close();
    }
}
