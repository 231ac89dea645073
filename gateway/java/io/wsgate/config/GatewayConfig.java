package io.wsgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code gateway.yaml}: one per process. Records are immutable; defaults are filled by the loader. */
public record GatewayConfig(Listen listen, Admin admin, State state, Connections connections, Reload reload, Audit audit) {

    public record Listen(String host, int port, Tls tls, boolean proxyProtocol, List<String> trustedProxies) {}

    /** Paths are already resolved against the folder of the file that names them. */
    public record Tls(Path certFile, Path keyFile) {}

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
                              Duration pingInterval) {}

    public record Reload(boolean watch) {}

    /** {@code denials}: "stdout", "off" or a file path (resolved). */
    public record Audit(String denials) {}
}
