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
    private final RevocationStore revocations;
    private final Limits limits;
    private final AuditLog audit;
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
        this.refusals = new RefusalTally(audit);
        this.guard = new HandshakeGuard(registry, revocations, (route, ip) -> {
            if (limits.refusingForStoreDown()) {
                return -1;
            }
            return limits.tryConnect(route, ip);
        });
        this.reloads = new ReloadManager(dir, loader, holder, metrics);
        metrics.policyVersion(policy.version());
    }

    /** Loads DIR (throwing every problem), binds the listener and the admin port, and starts reload watching. */
    public static Gateway start(Path dir, Function<String, String> env) throws Exception {
        PolicyLoader loader = new PolicyLoader(env);
        Policy policy = loader.load(dir, 1);
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
        proxy = new ProxyServer(holder, guard::check, this::inspector, registry)
                .audit(refusals)
                .metrics(new MetricsBridge(metrics))
                .start();
        reloads.addStage(this::prepareListen);
        GatewayConfig gw = holder.get().gateway();
        ConsoleSources sources = new ConsoleSources(holder, refusals,
                audit instanceof JsonAuditLog j ? j.recent() : null,
                gw.state() != null && gw.state().store() == GatewayConfig.Store.REDIS ? "redis" : "memory", () -> !limits.storeDown());
        admin = new AdminServer(gw.admin(), env, metrics, reloads, revocations, registry, sources);
        adminPort = admin.start();
        if (gw.reload().watch()) {
            reloads.startWatching();
        }
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
        };
    }

    /** SIGHUP reloads; SIGTERM/SIGINT (the JVM's shutdown hook) drains and stops. Blocks until then. */
    public void serveUntilSignal(Duration drain) throws InterruptedException {
        reloads.installSighup();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shutdown(drain);
            done.countDown();
        }, "wsgate-shutdown"));
        done.await();
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
        closeQuietly(reloads);
        closeQuietly(limits);
        closeQuietly(audit instanceof AutoCloseable c ? c : null);
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
