package io.wsgate.server;

import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Session;
import io.wsgate.proxy.ProxyMetrics;

/** Feeds the proxy's events into the Prometheus meters; route meters are resolved once per route and cached. */
final class MetricsBridge implements ProxyMetrics {
    private final GatewayMetrics metrics;

    MetricsBridge(GatewayMetrics metrics) {
        this.metrics = metrics;
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
