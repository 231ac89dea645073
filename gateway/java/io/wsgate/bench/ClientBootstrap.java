package io.wsgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

import java.net.URI;
import java.util.List;
import java.util.function.Supplier;

/** The client pipeline shared by the load and idle modes: plain ws:// only. */
final class ClientBootstrap {
    private ClientBootstrap() {}

    static URI parse(String url) {
        URI uri = URI.create(url);
        if (!"ws".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("only ws:// URLs are supported: " + url);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("URL without a host: " + url);
        }
        return uri;
    }

    static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : 80;
    }

    /** "Name: value" lines into headers; a line without a colon is refused. */
    static HttpHeaders headers(List<String> lines) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("header must be 'Name: value': " + line);
            }
            h.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        return h;
    }

    static Bootstrap create(EventLoopGroup group, URI uri, HttpHeaders headers, int maxFrameBytes,
                            Supplier<BenchHandler> handler) {
        var config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(headers)
                .maxFramePayloadLength(maxFrameBytes)
                .withUTF8Validator(false)
                .generateOriginHeader(false)
                .handshakeTimeoutMillis(10_000)
                .build();
        return new Bootstrap()
                .group(group)
                .channel(Transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(16384),
                                new WebSocketClientProtocolHandler(config),
                                new WebSocketFrameAggregator(maxFrameBytes), handler.get());
                    }
                });
    }
}
