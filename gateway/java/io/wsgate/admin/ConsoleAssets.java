package io.wsgate.admin;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The web console's files ({@code admin.console: true}): {@code GET /} and a fixed list of assets, all read from
 * the jar at start (ours under {@code console/}, uPlot from its WebJar's {@code META-INF/resources/webjars}).
 * Every answer carries a strict CSP and the other security headers; a request whose {@code Host} is not the admin
 * address as bound (or a loopback name with its port) gets 421, so a DNS-rebinding page cannot load the console.
 * Anything else goes on to {@link AdminApi}.
 */
@ChannelHandler.Sharable
final class ConsoleAssets extends ChannelInboundHandlerAdapter {
    /** The WebJar in pom.xml ({@code org.webjars.npm:uplot}); the test that loads the assets fails when they drift. */
    static final String UPLOT_VERSION = "1.6.30";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private record Asset(byte[] body, String type, String cacheControl) {}

    private final Map<String, Asset> assets;
    private final String bindHost;
    private volatile Set<String> allowedHosts = Set.of();

    ConsoleAssets(String bindHost) {
        this.bindHost = bindHost;
        String webjar = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
        String own = "no-cache";
        String versioned = "public, max-age=31536000, immutable";
        this.assets = Map.of(
                "/", new Asset(load("console/index.html"), "text/html; charset=utf-8", "no-store"),
                "/console/app.js", new Asset(load("console/app.js"), "text/javascript; charset=utf-8", own),
                "/console/views.js", new Asset(load("console/views.js"), "text/javascript; charset=utf-8", own),
                "/console/charts.js", new Asset(load("console/charts.js"), "text/javascript; charset=utf-8", own),
                "/console/console.css", new Asset(load("console/console.css"), "text/css; charset=utf-8", own),
                "/webjars/uplot/dist/uPlot.iife.min.js",
                new Asset(load(webjar + "uPlot.iife.min.js"), "text/javascript; charset=utf-8", versioned),
                "/webjars/uplot/dist/uPlot.min.css",
                new Asset(load(webjar + "uPlot.min.css"), "text/css; charset=utf-8", versioned));
    }

    /** Called once the admin port is bound: the Host values accepted from then on. */
    void boundPort(int port) {
        String h = bindHost.contains(":") && !bindHost.startsWith("[") ? "[" + bindHost + "]" : bindHost;
        allowedHosts = Stream.of(h + ":" + port, "127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port)
                .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()); // the bind host may be one of them
    }

    boolean hostAllowed(String host) {
        return host != null && allowedHosts.contains(host.trim().toLowerCase(Locale.ROOT));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req) || !req.decoderResult().isSuccess()) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        if (!path.equals("/") && !path.startsWith("/console/") && !path.startsWith("/webjars/")) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            serve(ctx, req, path);
        } finally {
            ReferenceCountUtil.release(req);
        }
    }

    private void serve(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        if (!hostAllowed(req.headers().get(HttpHeaderNames.HOST))) {
            send(ctx, req, plain(HttpResponseStatus.MISDIRECTED_REQUEST,
                    "421: Host must be the admin address as bound, 127.0.0.1, localhost or [::1] with its port\n"));
            return;
        }
        Asset a = assets.get(path);
        if (a == null) {
            send(ctx, req, plain(HttpResponseStatus.NOT_FOUND, "not found\n"));
            return;
        }
        boolean head = req.method().equals(HttpMethod.HEAD);
        if (!head && !req.method().equals(HttpMethod.GET)) {
            FullHttpResponse r = plain(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, req, r);
            return;
        }
        FullHttpResponse r = AdminHttp.response(HttpResponseStatus.OK, a.type(), head ? new byte[0] : a.body());
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, a.body().length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, a.cacheControl());
        send(ctx, req, r);
    }

    private static FullHttpResponse plain(HttpResponseStatus status, String text) {
        FullHttpResponse r = AdminHttp.response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
        AdminHttp.write(ctx, req, r);
    }

    /** On every answer of the admin port (JSON included: nosniff matters there, the CSP is harmless). */
    static void securityHeaders(HttpHeaders h) {
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
    }

    private static byte[] load(String resource) {
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("console asset missing from the jar: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
