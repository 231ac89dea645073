package io.wsgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's meters on one Prometheus registry. Message-path meters live in {@link RouteMeters}, resolved once
 * per route, so counting a message is one {@code Counter.increment()} with no tag lookup.
 */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry;
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private final Map<String, Counter> handshakes = new ConcurrentHashMap<>();
    private final Map<String, Timer> handshakeLatency = new ConcurrentHashMap<>();
    private final Counter reloadOk;
    private final Counter reloadFailed;
    private final AtomicLong policyVersion = new AtomicLong();

    public GatewayMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public GatewayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.reloadOk = reloads("success");
        this.reloadFailed = reloads("failure");
        Gauge.builder("wsgate.policy.version", policyVersion, AtomicLong::get)
                .description("version of the policy snapshot being served").register(registry);
        BuildInfo build = BuildInfo.current();
        Gauge.builder("wsgate.build.info", () -> 1)
                .description("always 1; the labels say which build is running")
                .tag("version", build.version()).tag("java", Runtime.version().toString())
                .register(registry);
    }

    private Counter reloads(String outcome) {
        return Counter.builder("wsgate.reloads").tag("outcome", outcome)
                .description("policy reloads by outcome (a failed reload keeps the old policy)").register(registry);
    }

    /**
     * JVM and process meters (memory, GC, threads, classes, CPU, open file descriptors, uptime) on this registry;
     * close the result to detach the GC listener.
     */
    public AutoCloseable bindJvm() {
        // names promtool's linter refuses (an abbreviated unit, a "_count" gauge); process/system CPU usage stay
        registry.config().meterFilter(MeterFilter.deny(id ->
                id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    /** The route's pre-resolved meters; call once per connection (or keep per route) and reuse. */
    public RouteMeters route(String routePath) {
        RouteMeters m = routes.get(routePath);
        return m != null ? m : routes.computeIfAbsent(routePath, p -> new RouteMeters(registry, p));
    }

    /**
     * One handshake answered: {@code status} 101 for accepted. {@code route} null when no route matched.
     * {@code nanos}: time from the upgrade request to the answer.
     */
    public void handshake(String route, int status, long nanos) {
        String r = route == null ? "none" : route;
        String key = r + ' ' + status;
        Counter c = handshakes.get(key);
        if (c == null) {
            c = handshakes.computeIfAbsent(key, k -> Counter.builder("wsgate.handshakes")
                    .description("upgrade requests answered, by route, outcome and HTTP status")
                    .tag("route", r)
                    .tag("outcome", status == 101 ? "accepted" : "refused")
                    .tag("status", Integer.toString(status))
                    .register(registry));
        }
        c.increment();
        Timer t = handshakeLatency.get(r);
        if (t == null) {
            t = handshakeLatency.computeIfAbsent(r, k -> Timer.builder("wsgate.handshake.latency")
                    .description("from upgrade request to the answer (101 or refusal), by route")
                    .tag("route", k)
                    .publishPercentileHistogram()
                    .register(registry));
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void reloaded(long version) {
        reloadOk.increment();
        policyVersion.set(version);
    }

    public void reloadFailed() {
        reloadFailed.increment();
    }

    /** The version of the snapshot served at startup (reloads set it through {@link #reloaded}). */
    public void policyVersion(long version) {
        policyVersion.set(version);
    }
}
