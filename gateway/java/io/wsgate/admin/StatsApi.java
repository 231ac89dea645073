package io.wsgate.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wsgate.audit.AuditRing;
import io.wsgate.audit.RefusalTally;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Policy;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.reload.ReloadManager;
import io.wsgate.state.ConnectionRegistry;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.wsgate.admin.AdminHttp.JSON;

/**
 * The console's data as admin endpoints (behind the admin token, on the admin event loop: each is a pass over
 * the open sessions or the meters): {@code GET /admin/stats}, {@code GET /admin/audit?since=N} and
 * {@code DELETE /admin/connections/{id}}. Counters are totals since start; the console derives rates from two polls.
 */
final class StatsApi {
    /** The close code and reason a connection closed from the admin API gets (1008: ended by server policy). */
    static final int CLOSE_CODE = 1008;
    static final String CLOSE_REASON = "closed by operator";
    static final int TOP = 10;
    static final int AUDIT_MAX = 200;
    private static final Pattern CLOSE_PATH = Pattern.compile("/admin/connections/(\\d{1,18})");

    private final GatewayMetrics metrics;
    private final ReloadManager reloads;
    private final ConnectionRegistry connections;
    private final ConsoleSources sources;
    private volatile io.wsgate.audit.AuditLog audit = io.wsgate.audit.AuditLog.OFF;

    StatsApi(GatewayMetrics metrics, ReloadManager reloads, ConnectionRegistry connections, ConsoleSources sources) {
        this.metrics = metrics;
        this.reloads = reloads;
        this.connections = connections;
        this.sources = sources;
    }

