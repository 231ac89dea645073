package io.wsgate.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.wsgate.config.GatewayConfig;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.reload.ReloadManager;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.RevocationStore;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The admin HTTP server: {@code /healthz}, {@code /metrics}, the token-protected {@code /admin/*} API, and with
 * {@code admin.console: true} the web console on {@code GET /}.
 * Its own one-thread NIO event loop (epoll classes are runtime-only in the pom, and admin traffic is tiny); reloads and revocations run on a separate worker
 * thread so file reads and socket sweeps never stall the loop.
 */
public final class AdminServer implements AutoCloseable {
    /** Request bodies beyond this answer 413. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private final GatewayConfig.Admin config;
    private final AdminApi api;
    private final ConsoleAssets console;
    private final EventLoopGroup group;
    private final ExecutorService worker;
    private Channel channel;

    /** {@code env} looks up {@code admin.token_env} ({@code System::getenv} in production). */
    public AdminServer(GatewayConfig.Admin config, Function<String, String> env, GatewayMetrics metrics,
                       ReloadManager reloads, RevocationStore revocations, ConnectionRegistry connections) {
        this(config, env, metrics, reloads, revocations, connections, null);
    }

    /** As above, with what {@code /admin/stats} and {@code /admin/audit} read (null: those answer with less). */
    public AdminServer(GatewayConfig.Admin config, Function<String, String> env, GatewayMetrics metrics,
                       ReloadManager reloads, RevocationStore revocations, ConnectionRegistry connections,
                       ConsoleSources sources) {
        this.config = config;
        String token = usableToken(config.tokenEnv(), config.tokenEnv() == null ? null : env.apply(config.tokenEnv()));
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wsgate-admin-worker");
            t.setDaemon(true);
            return t;
        });
        this.api = new AdminApi(token, metrics, reloads, revocations, connections, worker,
                new StatsApi(metrics, reloads, connections, sources));
        this.console = config.console() ? new ConsoleAssets(config.host()) : null;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    /** Shortest admin token accepted: a guessable token would guard revoke, reload and drain. */
    public static final int MIN_TOKEN_BYTES = 32;

    /** The token, or null (/admin/* off) when unset or shorter than {@link #MIN_TOKEN_BYTES}, said at ERROR. */
    static String usableToken(String envName, String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        int bytes = token.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes < MIN_TOKEN_BYTES) {
            org.slf4j.LoggerFactory.getLogger(AdminServer.class).error(
                    "admin: {} holds {} bytes; at least {} are needed, so /admin/* stays off "
                            + "(e.g. export {}=$(openssl rand -hex 32))", envName, bytes, MIN_TOKEN_BYTES, envName);
            return null;
        }
        return token;
    }

    /** Where admin actions and failed admin logins are written ({@code kind: admin} audit lines). */
    public AdminServer audit(io.wsgate.audit.AuditLog audit) {
        api.audit(audit);
        return this;
    }

    /** Readiness and drain of the gateway behind this admin port. */
    public AdminServer lifecycle(Lifecycle lifecycle) {
        api.lifecycle(lifecycle);
        return this;
    }

    /** Binds {@code admin.host:admin.port} (port 0: any free port); returns the bound port. */
    // sync() rethrows the bind failure unchecked; declared so callers can name the port that failed
    public int start() throws InterruptedException, java.net.BindException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192),
                                new HttpServerKeepAliveHandler(),
                                new HttpObjectAggregator(MAX_BODY_BYTES));
                        if (console != null) {
                            ch.pipeline().addLast(console);
                        }
                        ch.pipeline().addLast(api);
                    }
                });
        channel = b.bind(config.host(), config.port()).sync().channel();
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        if (console != null) {
            console.boundPort(port);
        }
        return port;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        worker.shutdownNow();
    }
}
