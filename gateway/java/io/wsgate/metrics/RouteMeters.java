package io.wsgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One route's message-path meters, resolved once. Refusal counters are cached per reason and event; event tags
 * are capped per route ({@link #MAX_EVENT_TAGS}), beyond which events count as {@code _other}, because event
 * names come from clients.
 */
public final class RouteMeters {
    static final int MAX_EVENT_TAGS = 200;
    static final String OTHER_EVENT = "_other";

    private final MeterRegistry registry;
    private final String route;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter messagesIn;
    private final Counter messagesOut;
    private final Counter rateLimitDrops;
    private final Counter upstreamConnectFailures;
    private final Map<String, Map<String, Counter>> refusals = new ConcurrentHashMap<>();
    private final AtomicInteger eventTags = new AtomicInteger();

    RouteMeters(MeterRegistry registry, String route) {
        this.registry = registry;
        this.route = route;
        Gauge.builder("wsgate.connections.open", open, AtomicInteger::get).tag("route", route)
                .description("proxied connections open now, by route").register(registry);
        messagesIn = messages("in");
        messagesOut = messages("out");
        rateLimitDrops = Counter.builder("wsgate.rate.limited").tag("route", route)
                .description("client messages refused by a rate limit").register(registry);
        upstreamConnectFailures = Counter.builder("wsgate.upstream.connect.failures").tag("route", route)
                .description("upstream connections that failed or timed out (each target tried counts)")
                .register(registry);
    }

    private Counter messages(String direction) {
        return Counter.builder("wsgate.messages").tag("route", route).tag("direction", direction)
                .description("messages relayed: in = client to upstream (forwarded), out = upstream to client")
                .register(registry);
    }

    public void opened() {
        open.incrementAndGet();
    }

    public void closed() {
        open.decrementAndGet();
    }

    public int open() {
        return open.get();
    }

    /** A client message received (refused ones included: forwarded = in - refusals). */
    public void messageIn() {
        messagesIn.increment();
    }

    /** An upstream message forwarded to the client. */
    public void messageOut() {
        messagesOut.increment();
    }

    /** A message refused by a rate limit (also call {@link #refused} with reason {@code rate_limited}). */
    public void rateLimited() {
        rateLimitDrops.increment();
    }

    public void upstreamConnectFailure() {
        upstreamConnectFailures.increment();
    }

    /** A refused message; {@code reason} is the notice code (rate_limited, forbidden, unknown_event, invalid...). */
    public void refused(String event, String reason) {
        Map<String, Counter> byEvent = refusals.get(reason);
        if (byEvent == null) {
            byEvent = refusals.computeIfAbsent(reason, r -> new ConcurrentHashMap<>());
        }
        String e = event == null ? "" : event;
        Counter c = byEvent.get(e);
        if (c == null) {
            if (eventTags.get() >= MAX_EVENT_TAGS) {
                e = OTHER_EVENT;
                c = byEvent.get(e);
            }
            if (c == null) {
                String tag = e;
                c = byEvent.computeIfAbsent(e, k -> {
                    eventTags.incrementAndGet();
                    return Counter.builder("wsgate.refusals").tag("route", route).tag("event", tag)
                            .tag("reason", reason)
                            .description("client messages refused, by route, event and reason").register(registry);
                });
            }
        }
        c.increment();
    }
}
