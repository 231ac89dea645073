package io.wsgate.admin;

import com.nimbusds.jwt.JWTParser;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wsgate.auth.CompactJws;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Session;
import io.wsgate.reload.ReloadManager;
import io.wsgate.reload.ReloadResult;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.Revocation;
import io.wsgate.state.RevocationStore;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Routes admin requests. Stateless per request, so one instance serves every channel. */
@ChannelHandler.Sharable
final class AdminApi extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Revocations by jti or sub without a ttl, and tokens whose exp cannot be read, are kept this long. */
    static final Duration DEFAULT_REVOKE_TTL = Duration.ofHours(24);

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final byte[] token;
    private final GatewayMetrics metrics;
    private final ReloadManager reloads;
    private final RevocationStore revocations;
    private final ConnectionRegistry connections;
    private final Executor worker;
    private final StatsApi stats;
    private volatile Lifecycle lifecycle = Lifecycle.NONE;
    private volatile io.wsgate.audit.AuditLog audit = io.wsgate.audit.AuditLog.OFF;
    // failed admin logins per client IP: 10 a minute, then 429 before the token is even compared
    private final io.wsgate.limits.AuthFailureMeter loginFailures = new io.wsgate.limits.AuthFailureMeter(
            () -> new io.wsgate.config.GatewayConfig.AuthFailures(10, java.time.Duration.ofMinutes(1)));

    AdminApi(String token, GatewayMetrics metrics, ReloadManager reloads, RevocationStore revocations,
             ConnectionRegistry connections, Executor worker, StatsApi stats) {
        this.token = token == null || token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.metrics = metrics;
        this.reloads = reloads;
        this.revocations = revocations;
        this.connections = connections;
        this.worker = worker;
        this.stats = stats;
    }

    void lifecycle(Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    void audit(io.wsgate.audit.AuditLog audit) {
        this.audit = audit;
        stats.audit(audit);
    }

    static String ip(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            send(ctx, req, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n");
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        HttpMethod m = req.method();
        if (path.equals("/healthz") && m.equals(HttpMethod.GET)) {
            send(ctx, req, HttpResponseStatus.OK, "text/plain", "ok");
        } else if (path.equals("/readyz") && m.equals(HttpMethod.GET)) {
            String why = lifecycle.notReady();
            send(ctx, req, why == null ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain",
                    why == null ? "ready" : why);
        } else if (path.equals("/metrics") && m.equals(HttpMethod.GET)) {
            send(ctx, req, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        } else if (path.equals("/admin") || path.startsWith("/admin/")) {
            admin(ctx, req, path, m);
        } else {
            error(ctx, req, HttpResponseStatus.NOT_FOUND, "not found");
        }
    }

    private void admin(ChannelHandlerContext ctx, FullHttpRequest req, String path, HttpMethod m) {
        if (token == null) {
            error(ctx, req, HttpResponseStatus.NOT_FOUND, "not found");
            return;
        }
        String ip = ip(ctx);
        long wait = loginFailures.retryAfterMillis(ip);
        if (wait > 0) {
            FullHttpResponse r = response(HttpResponseStatus.TOO_MANY_REQUESTS, "application/json",
                    "{\"error\":\"too_many_requests\"}");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, io.wsgate.auth.HandshakeGuard.retryAfterSeconds(wait));
            write(ctx, req, r);
            return;
        }
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || !MessageDigest.isEqual(token, auth.getBytes(StandardCharsets.UTF_8))) {
            loginFailures.failed(ip);
            audit.adminAction(ip, "unauthorized", req.method() + " " + path, 401);
            FullHttpResponse r = response(HttpResponseStatus.UNAUTHORIZED, "application/json",
                    "{\"error\":\"unauthorized\"}");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            write(ctx, req, r);
            return;
        }
        switch (path) {
            case "/admin/drain" -> {
                if (!m.equals(HttpMethod.POST)) {
                    AdminHttp.methodNotAllowed(ctx, req, "POST");
                    return;
                }
                int open = lifecycle.drain();
                audit.adminAction(ip, "drain", "open " + open, 200);
                send(ctx, req, HttpResponseStatus.OK, "application/json", "{\"open\":" + open + "}");
            }
            case "/admin/reload" -> {
                if (!m.equals(HttpMethod.POST)) {
                    AdminHttp.methodNotAllowed(ctx, req, "POST");
                    return;
                }
                offload(ctx, req, () -> {
                    ReloadResult res = reloads.reload();
                    audit.adminAction(ip, "reload", res.ok() ? "version " + res.version()
                            : res.errors().size() + " error(s)", res.ok() ? 200 : 400);
                    ObjectNode body = JSON.createObjectNode();
                    if (res.ok()) {
                        body.put("version", res.version());
                        ArrayNode routes = body.putArray("routes");
                        res.routes().forEach(routes::add);
                        send(ctx, req, HttpResponseStatus.OK, "application/json", JSON.writeValueAsString(body));
                    } else {
                        ArrayNode errors = body.putArray("errors");
                        res.errors().forEach(errors::add);
                        send(ctx, req, HttpResponseStatus.BAD_REQUEST, "application/json", JSON.writeValueAsString(body));
                    }
                });
            }
            case "/admin/revoke" -> {
                boolean post = m.equals(HttpMethod.POST);
                if (!post && !m.equals(HttpMethod.DELETE)) {
                    AdminHttp.methodNotAllowed(ctx, req, "POST, DELETE");
                    return;
                }
                Revocation rev;
                try {
                    rev = revocation(req);
                } catch (IllegalArgumentException e) {
                    error(ctx, req, HttpResponseStatus.BAD_REQUEST, e.getMessage());
                    return;
                }
                offload(ctx, req, () -> {
                    audit.adminAction(ip, post ? "revoke" : "lift", describe(rev), 200);
                    if (post) {
                        int closed = revocations.revoke(rev);
                        send(ctx, req, HttpResponseStatus.OK, "application/json", "{\"closed\":" + closed + "}");
                    } else {
                        revocations.lift(rev);
                        send(ctx, req, HttpResponseStatus.OK, "application/json", "{\"lifted\":true}");
                    }
                });
            }
            case "/admin/revocations" -> {
                if (!m.equals(HttpMethod.GET)) {
                    AdminHttp.methodNotAllowed(ctx, req, "GET");
                    return;
                }
                ArrayNode list = JSON.createArrayNode();
                for (Revocation r : revocations.list()) {
                    ObjectNode o = list.addObject();
                    o.put("kind", r.kind());
                    o.put("value", r.value());
                    o.put("until", Instant.ofEpochSecond(r.untilEpochSeconds()).toString());
                }
                send(ctx, req, HttpResponseStatus.OK, "application/json", JSON.writeValueAsString(list));
            }
            case "/admin/connections" -> {
                if (!m.equals(HttpMethod.GET)) {
                    AdminHttp.methodNotAllowed(ctx, req, "GET");
                    return;
                }
                ArrayNode list = JSON.createArrayNode();
                for (Session s : connections.all()) {
                    ObjectNode o = list.addObject();
                    o.put("id", s.id());
                    o.put("ip", s.clientIp());
                    o.put("user", s.user());
                    o.put("route", s.routePath());
                    o.put("since", Instant.ofEpochMilli(s.sinceMillis()).toString());
                    o.put("in", s.messagesIn());
                    o.put("out", s.messagesOut());
                }
                send(ctx, req, HttpResponseStatus.OK, "application/json", JSON.writeValueAsString(list));
            }
            default -> {
                if (!stats.handle(ctx, req, path, m)) { // /admin/stats, /admin/audit, DELETE /admin/connections/{id}
                    error(ctx, req, HttpResponseStatus.NOT_FOUND, "not found");
                }
            }
        }
    }

    /** "sub=alice", "jti=...", "token=<digest>": never the token itself. */
    private static String describe(Revocation r) {
        return r.kind() + "=" + r.value();
    }

    /** Parses {@code {"jti"|"sub"|"token": .., "ttl": ..}}; exactly one of the three. */
    static Revocation revocation(FullHttpRequest req) {
        JsonNode body;
        try (ByteBufInputStream in = new ByteBufInputStream(req.content().duplicate())) {
            body = JSON.readTree(in);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("body is not valid JSON: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object with one of jti, sub, token");
        }
        for (String name : body.propertyNames()) {
            if (!name.equals("jti") && !name.equals("sub") && !name.equals("token") && !name.equals("ttl")) {
                throw new IllegalArgumentException("unknown key: " + name);
            }
        }
        String jti = text(body, "jti");
        String sub = text(body, "sub");
        String tok = text(body, "token");
        int present = (jti != null ? 1 : 0) + (sub != null ? 1 : 0) + (tok != null ? 1 : 0);
        if (present != 1) {
            throw new IllegalArgumentException("exactly one of jti, sub, token is required");
        }
        String ttlText = text(body, "ttl");
        Duration ttl = ttlText == null ? null : parseDuration(ttlText);
        long now = Instant.now().getEpochSecond();
        if (tok != null) {
            // 400, not canonicalised: the gateway refuses such a spelling anyway (401), so the body is most likely
            // not the token the operator meant; the digest names header+payload, so any valid signature is covered.
            String problem = CompactJws.problem(tok);
            if (problem != null) {
                throw new IllegalArgumentException("token: " + problem);
            }
            long until = ttl != null ? now + ttl.toSeconds() : expOf(tok, now);
            return new Revocation(null, null, CompactJws.revocationDigest(tok), now, until);
        }
        long until = now + (ttl != null ? ttl : DEFAULT_REVOKE_TTL).toSeconds();
        return new Revocation(jti, sub, null, now, until);
    }

    private static String text(JsonNode body, String key) {
        JsonNode n = body.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isString() || n.asString().isEmpty()) {
            throw new IllegalArgumentException(key + " must be a non-empty string");
        }
        return n.asString();
    }

    /** The token's own exp (read without verifying: it only bounds how long the entry is kept). */
    private static long expOf(String token, long now) {
        try {
            Date exp = JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
            if (exp != null) {
                return Math.max(now, exp.toInstant().getEpochSecond());
            }
        } catch (java.text.ParseException | RuntimeException ignored) {
            // not a readable JWT: fall back to the default ttl
        }
        return now + DEFAULT_REVOKE_TTL.toSeconds();
    }

    /** {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h}, {@code 2d}. */
    static Duration parseDuration(String s) {
        Duration d = io.wsgate.config.Durations.parse(s.trim());
        if (d == null) {
            throw new IllegalArgumentException("ttl: expected a duration like 500ms, 30s, 5m, 2h30m, got '" + s + "'");
        }
        if (d.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        return d;
    }

    private void offload(ChannelHandlerContext ctx, FullHttpRequest req, Runnable work) {
        req.retain();
        try {
            worker.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    error(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
                } finally {
                    req.release();
                }
            });
        } catch (RejectedExecutionException e) {
            req.release();
            error(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting down");
        }
    }


    private static void error(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        send(ctx, req, status, "application/json", JSON.writeValueAsString(o));
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String type,
                             String body) {
        write(ctx, req, response(status, type, body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String type, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
        AdminHttp.write(ctx, req, r); // adds the security headers and Cache-Control: no-store
    }
}
