package io.wsgate.server;

import io.wsgate.admin.AdminServer;
import io.wsgate.admin.ConsoleSources;
import io.wsgate.audit.AuditLog;
import io.wsgate.audit.JsonAuditLog;
import io.wsgate.audit.RefusalTally;
import io.wsgate.auth.HandshakeGuard;
import io.wsgate.auth.LateAuthResult;
import io.wsgate.config.ConfigProblem;
import io.wsgate.config.GatewayConfig;
import io.wsgate.config.PolicyException;
import io.wsgate.config.PolicyLoader;
import io.wsgate.inspect.ConnectionInspector;
import io.wsgate.inspect.TokenCheck;
import io.wsgate.limits.AuthFailureMeter;
import io.wsgate.limits.Limits;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.proxy.ProxyServer;
import io.wsgate.reload.ReloadManager;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.RevocationStore;
import io.wsgate.state.RevocationStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * One running gateway: every stage wired around the proxy, the admin server and the reload machinery.
 * {@code wsgate run}, {@code wsgate demo} and the end-to-end tests all start it through here.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final PolicyHolder holder;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final AutoCloseable jvmMetrics = metrics.bindJvm();
    private final RevocationStore revocations;
    private final Limits limits;
    private final Drain drain = new Drain();
    private final AuthFailureMeter authFailures;
    private final AuditLog audit;
    private final io.wsgate.audit.AccessLog accessLog;
    private final RefusalTally refusals;
    private final HandshakeGuard guard;
    private final ReloadManager reloads;
    private final Path dir;
    private ProxyServer proxy;
    private AdminServer admin;
    private int adminPort = -1;

    private Gateway(Path dir, PolicyLoader loader, Policy policy, Function<String, String> env) {
        GatewayConfig gw = policy.gateway();
        this.dir = dir;
        this.holder = new PolicyHolder(policy);
        this.revocations = RevocationStores.create(gw.state(), registry);
        this.limits = new Limits(gw.state());
        this.audit = JsonAuditLog.create(gw.audit());
        this.accessLog = io.wsgate.audit.JsonAccessLog.create(gw.accessLog());
        // read from the snapshot in force at each use, so a reload's limits apply at once (always process-local)
        this.authFailures = new AuthFailureMeter(() -> {
            GatewayConfig g = holder.get().gateway();
            return g == null || g.connections() == null ? null : g.connections().authFailuresPerIp();
        });
        this.refusals = new RefusalTally(audit);
        this.guard = new HandshakeGuard(registry, revocations, (route, ip) -> {
            if (limits.refusingForStoreDown()) {
                return -1;
            }
            return limits.tryConnect(route, ip);
        }, authFailures);
        MetricsBridge.registerAuth(metrics, guard, authFailures);
        MetricsBridge.registerStore(metrics, storeName(gw), this::storeUp);
        this.reloads = new ReloadManager(dir, loader, holder, metrics);
        metrics.policyVersion(policy.version());
    }

    /** Loads DIR (throwing every problem), binds the listener and the admin port, and starts reload watching. */
    public static Gateway start(Path dir, Function<String, String> env) throws Exception {
        PolicyLoader loader = new PolicyLoader(env);
        Policy policy = loader.load(dir, 1);
        LogSetup.apply(policy.gateway().logging(), env);
        for (ConfigProblem w : loader.warnings()) {
            log.warn("{}", w);
        }
        Gateway g = new Gateway(dir, loader, policy, env);
        try {
            g.bind(env);
        } catch (Exception e) {
            g.close();
            throw e;
        }
        return g;
    }

    /** As {@link #start} but prints the problems and returns null when the policy cannot be served. */
    public static Gateway startOrReport(Path dir, Function<String, String> env) throws Exception {
        try {
            return start(dir, env);
        } catch (PolicyException e) {
            for (ConfigProblem p : e.problems()) {
                System.err.println(p);
            }
            return null;
        }
    }

    private void bind(Function<String, String> env) throws Exception {
        GatewayConfig.Listen listen = holder.get().gateway().listen();
        try {
            proxy = new ProxyServer(holder, guard::check, this::inspector, registry)
                    .audit(refusals)
                    .accessLog(accessLog)
                    .metrics(new MetricsBridge(metrics))
                    .start();
        } catch (java.net.BindException e) {
            throw namedBind("listen", listen.host(), listen.port(), e);
        }
        reloads.addStage(this::prepareListen);
        reloads.addStage((current, next) -> new ReloadManager.Change() {
            @Override
            public void commit() {
                LogSetup.apply(next.gateway().logging(), env);
            }

            @Override
            public void abort() {
            }
        });
        GatewayConfig gw = holder.get().gateway();
        ConsoleSources sources = new ConsoleSources(holder, refusals,
                audit instanceof JsonAuditLog j ? j.recent() : null, storeName(gw), this::storeUp);
        admin = new AdminServer(gw.admin(), env, metrics, reloads, revocations, registry, sources)
                .audit(audit)
                .lifecycle(new io.wsgate.admin.Lifecycle() {
                    @Override
                    public String notReady() {
                        return Gateway.this.notReady();
                    }

                    @Override
                    public int drain() {
                        return Gateway.this.drain();
                    }
                });
        try {
            adminPort = admin.start();
        } catch (java.net.BindException e) {
            throw namedBind("admin", gw.admin().host(), gw.admin().port(), e);
        }
        if (gw.reload().watch()) {
            reloads.startWatching();
        }
    }

    private static String storeName(GatewayConfig gw) {
        return gw.state() != null && gw.state().store() == GatewayConfig.Store.REDIS ? "redis" : "memory";
    }

    /** One answer for the metric and the console: the shared store answers for both limits and revocations. */
    private boolean storeUp() {
        return !limits.storeDown() && revocations.healthy();
    }

    /** "listen 0.0.0.0:8080: Address already in use": which of the two ports could not be bound. */
    private static java.net.BindException namedBind(String which, String host, int port, java.net.BindException e) {
        java.net.BindException named = new java.net.BindException(which + " " + host + ":" + port + ": " + e.getMessage());
        named.initCause(e);
        return named;
    }

    /** Reload stage: a new listen address is bound (and a new TLS context built) before the policy is swapped. */
    private ReloadManager.Change prepareListen(Policy current, Policy next) throws PolicyException {
        ProxyServer.ListenChange change;
        try {
            change = proxy.prepareListen(next.gateway().listen());
        } catch (java.io.IOException e) {
            Path file = dir.resolve(PolicyLoader.GATEWAY_FILE);
            String key = e instanceof java.net.BindException ? "listen.port" : "listen.tls";
            throw new PolicyException(java.util.List.of(
                    new ConfigProblem(PolicyLoader.GATEWAY_FILE, lineOf(file, "listen"), key, e.getMessage())));
        }
        return new ReloadManager.Change() {
            @Override
            public void commit() {
                change.commit();
            }

            @Override
            public void abort() {
                change.abort();
            }
        };
    }

    /** 1-based line of a top-level key in {@code file}, 0 when it cannot be found. */
    private static int lineOf(Path file, String key) {
        try {
            java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(key + ":")) {
                    return i + 1;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // unknown line
        }
        return 0;
    }

    private ConnectionInspector inspector(Session session, PolicyHolder policies, RoutePolicy route,
                                          HandshakeDecision decision) {
        // The proxy audits every refused verdict itself, so the inspector gets no audit log of its own.
        return new ConnectionInspector(session, policies, route, limits.forSession(session), AuditLog.OFF,
                tokens(session, route), decision.pendingAuth(), System::currentTimeMillis);
    }

    private TokenCheck tokens(Session session, RoutePolicy route) {
        return new TokenCheck() {
            @Override
            public Result check(String token) {
                return map(guard.authenticateLate(route, session, token));
            }

            @Override
            public Result refresh(String token) {
                return map(guard.refresh(route, session, token));
            }
        };
    }

    private static TokenCheck.Result map(LateAuthResult r) {
        return switch (r.outcome()) {
            case OK -> TokenCheck.Result.ok(r.identity());
            case MISSING -> TokenCheck.Result.fail(TokenCheck.Failure.MISSING);
            case INVALID, SUBJECT_CHANGED -> TokenCheck.Result.fail(TokenCheck.Failure.INVALID);
            case REVOKED -> TokenCheck.Result.fail(TokenCheck.Failure.REVOKED);
            case FORBIDDEN -> TokenCheck.Result.fail(TokenCheck.Failure.FORBIDDEN_ROLE);
            case TOO_MANY_SESSIONS -> TokenCheck.Result.fail(TokenCheck.Failure.TOO_MANY_SESSIONS);
            case OVER_BUDGET -> TokenCheck.Result.fail(TokenCheck.Failure.OVER_BUDGET);
        };
    }

    /**
     * SIGHUP reloads; SIGTERM/SIGINT (the JVM's shutdown hook) drains as {@code shutdown} says and exits when every
     * socket closed or {@code drain_timeout} after the delay ended. Blocks until then.
     */
    public void serveUntilSignal() throws InterruptedException {
        reloads.installSighup();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            drain();
            drain.awaitDone();
            close();
            done.countDown();
        }, "wsgate-shutdown"));
        done.await();
    }

    /**
     * SIGTERM and {@code POST /admin/drain}: {@code /readyz} answers 503 at once, upgrades are still served for
     * {@code drain_delay} (the load balancer's probe interval), then the listener closes and every socket gets 1001.
     * Final; a second call only reports. Returns the sockets open now.
     */
    public int drain() {
        drain.start(holder.get().gateway().shutdown(), timeout -> {
            if (proxy != null) {
                proxy.shutdown(timeout);
            }
        });
        return registry.total();
    }

    /** Null when ready for traffic, else why not (the {@code /readyz} 503 body). */
    public String notReady() {
        if (drain.started()) {
            return "draining";
        }
        if (!revocations.healthy() || limits.refusingForStoreDown()) {
            return "state store down (fail_closed)";
        }
        for (io.wsgate.policy.RoutePolicy r : holder.get().routes()) {
            if (r.auth() != null && !r.auth().keysLoaded()) {
                return "jwks_url of route " + r.path() + " never loaded";
            }
        }
        return null;
    }

    public int port() {
        return proxy.port();
    }

    public int adminPort() {
        return adminPort;
    }

    public PolicyHolder policies() {
        return holder;
    }

    public ConnectionRegistry registry() {
        return registry;
    }

    public RevocationStore revocations() {
        return revocations;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** Token verifications attempted so far (every source: handshake, CONNECT, refresh, first message). */
    public long tokenVerifications() {
        return guard.verifications();
    }

    public AuthFailureMeter authFailures() {
        return authFailures;
    }

    public ReloadManager reloads() {
        return reloads;
    }

    /** Stops accepting, sends 1001 to every client, waits up to {@code drain}, then releases everything. */
    public void shutdown(Duration drain) {
        if (proxy != null) {
            proxy.shutdown(drain);
        }
        close();
    }

    @Override
    public void close() {
        if (proxy != null) {
            proxy.shutdown(Duration.ZERO);
        }
        closeQuietly(admin);
        closeQuietly(jvmMetrics);
        closeQuietly(reloads);
        closeQuietly(limits);
        closeQuietly(audit instanceof AutoCloseable c ? c : null);
        closeQuietly(accessLog instanceof AutoCloseable c ? c : null);
        closeQuietly(revocations instanceof AutoCloseable c ? c : null);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.debug("close failed", e);
        }
    }
}