    /** Answers the request when {@code path} is one of this API's, else returns false. The token is already checked. */
    boolean handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, HttpMethod m) {
        if (path.equals("/admin/stats")) {
            if (m.equals(HttpMethod.GET)) {
                AdminHttp.json(ctx, req, HttpResponseStatus.OK, JSON.writeValueAsString(stats()));
            } else {
                AdminHttp.methodNotAllowed(ctx, req, "GET");
            }
            return true;
        }
        if (path.equals("/admin/audit")) {
            if (m.equals(HttpMethod.GET)) {
                audit(ctx, req);
            } else {
                AdminHttp.methodNotAllowed(ctx, req, "GET");
            }
            return true;
        }
        Matcher close = CLOSE_PATH.matcher(path);
        if (close.matches()) {
            if (m.equals(HttpMethod.DELETE)) {
                close(ctx, req, Long.parseLong(close.group(1)));
            } else {
                AdminHttp.methodNotAllowed(ctx, req, "DELETE");
            }
            return true;
        }
        if (path.startsWith("/admin/connections/")) {
            AdminHttp.error(ctx, req, HttpResponseStatus.NOT_FOUND, "expected /admin/connections/{id} with a numeric id");
            return true;
        }
        return false;
    }

    ObjectNode stats() {
        ObjectNode o = JSON.createObjectNode();
        long now = System.currentTimeMillis();
        o.put("time", Instant.ofEpochMilli(now).toString());
        o.put("time_ms", now); // the console's rates: counter deltas over time_ms deltas
        policy(o.putObject("policy"));
        ObjectNode store = o.putObject("store");
        store.put("kind", sources == null ? "memory" : sources.storeKind());
        store.put("up", sources == null || sources.storeUp().getAsBoolean());
        List<Session> open = List.copyOf(connections.all());
        ObjectNode conns = o.putObject("connections");
        conns.put("open", open.size());
        ArrayNode byRoute = conns.putArray("by_route");
        Map<String, long[]> perRoute = count(open, Session::routePath);
        Policy current = sources == null ? null : sources.policies().get();
        if (current != null) {
            current.routes().forEach(r -> perRoute.computeIfAbsent(r.path(), k -> new long[1])); // idle routes show 0
        }
        perRoute.forEach((route, n) -> {
            ObjectNode r = byRoute.addObject();
            r.put("route", route);
            r.put("transport", "websocket"); // the only transport this gateway serves
            r.put("open", n[0]);
        });
        MeterRegistry reg = metrics.registry();
        messages(o.putObject("messages"), reg);
        refusals(o.putObject("refusals"), reg);
        handshakes(o.putObject("handshakes"), reg);
        top(o.putObject("top"), open);
        return o;
    }

    private void policy(ObjectNode p) {
        Policy current = sources == null ? null : sources.policies().get();
        if (current != null) {
            p.put("version", current.version());
            ArrayNode routes = p.putArray("routes");
            current.routes().stream().map(RoutePolicy::path).sorted().forEach(routes::add);
        }
        ReloadManager.LastReload last = reloads == null ? null : reloads.lastReload();
        if (last == null) {
            p.putNull("last_reload");
            return;
        }
        ObjectNode l = p.putObject("last_reload");
        l.put("time", Instant.ofEpochMilli(last.epochMillis()).toString());
        l.put("ok", last.result().ok());
        if (last.result().ok()) {
            l.put("version", last.result().version());
        }
        ArrayNode errors = l.putArray("errors");
        last.result().errors().forEach(errors::add);
    }

    private static void messages(ObjectNode o, MeterRegistry reg) {
        Map<String, long[]> byRoute = new TreeMap<>();
        long in = 0;
        long out = 0;
        for (Counter c : reg.find("wsgate.messages").counters()) {
            long n = (long) c.count();
            boolean isIn = "in".equals(c.getId().getTag("direction"));
            byRoute.computeIfAbsent(c.getId().getTag("route"), k -> new long[2])[isIn ? 0 : 1] += n;
            if (isIn) {
                in += n;
            } else {
                out += n;
            }
        }
        o.put("in", in);
        o.put("out", out);
        ArrayNode list = o.putArray("by_route");
        byRoute.forEach((route, n) -> {
            ObjectNode r = list.addObject();
            r.put("route", route);
            r.put("in", n[0]);
            r.put("out", n[1]);
        });
    }

    private static void refusals(ObjectNode o, MeterRegistry reg) {
        Map<String, Long> byReason = new TreeMap<>();
        Map<String, Long> byRouteReason = new TreeMap<>();
        long total = 0;
        for (Counter c : reg.find("wsgate.refusals").counters()) {
            long n = (long) c.count();
            String reason = c.getId().getTag("reason");
            byReason.merge(reason, n, Long::sum);
            byRouteReason.merge(c.getId().getTag("route") + '\n' + reason, n, Long::sum);
            total += n;
        }
        o.put("total", total);
        ObjectNode reasons = o.putObject("by_reason");
        byReason.forEach(reasons::put);
        ArrayNode list = o.putArray("by_route");
        byRouteReason.forEach((key, n) -> {
            int nl = key.indexOf('\n');
            ObjectNode r = list.addObject();
            r.put("route", key.substring(0, nl));
            r.put("reason", key.substring(nl + 1));
            r.put("count", n);
        });
    }

    private static void handshakes(ObjectNode o, MeterRegistry reg) {
        Map<String, Long> byStatus = new TreeMap<>();
        long accepted = 0;
        long refused = 0;
        for (Counter c : reg.find("wsgate.handshakes").counters()) {
            long n = (long) c.count();
            if ("accepted".equals(c.getId().getTag("outcome"))) {
                accepted += n;
            } else {
                refused += n;
                byStatus.merge(c.getId().getTag("status"), n, Long::sum);
            }
        }
        o.put("accepted", accepted);
        o.put("refused", refused);
        ObjectNode s = o.putObject("refused_by_status");
        byStatus.forEach(s::put);
    }

    private void top(ObjectNode o, List<Session> open) {
        ArrayNode ipsRef = o.putArray("ips_by_refusals");
        ArrayNode usersRef = o.putArray("users_by_refusals");
        if (sources != null) {
            sources.refusals().topIps(TOP).forEach(c -> ipsRef.addObject().put("ip", c.key()).put("count", c.count()));
            sources.refusals().topUsers(TOP).forEach(c -> usersRef.addObject().put("user", c.key()).put("count", c.count()));
        }
        traffic(o.putArray("ips_by_traffic"), "ip", open, Session::clientIp);
        traffic(o.putArray("users_by_traffic"), "user", open, Session::user);
    }

    /** Messages in + out of the open connections, grouped by {@code key}, the busiest {@link #TOP}. */
    private static void traffic(ArrayNode list, String field, List<Session> open,
                                java.util.function.Function<Session, String> key) {
        Map<String, long[]> by = new TreeMap<>();
        for (Session s : open) {
            String k = key.apply(s);
            if (k != null) {
                long[] n = by.computeIfAbsent(k, x -> new long[2]);
                n[0] += s.messagesIn() + s.messagesOut();
                n[1]++;
            }
        }
        by.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0]).reversed())
                .limit(TOP)
                .forEach(e -> list.addObject().put(field, e.getKey()).put("messages", e.getValue()[0])
                        .put("connections", e.getValue()[1]));
    }

    private static Map<String, long[]> count(List<Session> open, java.util.function.Function<Session, String> key) {
        Map<String, long[]> by = new TreeMap<>();
        for (Session s : open) {
            by.computeIfAbsent(key.apply(s), k -> new long[1])[0]++;
        }
        return by;
    }

    private void audit(ChannelHandlerContext ctx, FullHttpRequest req) {
        List<String> values = new QueryStringDecoder(req.uri()).parameters().get("since");
        long since = 0;
        if (values != null && !values.isEmpty()) {
            String v = values.get(0);
            if (values.size() > 1 || !v.matches("\\d{1,18}")) {
                AdminHttp.error(ctx, req, HttpResponseStatus.BAD_REQUEST,
                        "since: expected one non-negative integer (the \"last\" of the previous answer)");
                return;
            }
            since = Long.parseLong(v);
        }
        AuditRing ring = sources == null ? null : sources.audit();
        AuditRing.Page page = ring == null ? new AuditRing.Page(0, List.of()) : ring.since(since, AUDIT_MAX);
        // the lines are JSON objects already (written by the audit log's own generator): spliced as they are
        StringBuilder b = new StringBuilder(64 + page.lines().size() * 200);
        b.append("{\"enabled\":").append(ring != null).append(",\"last\":").append(page.last()).append(",\"lines\":[");
        for (int i = 0; i < page.lines().size(); i++) {
            b.append(i == 0 ? "" : ",").append(page.lines().get(i));
        }
        b.append("]}");
        AdminHttp.json(ctx, req, HttpResponseStatus.OK, b.toString());
    }

    void audit(io.wsgate.audit.AuditLog audit) {
        this.audit = audit;
    }

    private void close(ChannelHandlerContext ctx, FullHttpRequest req, long id) {
        for (Session s : connections.all()) {
            if (s.id() == id) {
                audit.adminAction(AdminApi.ip(ctx), "close", "connection " + id, 200);
                s.close(CLOSE_CODE, CLOSE_REASON);
                AdminHttp.json(ctx, req, HttpResponseStatus.OK, "{\"closed\":1}");
                return;
            }
        }
        AdminHttp.error(ctx, req, HttpResponseStatus.NOT_FOUND, "no open connection with id " + id);
    }
}
