package io.wsgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code gateway.yaml}: one per process. Records are immutable; defaults are filled by the loader. */
public record GatewayConfig(Listen listen, Admin admin, State state, Connections connections, Reload reload, Audit audit,
                            Shutdown shutdown, String accessLog, Logging logging) {
    public GatewayConfig(Listen listen, Admin admin, State state, Connections connections, Reload reload, Audit audit) {
        this(listen, admin, state, connections, reload, audit, Shutdown.DEFAULT, "off", Logging.DEFAULT);
    }

    /** The gateway's own log on stderr: {@code text} (a pattern) or {@code json} (Logback's JsonEncoder). */
    public record Logging(LogFormat format, String level) {
        public static final Logging DEFAULT = new Logging(LogFormat.TEXT, "info");
    }

    public enum LogFormat { TEXT, JSON }

    /** SIGTERM or POST /admin/drain: readiness 503 at once, the listener closed after drainDelay, then 1001. */
    public record Shutdown(Duration drainDelay, Duration drainTimeout) {
        public static final Shutdown DEFAULT = new Shutdown(Duration.ofSeconds(5), Duration.ofSeconds(10));
    }


    public record Listen(String host, int port, Tls tls, boolean proxyProtocol, List<String> trustedProxies) {}

    /**
     * {@code listen.tls}. Paths are already resolved against the folder of the file that names them.
     * {@code minVersion} is {@code TLSv1.2} (TLS 1.2 and 1.3) or {@code TLSv1.3} (1.3 only); an empty
     * {@code ciphers} list means the JDK's defaults; {@code clientCaFile} is null unless clients are verified.
     */
    public record Tls(Path certFile, Path keyFile, String minVersion, List<String> ciphers, Path clientCaFile,
                      ClientAuth clientAuth) {
        public static final String TLS12 = "TLSv1.2";
        public static final String TLS13 = "TLSv1.3";
        public static final List<String> VERSIONS = List.of(TLS12, TLS13);

        public Tls {
            minVersion = minVersion == null ? TLS12 : minVersion;
            ciphers = ciphers == null ? List.of() : List.copyOf(ciphers);
            clientAuth = clientAuth == null ? ClientAuth.NONE : clientAuth;
        }

        /** The contract's defaults: TLS 1.2 and 1.3, the JDK's cipher suites, no client certificates. */
        public Tls(Path certFile, Path keyFile) {
            this(certFile, keyFile, TLS12, List.of(), null, ClientAuth.NONE);
        }

        /** The protocols the listener enables, newest first. */
        public List<String> protocols() {
            return TLS13.equals(minVersion) ? List.of(TLS13) : List.of(TLS13, TLS12);
        }
    }

    /** {@code listen.tls.client_auth}: whether the listener asks for (optional) or insists on (require) a client certificate. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRE }

    /** {@code console}: the web console on {@code GET /} of the admin port (off by default). */
    public record Admin(String host, int port, String tokenEnv, boolean console) {
        public Admin(String host, int port, String tokenEnv) {
            this(host, port, tokenEnv, false);
        }
    }

    public enum Store { MEMORY, REDIS }

    public enum OnFailure { FAIL_OPEN, FAIL_CLOSED }

    public record State(Store store, String redisUrl, OnFailure onFailure) {}

    public record Connections(int maxTotal, int maxPerIp, Duration handshakeTimeout, Duration idleTimeout,
                              Duration pingInterval, AuthFailures authFailuresPerIp) {
        /** With the contract's default {@code auth_failures_per_ip}. */
        public Connections(int maxTotal, int maxPerIp, Duration handshakeTimeout, Duration idleTimeout,
                           Duration pingInterval) {
            this(maxTotal, maxPerIp, handshakeTimeout, idleTimeout, pingInterval, AuthFailures.DEFAULT);
        }
    }

    /**
     * {@code connections.auth_failures_per_ip}: failed token verifications one client IP may cause per {@code per}
     * (greedy refill, capacity {@code limit}). {@code limit: 0} turns the meter off.
     */
    public record AuthFailures(int limit, Duration per) {
        public static final AuthFailures DEFAULT = new AuthFailures(30, Duration.ofMinutes(1));
        public static final AuthFailures OFF = new AuthFailures(0, Duration.ofMinutes(1));

        public boolean enabled() {
            return limit > 0;
        }
    }

    public record Reload(boolean watch) {}

    /** {@code denials}: "stdout", "off" or a file path (resolved). */
    public record Audit(String denials) {}
}
