package io.wsgate.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayMetricsTest {
    private final GatewayMetrics metrics = new GatewayMetrics();

    @Test
    void routeMetersAreResolvedOnceAndCount() {
        RouteMeters chat = metrics.route("/chat");
        assertThat(metrics.route("/chat")).isSameAs(chat);
        chat.opened();
        chat.opened();
        chat.closed();
        for (int i = 0; i < 5; i++) {
            chat.messageIn();
        }
        chat.messageOut();
        chat.rateLimited();
        chat.refused("send", "rate_limited");
        chat.refused("send", "rate_limited");
        chat.refused(null, "invalid");
        chat.upstreamConnectFailure();
        metrics.route("/other").messageIn();
        String text = metrics.scrape();
        assertThat(text)
                .contains("wsgate_connections_open{route=\"/chat\"} 1.0")
                .contains("wsgate_messages_total{direction=\"in\",route=\"/chat\"} 5.0")
                .contains("wsgate_messages_total{direction=\"out\",route=\"/chat\"} 1.0")
                .contains("wsgate_messages_total{direction=\"in\",route=\"/other\"} 1.0")
                .contains("wsgate_rate_limited_total{route=\"/chat\"} 1.0")
                .contains("wsgate_refusals_total{event=\"send\",reason=\"rate_limited\",route=\"/chat\"} 2.0")
                .contains("wsgate_refusals_total{event=\"\",reason=\"invalid\",route=\"/chat\"} 1.0")
                .contains("wsgate_upstream_connect_failures_total{route=\"/chat\"} 1.0");
    }

    @Test
    void handshakesByOutcomeWithLatencyHistogram() {
        metrics.handshake("/chat", 101, 2_000_000);
        metrics.handshake("/chat", 101, 3_000_000);
        metrics.handshake("/chat", 401, 500_000);
        metrics.handshake(null, 404, 100_000);
        String text = metrics.scrape();
        assertThat(text)
                .contains("wsgate_handshakes_total{outcome=\"accepted\",route=\"/chat\",status=\"101\"} 2.0")
                .contains("wsgate_handshakes_total{outcome=\"refused\",route=\"/chat\",status=\"401\"} 1.0")
                .contains("wsgate_handshakes_total{outcome=\"refused\",route=\"none\",status=\"404\"} 1.0")
                .contains("wsgate_handshake_latency_seconds_count{route=\"/chat\"} 3")
                .contains("wsgate_handshake_latency_seconds_count{route=\"none\"} 1")
                .contains("wsgate_handshake_latency_seconds_bucket{route=\"/chat\",le=\"+Inf\"} 3");
    }

    @Test
    void clientChosenEventNamesCannotExplodeCardinality() {
        RouteMeters r = metrics.route("/chat");
        for (int i = 0; i < RouteMeters.MAX_EVENT_TAGS + 500; i++) {
            r.refused("ev" + i, "unknown_event");
        }
        String text = metrics.scrape();
        long series = text.lines().filter(l -> l.startsWith("wsgate_refusals_total{")).count();
        assertThat(series).isEqualTo(RouteMeters.MAX_EVENT_TAGS + 1);
        assertThat(text).contains("wsgate_refusals_total{event=\"_other\",reason=\"unknown_event\",route=\"/chat\"} 500.0");
    }

    @Test
    void reloadCountersAndVersion() {
        metrics.policyVersion(1);
        metrics.reloaded(2);
        metrics.reloadFailed();
        assertThat(metrics.scrape()).contains("wsgate_policy_version 2.0")
                .contains("wsgate_reloads_total{outcome=\"success\"} 1.0")
                .contains("wsgate_reloads_total{outcome=\"failure\"} 1.0");
    }
}
