package io.wsgate.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** HTTP answers the gateway writes before any 101: {@code {"error":"<word>","reason":"<text>"}}, then close. */
final class HttpReplies {
    private HttpReplies() {
    }

    static void error(ChannelHandlerContext ctx, int status, String error, String reason, Map<String, String> headers) {
        String body = "{\"error\":\"" + json(error) + "\",\"reason\":\"" + json(reason) + "\"}";
        FullHttpResponse res = response(status, body, "application/json");
        if (headers != null) {
            headers.forEach((k, v) -> res.headers().set(k, v));
        }
        if (status == 401 && !res.headers().contains(HttpHeaderNames.WWW_AUTHENTICATE)) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        send(ctx, res);
    }

    static void text(ChannelHandlerContext ctx, int status, String body) {
        send(ctx, response(status, body, "text/plain; charset=utf-8"));
    }

    private static FullHttpResponse response(int status, String body, String type) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(bytes));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return res;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse res) {
        ctx.channel().writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    static String json(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> c < 0x20 ? String.format("\\u%04x", (int) c) : null;
            };
            if (rep != null && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (rep != null) {
                    b.append(rep);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }
}
