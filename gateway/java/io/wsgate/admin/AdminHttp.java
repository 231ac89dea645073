package io.wsgate.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/** Response helpers for every answer of the admin port: security headers on all, and never cached unless set. */
final class AdminHttp {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private AdminHttp() {
    }

    static FullHttpResponse response(HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    static void json(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body) {
        write(ctx, req, response(status, "application/json", body.getBytes(StandardCharsets.UTF_8)));
    }

    static void error(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        json(ctx, req, status, JSON.writeValueAsString(o));
    }

    static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest req, String allow) {
        FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json",
                "{\"error\":\"method not allowed\"}".getBytes(StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        write(ctx, req, r);
    }

    static void write(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
        ConsoleAssets.securityHeaders(r.headers());
        if (!r.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        if (HttpUtil.isKeepAlive(req)) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
