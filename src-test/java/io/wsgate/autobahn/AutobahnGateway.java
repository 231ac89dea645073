package io.wsgate.autobahn;

import io.wsgate.server.Gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Target of the Autobahn|Testsuite fuzzing client (profile {@code autobahn} in pom.xml): the real gateway on
 * the port the plugin chose, with a raw pass-through prefix route {@code /} in front of
 * an {@link EchoUpstream}. The plugin calls {@code main} on a daemon thread and
 * connects to {@code ws://<InetAddress.getLocalHost()>:<port>} (root path), so the gateway listens on 0.0.0.0.
 */
public final class AutobahnGateway {
    /** Cases 9.1.6 / 9.2.6 send 16 MiB messages: the caps fit them, so no 9.* case is excluded. */
    static final int MAX_MESSAGE_BYTES = 16 << 20;

    private AutobahnGateway() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EchoUpstream upstream = new EchoUpstream(MAX_MESSAGE_BYTES).start();
        Path dir = Files.createTempDirectory("wsgate-autobahn");
        dir.toFile().deleteOnExit();
        Files.writeString(dir.resolve("gateway.yaml"), """
                listen: { host: 0.0.0.0, port: %d }
                admin: { host: 127.0.0.1, port: 0, token_env: WSGATE_ADMIN_TOKEN }
                connections:
                  max_total: 1000
                  max_per_ip: 1000
                  handshake_timeout: 10s
                  idle_timeout: 10m
                  ping_interval: 0s
                reload: { watch: false }
                audit: { denials: "off" }
                access_log: "off"
                """.formatted(port));
        Files.writeString(dir.resolve("autobahn.yaml"), """
                route:
                  path: /
                  upstream: { targets: ["ws://127.0.0.1:%d/echo"] }
                  max_message_bytes: %d
                  max_upstream_message_bytes: %d
                protocol:
                  kind: raw
                """.formatted(upstream.port(), MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES));
        Gateway gateway = Gateway.start(dir, Map.<String, String>of()::get);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            upstream.close();
        }));
    }
}
