package io.wsgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.wsgate.config.GatewayConfig;
import io.wsgate.config.RouteConfig;
import io.wsgate.inspect.ConnectionInspector;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.Identity;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.policy.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One proxied connection: both channels live on the same event loop, so every field is confined to it.
 *
 * <p>Backpressure (HexDumpProxy pattern, auto-read off on both channels): a side is read only when the
 * other side is writable (and itself too, for pongs and notices). Each read is at most
 * {@link ProxyServer#MAX_READ} bytes, so an outbound buffer holds at most {@link ProxyServer#HIGH_WATER}
 * + {@link ProxyServer#MAX_READ} + one message (max_message_bytes toward the upstream,
 * max_upstream_message_bytes toward the client); the reading side's decoder/aggregator holds at most one
 * partial message.
 */
final class Relay {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);
    private static final byte[] EMPTY = new byte[0];
    /** One scratch array per event loop for inspecting direct buffers; grows to the largest message seen. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[8192];
        }
    };

    private final ProxyServer server;
    private final Channel client;
    /** Both are dropped once the client is upgraded and the upstream connected ({@link #established}). */
    private HandshakeHandler handshake;
    private HandshakeDecision decision;
    private final RoutePolicy route;
    private final RouteConfig.Route rc;
    private final Session session;
    private final boolean inspectBytes;
    private final GatewayConfig.Connections limits;
    private ConnectionInspector inspector;
    private boolean watchUpstream;

    private FullHttpRequest request;
    /** first_message routes: the client's headers, kept for the upstream request made after the 101. */
    private HttpHeaders savedHeaders;
    private Channel upstream;
    private String upstreamTarget;
    private boolean clientUpgraded;
    private boolean awaitingFirstMessage;
    private boolean connecting;
    /** Client frames read while the upstream opens (first_message routes); bounded by one read. */
    private ArrayDeque<WebSocketFrame> toUpstreamQueue;
    /** Upstream frames read before the client's 101 went out; bounded by one read. */
    private ArrayDeque<WebSocketFrame> toClientQueue;

    private boolean clientCloseSent;
    private boolean upstreamCloseSent;
    private boolean upstreamCloseReceived;
    private boolean closed;
    private boolean clientFlush;
    private boolean upstreamFlush;
    private int upstreamMessageBytes;
    /** The close code the client was sent (or sent us); 0 while open, -1 for a TCP drop. */
    private int clientCloseCode;
    // an upstream message in fragments is on its way to the client: a notice now would split it (RFC 6455 5.4),
    // so one notice waits for its last fragment (further ones are dropped; notices are sampled anyway)
    private boolean upstreamFragmentOpen;
    private WebSocketFrame heldNotice;
    // for the access line: payload bytes each way, refusals, and the first close (who, code, reason)
    private long bytesIn;
    private long bytesOut;
    private long refused;
    private String closeBy;
    private int firstCloseCode;
    private String firstCloseReason;

    private long lastActivity = System.nanoTime();
    /** One timer for the idle timeout and the token expiry, armed for the earlier of the two ({@link #armTimer}). */
    private ScheduledFuture<?> timer;
    private long timerAt;
    private long idleNanos;
    private boolean expires;
    private long expiresAtNanos;
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> authTask;
    private Identity expiryFor;
    /** The subprotocol answered in the client's 101. */
    private String clientSubprotocol;

    Relay(ProxyServer server, Channel client, HandshakeHandler handshake, HandshakeDecision decision,
          FullHttpRequest request, String clientIp) {
        this.server = server;
        this.client = client;
        this.handshake = handshake;
        this.decision = decision;
        this.request = request;
        this.route = decision.route();
        this.rc = route.config().route();
        this.inspectBytes = route.config().protocol() == null
                || route.config().protocol().kind() != RouteConfig.Kind.RAW;
        this.limits = server.policies().get().gateway().connections();
        this.session = new Session(server.nextId(), clientIp, route.path(), System.currentTimeMillis());
    }

    Session session() {
        return session;
    }

    Channel client() {
        return client;
    }

    Channel upstream() {
        return upstream;
    }

    // ------------------------------------------------------------------ opening

    void start() {
        server.opened(this);
        server.registry().add(session);
        client.closeFuture().addListener(f -> finish());
        session.closer(this::closeFromAnyThread);
        server.metrics().connectionOpened(session);
        for (Session old : decision.sessionsToReplace()) {
            old.close(4409, "session replaced");
        }
        inspector = server.inspectors().create(session, server.policies(), route, decision);
        watchUpstream = inspector.watchesUpstream();
        if (decision.identity() != null) {
            session.identity(decision.identity());
        }
        if (decision.pendingAuth() == HandshakeDecision.PendingAuth.FIRST_MESSAGE) {
            awaitingFirstMessage = true;
            upgradeClient(firstMessageSubprotocol());
        } else {
            connectUpstream(decision, decision.upstreamSubprotocols().isEmpty()
                    ? null : String.join(",", decision.upstreamSubprotocols()));
        }
    }

    private String firstMessageSubprotocol() {
        if (decision.clientSubprotocol() != null) {
            return decision.clientSubprotocol();
        }
        List<String> allowed = rc.subprotocols();
        if (allowed == null || allowed.isEmpty()) {
            return null;
        }
        for (String offer : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String p : offer.split(",")) {
                if (allowed.contains(p.trim())) {
                    return p.trim();
                }
            }
        }
        return null;
    }

    private void connectUpstream(HandshakeDecision d, String subprotocols) {
        connecting = true;
        HttpHeaders clientHeaders = request != null ? request.headers()
                : savedHeaders != null ? savedHeaders : new DefaultHttpHeaders();
        String hashKey = session.user() != null ? session.user() : session.clientIp();
        server.connector().connect(client.eventLoop(), rc, d, clientHeaders, subprotocols, hashKey,
                UpstreamHandler::new).addListener(f -> {
            connecting = false;
            if (f.isSuccess()) {
                upstreamConnected((UpstreamConnector.Connected) f.getNow());
            } else {
                upstreamFailed(f.cause());
            }
        });
    }

    private void upstreamConnected(UpstreamConnector.Connected c) {
        upstream = c.channel();
        upstreamTarget = c.target();
        server.balancer().acquired(upstreamTarget);
        upstream.closeFuture().addListener(f -> server.balancer().released(upstreamTarget));
        if (closed || clientCloseSent || !client.isActive()) {
            closeUpstream(1001, "client went away");
            return;
        }
        savedHeaders = null;
        if (!clientUpgraded) {
            String sub = c.subprotocol() != null && !c.subprotocol().isEmpty()
                    ? c.subprotocol() : decision.clientSubprotocol();
            upgradeClient(sub);
        } else {
            established();
            drainToUpstream();
            readClient();
        }
        readUpstream();
    }

    /** Both legs are open: what only the handshake needed can go (idle sockets keep less). */
    private void established() {
        handshake = null;
        decision = null;
    }

    private void upstreamFailed(Throwable cause) {
        String reason = cause instanceof UpstreamConnector.Refused ? cause.getMessage() : "upstream failed";
        UpstreamFailureLog.warn(log, ProxyServer.describe(session), reason);
        if (!clientUpgraded) {
            server.audit().handshakeRefused(session.clientIp(), route.path(), 502, reason);
            server.metrics().handshakeRefused(route.path(), 502, "bad_gateway", handshake.sinceRequest());
            handshake.answered();
            releaseRequest();
            // the client learns that the upstream failed, not which one or why (that is in the log and audit line)
            HttpReplies.error(client.pipeline().context(handshake), 502, "bad_gateway", "upstream unavailable", null);
        } else {
            closeClient(1014, "upstream failed");
        }
    }

    private void upgradeClient(String subprotocol) {
        WebSocketDecoderConfig cfg = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(rc.maxMessageBytes())
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(rc.permessageDeflate())
                .closeOnProtocolViolation(true)
                .build();
        String url = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri();
        WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(url, subprotocol, cfg).newHandshaker(request);
        WebSocketServerExtension deflate = rc.permessageDeflate() ? Deflate.negotiate(request, rc.maxMessageBytes()) : null;
        HttpHeaders extra = new DefaultHttpHeaders();
        if (deflate != null) {
            extra.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, Deflate.responseHeader(deflate));
        }
        FullHttpRequest req = request;
        request = null;
        if (awaitingFirstMessage) {
            savedHeaders = req.headers().copy();
        }
        hs.handshake(client, req, extra, client.newPromise()).addListener(f -> {
            req.release();
            if (!f.isSuccess()) {
                handshake.answered();
                client.close();
                return;
            }
            handshake.answered();
            server.metrics().handshakeAccepted(session, handshake.sinceRequest());
            clientUpgraded = true;
            clientSubprotocol = hs.selectedSubprotocol();
            ChannelPipeline p = client.pipeline();
            String at = p.context(handshake).name();
            if (deflate != null) {
                p.addBefore(at, "ws-inflate", deflate.newExtensionDecoder());
                p.addBefore(at, "ws-deflate", deflate.newExtensionEncoder());
            }
            p.addBefore(at, "ws-utf8", new Utf8FrameValidator(true));
            p.addBefore(at, "ws-agg", new WebSocketFrameAggregator(rc.maxMessageBytes()));
            p.replace(handshake, "relay", new ClientHandler());
            startTimers();
            if (upstream != null) {
                established();
            }
            drainToClient();
            readClient();
            if (upstream != null) {
                readUpstream();
            }
        });
    }

    private void startTimers() {
        idleNanos = limits.idleTimeout() == null ? 0 : limits.idleTimeout().toNanos();
        long ping = limits.pingInterval() == null ? 0 : limits.pingInterval().toNanos();
        if (ping > 0) {
            pingTask = client.eventLoop().scheduleAtFixedRate(this::ping, ping, ping, TimeUnit.NANOSECONDS);
        }
        if (decision.pendingAuth() != HandshakeDecision.PendingAuth.NONE) {
            RouteConfig.Auth auth = route.config().auth();
            Duration t = auth != null && auth.authTimeout() != null ? auth.authTimeout() : Duration.ofSeconds(5);
            authTask = client.eventLoop().schedule(() -> {
                if (session.identity() == null) {
                    closeBoth(4401, "authentication timeout", 1001, "client not authenticated");
                }
            }, t.toMillis(), TimeUnit.MILLISECONDS);
        }
        watchExpiry();
        armTimer();
    }

    // ------------------------------------------------------------------ timers

    /**
     * (Re)schedules the connection's timer for the earlier of idle deadline and token expiry. A timer that is
     * already due earlier stays: when it fires it re-arms for what is left (activity only moves deadlines later).
     */
    private void armTimer() {
        if (closed || !clientUpgraded) {
            return;
        }
        boolean any = false;
        long next = 0;
        if (idleNanos > 0) {
            next = lastActivity + idleNanos;
            any = true;
        }
        if (expires && (!any || expiresAtNanos - next < 0)) {
            next = expiresAtNanos;
            any = true;
        }
        if (!any) {
            cancel(timer);
            timer = null;
            return;
        }
        if (timer != null) {
            if (timerAt - next <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerAt = next;
        timer = client.eventLoop().schedule(this::onTimer, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        long now = System.nanoTime();
        if (expires && now - expiresAtNanos >= 0) {
            closeBoth(4401, "token expired", 1001, "client token expired");
        } else if (idleNanos > 0 && now - lastActivity >= idleNanos) {
            closeBoth(1001, "idle timeout", 1001, "idle timeout");
        } else {
            armTimer();
        }
    }

    private void ping() {
        if (!clientCloseSent && client.isWritable()) {
            client.writeAndFlush(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER), client.voidPromise());
        }
    }

    /** Moves the expiry deadline when a refresh (or a late token) changes the identity. */
    private void watchExpiry() {
        Identity id = session.identity();
        if (id == expiryFor) {
            return;
        }
        expiryFor = id;
        RouteConfig.Auth auth = route.config().auth();
        expires = id != null && auth != null && auth.closeOnExpiry() && id.expiresAt() > 0;
        if (expires) {
            long delay = Math.max(0, id.expiresAt() * 1000 - System.currentTimeMillis());
            expiresAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
        }
        armTimer();
    }

    // ------------------------------------------------------------------ client -> upstream

    private void onClientData(WebSocketFrame frame) {
        if (clientCloseSent) {
            frame.release();
            return;
        }
        lastActivity = System.nanoTime();
        if (connecting || (upstream == null && !awaitingFirstMessage)) {
            if (toUpstreamQueue == null) {
                toUpstreamQueue = new ArrayDeque<>(4);
            }
            toUpstreamQueue.add(frame);
            return;
        }
        inspectAndForward(frame);
    }

    private void inspectAndForward(WebSocketFrame frame) {
        ByteBuf c = frame.content();
        int len = c.readableBytes();
        boolean binary = frame instanceof BinaryWebSocketFrame;
        Verdict v;
        if (!inspectBytes) {
            v = inspector.onClientMessage(binary, EMPTY, 0, 0);
        } else if (c.hasArray()) {
            v = inspector.onClientMessage(binary, c.array(), c.arrayOffset() + c.readerIndex(), len);
        } else {
            byte[] b = scratch(len);
            c.getBytes(c.readerIndex(), b, 0, len);
            v = inspector.onClientMessage(binary, b, 0, len);
        }
        session.countIn();
        bytesIn += len;
        server.metrics().messageIn(session, len);
        if (v.refusal() != null) {
            refused++;
            server.metrics().messageRefused(session, v.refusal(), v.event());
            server.audit().messageRefused(session.id(), session.clientIp(), session.user(), route.path(), v.event(),
                    v.refusal());
        }
        if (awaitingFirstMessage && v.kind() != Verdict.Kind.CLOSE) {
            frame.release();
            if (session.identity() == null) {
                if (v.kind() != Verdict.Kind.DROP) {
                    closeBoth(4401, "authentication required", 1001, "client not authenticated");
                } else {
                    toClient(v);
                }
                return;
            }
            awaitingFirstMessage = false;
            watchExpiry();
            toClient(v);
            // first_message: the upstream is offered only the subprotocol the gateway accepted
            connectUpstream(decision.withIdentity(session.identity()), decision.upstreamSubprotocols().isEmpty()
                    ? clientSubprotocol : String.join(",", decision.upstreamSubprotocols()));
            return;
        }
        if (expiryFor != session.identity()) {
            watchExpiry();
        }
        switch (v.kind()) {
            case FORWARD -> {
                upstream.write(frame, upstream.voidPromise());
                upstreamFlush = true;
            }
            case FORWARD_REWRITTEN -> {
                frame.release();
                ByteBuf out = Unpooled.wrappedBuffer(v.rewritten());
                upstream.write(binary ? new BinaryWebSocketFrame(out) : new TextWebSocketFrame(out),
                        upstream.voidPromise());
                upstreamFlush = true;
            }
            case DROP -> frame.release();
            case CLOSE -> {
                frame.release();
                if (v.toClient() != null && !clientCloseSent) {
                    client.write(gatewayFrame(v), client.voidPromise());
                }
                closeBoth(v.closeCode(), v.closeReason(), 1001, "client closed by policy");
                return;
            }
        }
        toClient(v);
    }


    /** A notice or reply: only when the inspector says the stream allows it and the client is reading. */
    private void toClient(Verdict v) {
        if (v.toClient() != null && !clientCloseSent && client.isWritable() && inspector.mayWriteToClient()) {
            if (upstreamFragmentOpen) {
                if (heldNotice == null) {
                    heldNotice = gatewayFrame(v);
                }
                return;
            }
            client.write(gatewayFrame(v), client.voidPromise());
            clientFlush = true;
        }
    }

    private static WebSocketFrame gatewayFrame(Verdict v) {
        ByteBuf b = Unpooled.wrappedBuffer(v.toClient());
        return v.toClientBinary() ? new BinaryWebSocketFrame(b) : new TextWebSocketFrame(b);
    }

    private void drainToUpstream() {
        if (toUpstreamQueue == null) {
            return;
        }
        WebSocketFrame f;
        while ((f = toUpstreamQueue.poll()) != null) {
            if (clientCloseSent || upstream == null) {
                f.release();
            } else {
                inspectAndForward(f);
            }
        }
        flush();
    }

    private void onClientPing(PingWebSocketFrame ping) {
        lastActivity = System.nanoTime();
        Verdict v = inspector.onClientControl();
        refusedControl(v);
        if (v.kind() == Verdict.Kind.CLOSE) {
            ping.release();
            closeBoth(v.closeCode(), v.closeReason(), 1001, "client closed by policy");
            return;
        }
        if (v.kind() != Verdict.Kind.DROP && !clientCloseSent && client.isWritable()) {
            client.write(new PongWebSocketFrame(ping.content()), client.voidPromise());
            clientFlush = true;
        } else {
            ping.release();
        }
    }

    private void onClientPong(PongWebSocketFrame pong) {
        pong.release();
        Verdict v = inspector.onClientControl();
        refusedControl(v);
        if (v.kind() == Verdict.Kind.CLOSE) {
            closeBoth(v.closeCode(), v.closeReason(), 1001, "client closed by policy");
        }
    }

    /** A control frame over per_ip.messages is a refusal like a message's: metrics and audit, and no pong. */
    private void refusedControl(Verdict v) {
        if (v.refusal() != null) {
            refused++;
            server.metrics().messageRefused(session, v.refusal(), v.event());
            server.audit().messageRefused(session.id(), session.clientIp(), session.user(), route.path(), v.event(),
                    v.refusal());
        }
    }

    private void onClientClose(CloseWebSocketFrame frame) {
        int code = frame.statusCode();
        String reason = frame.reasonText();
        frame.release();
        firstClose("client", code, reason);
        if (clientCloseSent) {
            // the client's answer to our close
            client.close();
            return;
        }
        clientCloseSent = true;
        if (code >= 5000) {
            // Netty's decoder accepts every code from 3000 up; RFC 6455 §7.4.2 ends the range at 4999
            clientCloseCode = 1002;
            closeUpstream(1001, "client protocol error");
            client.writeAndFlush(closeFrame(1002, "invalid close code")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        clientCloseCode = code;
        closeUpstream(code, reason);
        client.writeAndFlush(closeFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    // ------------------------------------------------------------------ upstream -> client

    private void onUpstreamFrame(WebSocketFrame frame) {
        if (closed) {
            frame.release();
            return;
        }
        if (!clientUpgraded) {
            if (toClientQueue == null) {
                toClientQueue = new ArrayDeque<>(4);
            }
            toClientQueue.add(frame);
            return;
        }
        lastActivity = System.nanoTime();
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
                || frame instanceof ContinuationWebSocketFrame) {
            int len = frame.content().readableBytes();
            upstreamMessageBytes = frame instanceof ContinuationWebSocketFrame ? upstreamMessageBytes + len : len;
            if (upstreamMessageBytes > rc.maxUpstreamMessageBytes()) {
                frame.release();
                closeBoth(1011, "upstream message too big", 1009, "message too big");
                return;
            }
            if (watchUpstream && !(frame instanceof ContinuationWebSocketFrame)) {
                ByteBuf c = frame.content();
                byte[] b = scratch(len);
                c.getBytes(c.readerIndex(), b, 0, len);
                inspector.onUpstreamMessage(frame instanceof BinaryWebSocketFrame, b, 0, len);
            }
            if (clientCloseSent) {
                frame.release();
                return;
            }
            bytesOut += len;
            if (frame.isFinalFragment()) {
                session.countOut();
                server.metrics().messageOut(session, upstreamMessageBytes);
            }
            upstreamFragmentOpen = !frame.isFinalFragment();
            client.write(frame, client.voidPromise());
            if (!upstreamFragmentOpen && heldNotice != null) {
                client.write(heldNotice, client.voidPromise());
                heldNotice = null;
            }
            clientFlush = true;
        } else if (frame instanceof PingWebSocketFrame) {
            if (!upstreamCloseSent && upstream.isWritable()) {
                upstream.write(new PongWebSocketFrame(frame.content()), upstream.voidPromise());
                upstreamFlush = true;
            } else {
                frame.release();
            }
        } else if (frame instanceof CloseWebSocketFrame close) {
            int code = close.statusCode();
            String reason = close.reasonText();
            close.release();
            upstreamCloseReceived = true;
            firstClose("upstream", code, reason);
            if (upstreamCloseSent) {
                upstream.close();
            } else {
                upstreamCloseSent = true;
                upstream.writeAndFlush(closeFrame(code, "")).addListener(ChannelFutureListener.CLOSE);
            }
            closeClient(code, reason);
        } else {
            frame.release();
        }
    }

    private void drainToClient() {
        if (toClientQueue == null) {
            return;
        }
        WebSocketFrame f;
        while ((f = toClientQueue.poll()) != null) {
            onUpstreamFrame(f);
        }
        flush();
    }

    // ------------------------------------------------------------------ reading (backpressure)

    private void flush() {
        if (clientFlush) {
            clientFlush = false;
            client.flush();
        }
        if (upstreamFlush && upstream != null) {
            upstreamFlush = false;
            upstream.flush();
        }
    }

    private void readClient() {
        if (!client.isActive() || !clientUpgraded) {
            return;
        }
        if (clientCloseSent) {
            client.read(); // discard until the close answer
            return;
        }
        if (connecting) {
            return;
        }
        if (upstream == null) {
            if (awaitingFirstMessage) {
                client.read();
            }
            return;
        }
        if (upstream.isWritable() && client.isWritable()) {
            client.read();
        }
    }

    private void readUpstream() {
        if (upstream == null || !upstream.isActive()) {
            return;
        }
        if (upstreamCloseSent) {
            upstream.read();
            return;
        }
        if (!clientUpgraded) {
            return;
        }
        if (client.isWritable() && upstream.isWritable()) {
            upstream.read();
        }
    }

    // ------------------------------------------------------------------ closing

    void closeFromAnyThread(int code, String reason) {
        if (client.eventLoop().inEventLoop()) {
            closeBoth(code, reason, 1001, reason);
        } else {
            client.eventLoop().execute(() -> closeBoth(code, reason, 1001, reason));
        }
    }

    private void closeBoth(int clientCode, String clientReason, int upstreamCode, String upstreamReason) {
        closeClient(clientCode, clientReason);
        closeUpstream(upstreamCode, upstreamReason);
    }

    /** Sends a close frame, keeps reading until the client answers or the force-close time passes. */
    private void closeClient(int code, String reason) {
        if (!clientUpgraded) {
            if (!closed) {
                client.close();
            }
            return;
        }
        if (clientCloseSent || !client.isActive()) {
            return;
        }
        clientCloseSent = true;
        clientCloseCode = code;
        firstClose("gateway", code, reason);
        client.writeAndFlush(closeFrame(code, reason), client.voidPromise());
        client.eventLoop().schedule(() -> {
            client.close();
        }, ProxyServer.FORCE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
        client.read();
    }

    private void closeUpstream(int code, String reason) {
        if (upstream == null || upstreamCloseSent || !upstream.isActive()) {
            return;
        }
        upstreamCloseSent = true;
        if (code == 1005 || code == 1006 || code == 1015) {
            code = 1001;
        }
        upstream.writeAndFlush(closeFrame(code, reason), upstream.voidPromise());
        Channel up = upstream;
        up.eventLoop().schedule(() -> {
            up.close();
        }, ProxyServer.FORCE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
        up.read();
    }

    private static CloseWebSocketFrame closeFrame(int code, String reason) {
        if (code < 0) {
            return new CloseWebSocketFrame();
        }
        if (code >= 5000 || !WebSocketCloseStatus.isValidStatusCode(code)) {
            code = 1011;
        }
        return new CloseWebSocketFrame(code, truncate(reason));
    }

    /** Close reasons are at most 123 UTF-8 bytes. */
    private static String truncate(String reason) {
        if (reason == null) {
            return "";
        }
        if (reason.length() <= 41) {
            return reason;
        }
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 123) {
            return reason;
        }
        int n = 123;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** Client channel gone: release everything this connection holds. */
    private void finish() {
        if (closed) {
            return;
        }
        closed = true;
        cancel(timer);
        cancel(pingTask);
        cancel(authTask);
        releaseRequest();
        releaseAll(toUpstreamQueue);
        releaseAll(toClientQueue);
        if (heldNotice != null) {
            heldNotice.release();
            heldNotice = null;
        }
        server.registry().remove(session);
        server.metrics().connectionClosed(session, clientCloseCode == 0 ? -1 : clientCloseCode);
        if (clientUpgraded) {
            firstClose("client", 1006, "connection lost");
            server.accessLog().closed(accessRecord());
        }
        server.closed(this);
        session.closer(null);
        if (upstream != null && upstream.isActive() && !upstreamCloseSent) {
            closeUpstream(1001, "client went away");
        }
    }

    /** Remembers who closed first; later closes (the answers) do not change it. */
    private void firstClose(String by, int code, String reason) {
        if (closeBy == null) {
            closeBy = by;
            firstCloseCode = code;
            firstCloseReason = reason == null ? "" : reason;
        }
    }

    /** The code the client got (or sent), the side that closed first and why. */
    private io.wsgate.audit.AccessRecord accessRecord() {
        long now = System.currentTimeMillis();
        int code = clientCloseCode != 0 ? clientCloseCode : firstCloseCode;
        return new io.wsgate.audit.AccessRecord(now, session.id(), session.clientIp(), route.path(), "websocket",
                session.user(), upstreamTarget, now - session.sinceMillis(), session.messagesIn(), session.messagesOut(),
                bytesIn, bytesOut, refused, code, closeBy, firstCloseReason);
    }

    private void releaseRequest() {
        if (request != null) {
            request.release();
            request = null;
        }
    }

    private static void releaseAll(ArrayDeque<WebSocketFrame> q) {
        if (q != null) {
            WebSocketFrame f;
            while ((f = q.poll()) != null) {
                f.release();
            }
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private static byte[] scratch(int len) {
        byte[] b = SCRATCH.get();
        if (b.length < len) {
            b = new byte[Math.max(len, Math.min(b.length * 2, 64 << 20))];
            SCRATCH.set(b);
        }
        return b;
    }

    private static boolean isTooLong(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TooLongFrameException) {
                return true;
            }
            // permessage-deflate's inflate cap (max_message_bytes): a deflate bomb
            if (c instanceof DecompressionException && c.getMessage() != null && c.getMessage().contains("maximum size")) {
                return true;
            }
            if (c instanceof CorruptedWebSocketFrameException w
                    && w.closeStatus() != null && w.closeStatus().code() == 1009) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ handlers

    /** Last handler of the client pipeline after the 101. */
    /** Either side becoming writable again may unblock reading from both (pongs and notices go to the client). */
    abstract class SideHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                readClient();
                readUpstream();
            }
            ctx.fireChannelWritabilityChanged();
        }
    }

    final class ClientHandler extends SideHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                onClientData((WebSocketFrame) msg);
            } else if (msg instanceof PingWebSocketFrame ping) {
                onClientPing(ping);
            } else if (msg instanceof PongWebSocketFrame pong) {
                onClientPong(pong);
            } else if (msg instanceof CloseWebSocketFrame close) {
                onClientClose(close);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            flush();
            readClient();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof CorruptedWebSocketFrameException || cause instanceof CorruptedFrameException
                    && !(cause instanceof TooLongFrameException)) {
                // the decoder or UTF-8 validator already wrote the matching close frame (1002/1007/1009)
                clientCloseSent = true;
                clientCloseCode = cause instanceof CorruptedWebSocketFrameException w && w.closeStatus() != null
                        ? w.closeStatus().code() : 1002;
                closeUpstream(1001, "client protocol error");
                ctx.channel().eventLoop().schedule(() -> {
                    ctx.close();
                }, ProxyServer.FORCE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
            if (isTooLong(cause)) {
                closeBoth(1009, "message too big", 1001, "client message too big");
                return;
            }
            if (cause instanceof DecompressionException) {
                closeBoth(1007, "invalid compressed data", 1001, "client protocol error");
                return;
            }
            if (!(cause instanceof IOException)) {
                log.debug("{}: client error", ProxyServer.describe(session), cause);
            }
            ctx.close();
        }
    }

    /** Last handler of the upstream pipeline after its 101. */
    final class UpstreamHandler extends SideHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof WebSocketFrame f) {
                onUpstreamFrame(f);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            flush();
            readUpstream();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!upstreamCloseReceived) {
                // TCP drop without a close frame
                firstClose("upstream", 1006, "connection lost");
                closeClient(1014, "upstream failed");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (isTooLong(cause)) {
                upstreamCloseSent = true; // the decoder answered 1009 itself
                upstreamCloseReceived = true;
                closeClient(1011, "upstream message too big");
                ctx.close();
                return;
            }
            if (!(cause instanceof IOException)) {
                log.debug("{}: upstream error", ProxyServer.describe(session), cause);
            }
            upstreamCloseReceived = true;
            firstClose("upstream", 1006, "connection error");
            closeClient(1014, "upstream failed");
            ctx.close();
        }
    }
}
