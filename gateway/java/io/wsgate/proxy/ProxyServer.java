package io.wsgate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wsgate.audit.AuditLog;
import io.wsgate.config.GatewayConfig;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.Session;
import io.wsgate.state.ConnectionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WebSocket reverse proxy: accepts clients on {@code listen}, lets the {@link Guard} decide each upgrade,
 * opens the upstream leg on the client's event loop and relays frames with backpressure.
 *
 * <p>Per-connection memory bound (see {@link Relay}): each direction holds at most
 * {@link #HIGH_WATER} + one socket read ({@link #MAX_READ} bytes) + one message in flight in its outbound
 * buffer, plus one partial message in the decoder/aggregator on the reading side.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    /** Outbound buffer above this: stop reading the other side. */
    public static final int HIGH_WATER = 64 * 1024;
    public static final int LOW_WATER = 32 * 1024;
    /** Largest single socket read ({@link ReadAllocator} maximum). */
    public static final int MAX_READ = ReadAllocator.MAX;
    static final int MAX_REQUEST_LINE = 16 * 1024;
    static final int MAX_HEADERS = 32 * 1024;
    /** An upgrade request has no body; anything larger is refused by the aggregator (413). */
    static final int MAX_REQUEST_BODY = 4096;
    /** A peer that does not answer our close frame within this is cut. */
    static final long FORCE_CLOSE_MILLIS = 3000;

    private final PolicyHolder policies;
    private final Guard guard;
    private final InspectorFactory inspectors;
    private final ConnectionRegistry registry;
    private AuditLog audit = AuditLog.OFF;
    private io.wsgate.audit.AccessLog accessLog = io.wsgate.audit.AccessLog.OFF;
    private ProxyMetrics metrics = ProxyMetrics.NONE;
    /** Event-loop threads; the system property (tests only) puts every connection on one loop. */
    private int threads = Integer.getInteger("wsgate.eventLoopThreads", Runtime.getRuntime().availableProcessors());

    private final AtomicLong ids = new AtomicLong();
    private final Balancer balancer = new Balancer();
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    private final Map<Optional<Path>, SslContext> upstreamTls = new ConcurrentHashMap<>();
    private final ChannelGroup clients = new DefaultChannelGroup("wsgate-clients", GlobalEventExecutor.INSTANCE);
    private final UpstreamConnector connector = new UpstreamConnector(this);
    private volatile boolean shuttingDown;
    private EventLoopGroup group;
    private ServerBootstrap bootstrap;
    private volatile Listener listener;

    public ProxyServer(PolicyHolder policies, Guard guard, InspectorFactory inspectors, ConnectionRegistry registry) {
        this.policies = policies;
        this.guard = guard;
        this.inspectors = inspectors;
        this.registry = registry;
    }

    public ProxyServer audit(AuditLog audit) {
        this.audit = audit;
        return this;
    }

    public ProxyServer metrics(ProxyMetrics metrics) {
        this.metrics = metrics;
        return this;
    }

    public ProxyServer threads(int threads) {
        this.threads = threads;
        return this;
    }

    /** Binds {@code listen} of the current policy (port 0: an ephemeral port, see {@link #port()}). */
    public ProxyServer start() throws SSLException, BindException {
        group = Transport.newGroup(threads);
        bootstrap = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, readAllocator())
                .childOption(ChannelOption.ALLOCATOR, BUFFERS)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // the listener settings current when the connection is accepted (reload: new connections)
                        Listener l = listener;
                        ChannelPipeline p = ch.pipeline();
                        if (l.proxyProtocol) {
                            p.addLast("haproxy", new HAProxyMessageDecoder());
                            p.addLast("haproxy-source", new ProxyProtocolHandler(l.trusted));
                        }
                        if (l.tls != null) {
                            p.addLast("tls", l.tls.newHandler(ch.alloc()));
                        }
                        p.addLast("http", new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, 8192));
                        p.addLast("http-agg", new HttpObjectAggregator(MAX_REQUEST_BODY));
                        p.addLast("handshake", new HandshakeHandler(ProxyServer.this, l.tls != null));
                    }
                });
        try {
            prepareListen(policies.get().gateway().listen()).commit();
        } catch (SSLException | BindException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        return this;
    }

    /**
     * Readies {@code next} for new connections without touching the running listener: builds its TLS context
     * (re-read from the files every time, so a certificate rotated in place is picked up) and binds a new
     * server socket when host or port changed. Throws when either fails; the current listener keeps serving.
     * {@link ListenChange#commit()} then switches new connections over and closes only the old listening
     * socket (accepted connections stay); {@link ListenChange#abort()} releases what was bound.
     */
    public ListenChange prepareListen(GatewayConfig.Listen next) throws SSLException, BindException {
        SslContext tls = next.tls() == null ? null : listenerTls(next.tls());
        Listener old = listener;
        Channel channel;
        if (old != null && old.host.equals(next.host()) && old.configuredPort == next.port()) {
            channel = old.channel;
        } else {
            ChannelFuture f = bootstrap.bind(next.host(), next.port()).awaitUninterruptibly();
            if (!f.isSuccess()) {
                BindException e = new BindException("cannot bind " + next.host() + ":" + next.port() + ": "
                        + f.cause().getMessage());
                e.initCause(f.cause());
                throw e;
            }
            channel = f.channel();
        }
        return new ListenChange(this, new Listener(channel, next.host(), next.port(), tls, next.tls(), next.proxyProtocol(),
                Cidrs.parse(next.trustedProxies())), old);
    }

    /**
     * The listener's TLS context from {@code listen.tls}: protocols from {@code min_version}, the cipher suites
     * when given (else the JDK's defaults), and client certificates verified against {@code client_ca_file}.
     */
    static SslContext listenerTls(GatewayConfig.Tls t) throws SSLException {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(t.certFile().toFile(), t.keyFile().toFile())
                    .protocols(t.protocols());
            if (!t.ciphers().isEmpty()) {
                b.ciphers(t.ciphers());
            }
            if (t.clientAuth() != GatewayConfig.ClientAuth.NONE) {
                b.trustManager(t.clientCaFile().toFile())
                        .clientAuth(t.clientAuth() == GatewayConfig.ClientAuth.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            // unreadable or malformed PEM (certificate, key or client CA)
            throw new SSLException(e.getMessage(), e);
        }
    }

    /** A prepared listener change; exactly one of {@link #commit()} or {@link #abort()} is called. */
    public static final class ListenChange {
        private final ProxyServer server;
        private final Listener next;
        private final Listener old;

        private ListenChange(ProxyServer server, Listener next, Listener old) {
            this.server = server;
            this.next = next;
            this.old = old;
        }

        public void commit() {
            server.listener = next;
            if (old != null && old.channel != next.channel) {
                old.channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            if (old == null || old.channel != next.channel || !java.util.Objects.equals(old.tlsConfig, next.tlsConfig)) {
                log.info("wsgate listening on {}:{} ({}{}{})", next.host, server.port(),
                        Transport.EPOLL ? "epoll" : "nio", describe(next.tlsConfig),
                        next.proxyProtocol ? ", proxy protocol" : "");
            }
        }

        public void abort() {
            if (old == null || old.channel != next.channel) {
                next.channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
    }

    /** ", tls TLSv1.2+, client certificates required" or "" without TLS. */
    private static String describe(GatewayConfig.Tls t) {
        if (t == null) {
            return "";
        }
        return ", tls " + t.minVersion() + (GatewayConfig.Tls.TLS13.equals(t.minVersion()) ? "" : "+")
                + (t.ciphers().isEmpty() ? "" : ", " + t.ciphers().size() + " cipher suites")
                + switch (t.clientAuth()) {
                    case NONE -> "";
                    case OPTIONAL -> ", client certificates optional";
                    case REQUIRE -> ", client certificates required";
                };
    }

    /** What a new connection is set up with; swapped whole on reload. */
    private record Listener(Channel channel, String host, int configuredPort, SslContext tls, GatewayConfig.Tls tlsConfig,
                            boolean proxyProtocol, Cidrs trusted) {}

    public int port() {
        return ((InetSocketAddress) listener.channel.localAddress()).getPort();
    }

    /**
     * Stops accepting, sends 1001 to every open socket, waits up to {@code drain} for them to close, then
     * stops the event loops.
     */
    public void shutdown(Duration drain) {
        if (group == null || shuttingDown) {
            return;
        }
        shuttingDown = true;
        if (listener != null) {
            listener.channel.close().awaitUninterruptibly();
        }
        for (Relay r : relays) {
            r.closeFromAnyThread(1001, "gateway shutting down");
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (!relays.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(2));
    }

    /**
     * Netty's pooled allocator rather than 4.2's default adaptive one: on the raw relay about 6% more messages/s
     * and a lower p50 (bench/results/2026-11-26T075504Z-ab-raw.md); idle connections hold no buffers either way.
     */
    static final ByteBufAllocator BUFFERS = PooledByteBufAllocator.DEFAULT;
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(LOW_WATER, HIGH_WATER);

    /** Reads of at most {@link #MAX_READ} bytes: part of the per-connection memory bound. */
    static RecvByteBufAllocator readAllocator() {
        return ReadAllocator.INSTANCE;
    }

    /** Open proxied connections (upgraded or connecting upstream). */
    public int openConnections() {
        return relays.size();
    }

    // ---- package-private collaborators for the handlers ----

    PolicyHolder policies() { return policies; }

    Guard guard() { return guard; }

    InspectorFactory inspectors() { return inspectors; }

    ConnectionRegistry registry() { return registry; }

    AuditLog audit() { return audit; }

    io.wsgate.audit.AccessLog accessLog() { return accessLog; }

    public ProxyServer accessLog(io.wsgate.audit.AccessLog accessLog) {
        this.accessLog = accessLog;
        return this;
    }

    ProxyMetrics metrics() { return metrics; }

    Balancer balancer() { return balancer; }

    UpstreamConnector connector() { return connector; }

    Cidrs trustedProxies() { return listener.trusted; }

    boolean shuttingDown() { return shuttingDown; }

    long nextId() { return ids.incrementAndGet(); }

    void trackClient(Channel ch) { clients.add(ch); }

    void opened(Relay r) { relays.add(r); }

    void closed(Relay r) { relays.remove(r); }

    /** Relays of this server, for tests that look at buffers. */
    Set<Relay> relays() { return relays; }

    SslContext upstreamTls(Path caFile) throws SSLException {
        Optional<Path> key = Optional.ofNullable(caFile);
        SslContext ctx = upstreamTls.get(key);
        if (ctx == null) {
            SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
            if (caFile != null) {
                b.trustManager(caFile.toFile());
            }
            ctx = b.build();
            upstreamTls.putIfAbsent(key, ctx);
        }
        return ctx;
    }

    static String describe(Session s) {
        return "#" + s.id() + " " + s.clientIp() + " " + s.routePath();
    }
}
