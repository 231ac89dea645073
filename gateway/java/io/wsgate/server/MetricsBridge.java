package io.wsgate.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.wsgate.auth.HandshakeGuard;
import io.wsgate.limits.AuthFailureMeter;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Session;
import io.wsgate.proxy.ProxyMetrics;

/** Feeds the proxy's events into the Prometheus meters; route meters are resolved once per route and cached. */
final class MetricsBridge implements ProxyMetrics {
    private final GatewayMetrics metrics;

    MetricsBridge(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** Token verification counters, read at scrape time (the gateway holds both objects for its lifetime). */
    /** 1 while the state store answers (always 1 for {@code memory}), 0 while a Redis store is down. */
    static void registerStore(GatewayMetrics metrics, String store, java.util.function.BooleanSupplier up) {
        io.micrometer.core.instrument.Gauge.builder("wsgate.state.store.up", () -> up.getAsBoolean() ? 1 : 0)
                .description("1 while the state store (limits, revocations) answers, 0 while it is down")
                .tag("store", store).register(metrics.registry());
    }

    static void registerAuth(GatewayMetrics metrics, HandshakeGuard guard, AuthFailureMeter failures) {
        FunctionCounter.builder("wsgate.token.verifications", guard, HandshakeGuard::verifications)
                .description("token signature verifications attempted (handshake, CONNECT, refresh, first message)")
                .register(metrics.registry());
        FunctionCounter.builder("wsgate.token.verification.failures", failures, AuthFailureMeter::failures)
                .description("token verifications that failed (bad, expired or revoked token)")
                .register(metrics.registry());
        FunctionCounter.builder("wsgate.auth.budget.refusals", failures, AuthFailureMeter::refusals)
                .description("tokens refused unverified: the client IP spent connections.auth_failures_per_ip")
                .register(metrics.registry());
    }

    @Override
    public void handshakeRefused(String route, int status, String error, long nanos) {
        metrics.handshake(route, status, nanos);
    }

    @Override
    public void handshakeAccepted(Session session, long nanos) {
        metrics.handshake(session.routePath(), 101, nanos);
    }

    @Override
    public void connectionOpened(Session session) {
        metrics.route(session.routePath()).opened();
    }

    @Override
    public void connectionClosed(Session session, int clientCloseCode) {
        metrics.route(session.routePath()).closed();
    }

    @Override
    public void messageIn(Session session, int bytes) {
        metrics.route(session.routePath()).messageIn();
    }

    @Override
    public void messageOut(Session session, int bytes) {
        metrics.route(session.routePath()).messageOut();
    }

    @Override
    public void messageRefused(Session session, String refusal, String event) {
        var meters = metrics.route(session.routePath());
        meters.refused(event == null ? "" : event, refusal);
        if ("rate_limited".equals(refusal)) {
            meters.rateLimited();
        }
    }

    @Override
    public void upstreamConnectFailed(String route, String target) {
        metrics.route(route).upstreamConnectFailure();
    }
}
