package io.wsgate.testing;

import io.wsgate.auth.RouteAuth;
import io.wsgate.config.GatewayConfig;
import io.wsgate.config.RouteConfig;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.inspect.RouteRules;
import io.wsgate.limits.RouteLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds {@link Policy} snapshots in code for tests (the YAML loader is another package's job). */
public final class TestPolicy {
    private static final String TEST_SECRET_ENV = "WSGATE_TEST_HMAC";
    private static final Map<String, String> TEST_ENV = Map.of(TEST_SECRET_ENV, "test-secret-test-secret-test-secret-0123456789");
    private String host = "127.0.0.1";
    private int port = 0;
    private GatewayConfig.Tls tls;
    private boolean proxyProtocol;
    private List<String> trustedProxies = List.of();
    private Duration handshakeTimeout = Duration.ofSeconds(5);
    private Duration idleTimeout = Duration.ofSeconds(120);
    private Duration pingInterval = Duration.ofSeconds(30);
    private final List<Route> routes = new ArrayList<>();

    public static TestPolicy gateway() {
        return new TestPolicy();
    }

    public TestPolicy tls(Path cert, Path key) {
        this.tls = new GatewayConfig.Tls(cert, key);
        return this;
    }

    /** {@code listen.tls} with its options (min_version, ciphers, client_ca_file, client_auth). */
    public TestPolicy tls(GatewayConfig.Tls tls) {
        this.tls = tls;
        return this;
    }

    public TestPolicy proxyProtocol(boolean on) {
        this.proxyProtocol = on;
        return this;
    }

    public TestPolicy trustedProxies(String... cidrs) {
        this.trustedProxies = List.of(cidrs);
        return this;
    }

    public TestPolicy handshakeTimeout(Duration d) {
        this.handshakeTimeout = d;
        return this;
    }

    public TestPolicy idleTimeout(Duration d) {
        this.idleTimeout = d;
        return this;
    }

    public TestPolicy pingInterval(Duration d) {
        this.pingInterval = d;
        return this;
    }

    public Route route(String path, String... targets) {
        Route r = new Route(this, path, List.of(targets));
        routes.add(r);
        return r;
    }

    public Policy build() {
        GatewayConfig g = new GatewayConfig(
                new GatewayConfig.Listen(host, port, tls, proxyProtocol, trustedProxies),
                new GatewayConfig.Admin("127.0.0.1", 0, "WSGATE_ADMIN_TOKEN"),
                new GatewayConfig.State(GatewayConfig.Store.MEMORY, null, GatewayConfig.OnFailure.FAIL_OPEN),
                new GatewayConfig.Connections(9000, 200, handshakeTimeout, idleTimeout, pingInterval),
                new GatewayConfig.Reload(false),
                new GatewayConfig.Audit("off"));
        List<RoutePolicy> compiled = new ArrayList<>();
        for (Route r : routes) {
            RouteConfig c = r.config();
            // the proxy tests judge handshakes with a scripted guard; the jwt section only has to compile
            compiled.add(new RoutePolicy(c, RouteAuth.compile(c, TEST_ENV::get), RouteRules.compile(c),
                    RouteLimits.compile(c)));
        }
        return new Policy(1, g, compiled);
    }

    public PolicyHolder holder() {
        return new PolicyHolder(build());
    }

    /** One route; defaults as the contract's: 64 KiB client messages, 1 MiB upstream messages, raw. */
    public static final class Route {
        private final TestPolicy parent;
        private final String path;
        private List<String> targets;
        private RouteConfig.Balance balance = RouteConfig.Balance.ROUND_ROBIN;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Path caFile;
        private int maxMessageBytes = 65536;
        private int maxUpstreamMessageBytes = 1048576;
        private List<String> subprotocols = List.of();
        private boolean deflate;
        private RouteConfig.Kind kind = RouteConfig.Kind.RAW;
        private RouteConfig.Auth auth;

        Route(TestPolicy parent, String path, List<String> targets) {
            this.parent = parent;
            this.path = path;
            this.targets = targets;
        }

        public Route balance(RouteConfig.Balance b) { this.balance = b; return this; }

        public Route connectTimeout(Duration d) { this.connectTimeout = d; return this; }

        public Route caFile(Path p) { this.caFile = p; return this; }

        public Route maxMessageBytes(int n) { this.maxMessageBytes = n; return this; }

        public Route maxUpstreamMessageBytes(int n) { this.maxUpstreamMessageBytes = n; return this; }

        public Route subprotocols(String... s) { this.subprotocols = List.of(s); return this; }

        public Route permessageDeflate(boolean on) { this.deflate = on; return this; }

        public Route kind(RouteConfig.Kind k) { this.kind = k; return this; }

        /**
         * An auth section with only what the proxy reads: auth_timeout and close_on_expiry. Not {@code required}:
         * there is no jwt section (RouteAuth refuses required without one); the TestGuard decides instead.
         */
        public Route auth(Duration authTimeout, boolean closeOnExpiry) {
            this.auth = new RouteConfig.Auth(false, null, List.of("header"), authTimeout, List.of(), closeOnExpiry,
                    "auth", 0, RouteConfig.OnExcess.CLOSE_OLDEST);
            return this;
        }

        public TestPolicy and() { return parent; }

        public Policy build() { return parent.build(); }

        RouteConfig config() {
            return new RouteConfig("test-" + path.replace('/', '_') + ".yaml",
                    new RouteConfig.Route(path, new RouteConfig.Upstream(targets, balance, connectTimeout, caFile),
                            List.of(), false, maxMessageBytes, maxUpstreamMessageBytes, subprotocols, deflate),
                    new RouteConfig.Protocol(kind, kind == RouteConfig.Kind.SOCKETIO ? null : "type", null, 10),
                    auth,
                    new RouteConfig.Forward(new RouteConfig.Headers("X-User-Id", "X-User-Roles", "X-Forwarded-For"),
                            null, true),
                    null, null);
        }
    }
}
