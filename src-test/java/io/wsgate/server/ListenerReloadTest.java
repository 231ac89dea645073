package io.wsgate.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.reload.ReloadResult;
import io.wsgate.testing.PolicyDir;
import io.wsgate.testing.SelfSignedCert;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Reload applies gateway.yaml {@code listen} and {@code connections} changes to new connections only. */
class ListenerReloadTest {
    private static final Function<String, String> ENV = n -> "WSGATE_ADMIN_TOKEN".equals(n) ? "t" : null;

    @TempDir
    Path dir;
    private DemoUpstream up;
    private Gateway gw;

    @BeforeEach
    void upstream() throws Exception {
        up = new DemoUpstream("127.0.0.1", 0).start();
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        up.close();
    }

    private PolicyDir policies(String gatewayYaml) {
        PolicyDir p = PolicyDir.in(dir);
        p.write("gateway.yaml", gatewayYaml + """
                admin: { host: 127.0.0.1, port: 0, token_env: WSGATE_ADMIN_TOKEN }
                reload: { watch: false }
                audit: { denials: "off" }
                """);
        p.write("echo.yaml", """
                route:
                  path: /echo
                  upstream: { targets: ["ws://127.0.0.1:%d/echo"] }
                protocol: { kind: json, event: type }
                """.formatted(up.port()));
        return p;
    }

    private ReloadResult reloadWith(String gatewayYaml) {
        policies(gatewayYaml);
        ReloadResult r = gw.reloads().reload();
        return r;
    }

    private static void echoes(WsTestClient c, String text) throws InterruptedException {
        c.sendText(text);
        WsTestClient.Frame f = c.next(Duration.ofSeconds(5));
        assertThat(f).isNotNull();
        assertThat(f.text()).isEqualTo(text);
    }

    private static SslContext trusting(SelfSignedCert cert) throws Exception {
        return SslContextBuilder.forClient().trustManager(cert.certificate()).build();
    }

    @Test
    void aRotatedCertificateServesNewConnectionsWhileAnOpenWssConnectionKeepsWorking() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        SelfSignedCert first = SelfSignedCert.create(Files.createDirectories(dir.resolve("gen1")));
        SelfSignedCert second = SelfSignedCert.create(Files.createDirectories(dir.resolve("gen2")));
        Files.copy(first.certFile(), certs.resolve("gw.pem"));
        Files.copy(first.keyFile(), certs.resolve("gw.key"));
        String listen = "listen: { host: 127.0.0.1, port: 0, tls: { cert_file: certs/gw.pem, key_file: certs/gw.key } }\n";
        policies(listen);
        gw = Gateway.start(dir, ENV);
        int port = gw.port();
        String url = "wss://127.0.0.1:" + port + "/echo";
        try (WsTestClient open = WsTestClient.to(url).tls(trusting(first)).connect()) {
            echoes(open, "{\"type\":\"a\"}");
            // rotation in place: same paths, new contents
            Files.copy(second.certFile(), certs.resolve("gw.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second.keyFile(), certs.resolve("gw.key"), StandardCopyOption.REPLACE_EXISTING);
            assertThat(reloadWith(listen).ok()).isTrue();
            assertThat(gw.port()).isEqualTo(port);

            try (WsTestClient fresh = WsTestClient.to(url).tls(trusting(second)).connect()) {
                echoes(fresh, "{\"type\":\"b\"}");
            }
            // a client that only trusts the old certificate can no longer connect
            assertThatThrownBy(() -> WsTestClient.to(url).tls(trusting(first)).connect().close())
                    .isNotInstanceOf(WsTestClient.Refused.class);
            echoes(open, "{\"type\":\"c\"}");
        }
    }

    @Test
    void aBrokenCertificateFailsTheReloadAndTheOldOneKeepsServing() throws Exception {
        SelfSignedCert cert = SelfSignedCert.create(dir);
        String listen = "listen: { host: 127.0.0.1, port: 0, tls: { cert_file: cert.pem, key_file: key.pem } }\n";
        policies(listen);
        gw = Gateway.start(dir, ENV);
        Files.writeString(cert.keyFile(), "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
        ReloadResult r = reloadWith(listen);
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).singleElement().asString().startsWith("gateway.yaml:1: listen.tls: ");
        assertThat(gw.policies().get().version()).isEqualTo(1);
        try (WsTestClient c = WsTestClient.to("wss://127.0.0.1:" + gw.port() + "/echo").tls(trusting(cert)).connect()) {
            echoes(c, "{\"type\":\"still\"}");
        }
    }

    @Test
    void aPortChangeBindsTheNewPortClosesTheOldListenerAndKeepsOpenConnections() throws Exception {
        policies("listen: { host: 127.0.0.1, port: 0 }\n");
        gw = Gateway.start(dir, ENV);
        int oldPort = gw.port();
        int newPort = freePort();
        try (WsTestClient open = WsTestClient.to("ws://127.0.0.1:" + oldPort + "/echo").connect()) {
            echoes(open, "{\"type\":\"before\"}");
            ReloadResult r = reloadWith("listen: { host: 127.0.0.1, port: " + newPort + " }\n");
            assertThat(r.ok()).as("%s", r.errors()).isTrue();
            assertThat(gw.port()).isEqualTo(newPort);

            assertThat(catchThrowableOfType(ConnectException.class, () -> tcpConnect(oldPort))).isNotNull();
            echoes(open, "{\"type\":\"after\"}");
            try (WsTestClient fresh = WsTestClient.to("ws://127.0.0.1:" + newPort + "/echo").connect()) {
                echoes(fresh, "{\"type\":\"new\"}");
            }
            assertThat(up.received()).extracting(DemoUpstream.Received::text)
                    .containsExactly("{\"type\":\"before\"}", "{\"type\":\"after\"}", "{\"type\":\"new\"}");
        }
    }

    @Test
    void aPortInUseFailsTheReloadAndKeepsTheOldListener() throws Exception {
        policies("listen: { host: 127.0.0.1, port: 0 }\n");
        gw = Gateway.start(dir, ENV);
        int oldPort = gw.port();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            ReloadResult r = reloadWith("listen: { host: 127.0.0.1, port: " + taken.getLocalPort() + " }\n");
            assertThat(r.ok()).isFalse();
            assertThat(r.errors()).singleElement().asString()
                    .startsWith("gateway.yaml:1: listen.port: cannot bind 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(gw.policies().get().version()).isEqualTo(1);
        assertThat(gw.port()).isEqualTo(oldPort);
        try (WsTestClient c = WsTestClient.to("ws://127.0.0.1:" + oldPort + "/echo").connect()) {
            echoes(c, "{\"type\":\"x\"}");
        }
        // a later good reload still works (nothing half-applied)
        assertThat(reloadWith("listen: { host: 127.0.0.1, port: 0 }\n").ok()).isTrue();
        assertThat(gw.port()).isEqualTo(oldPort);
    }

    @Test
    void proxyProtocolTurnedOnByReloadAppliesToNewConnectionsOnly() throws Exception {
        policies("listen: { host: 127.0.0.1, port: 0 }\n");
        gw = Gateway.start(dir, ENV);
        String url = "ws://127.0.0.1:" + gw.port() + "/echo";
        try (WsTestClient open = WsTestClient.to(url).connect()) {
            // nobody is trusted: every new connection is cut before it is read
            assertThat(reloadWith("listen: { host: 127.0.0.1, port: 0, proxy_protocol: true }\n").ok()).isTrue();
            assertThatThrownBy(() -> WsTestClient.to(url).connect().close())
                    .isNotInstanceOf(WsTestClient.Refused.class);
            echoes(open, "{\"type\":\"open\"}");

            assertThat(reloadWith("listen: { host: 127.0.0.1, port: 0, proxy_protocol: true, "
                    + "trusted_proxies: [127.0.0.1/32] }\n").ok()).isTrue();
            try (WsTestClient proxied = WsTestClient.to(url)
                    .prefix("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n".getBytes()).connect()) {
                echoes(proxied, "{\"type\":\"proxied\"}");
                assertThat(gw.registry().perIp("203.0.113.7")).isEqualTo(1);
            }
        }
    }

    @Test
    void connectionCapsFromAReloadApplyToTheNextHandshake() throws Exception {
        String listen = "listen: { host: 127.0.0.1, port: 0 }\n";
        policies(listen);
        gw = Gateway.start(dir, ENV);
        String url = "ws://127.0.0.1:" + gw.port() + "/echo";
        try (WsTestClient open = WsTestClient.to(url).connect()) {
            assertThat(reloadWith(listen + "connections: { max_total: 1 }\n").ok()).isTrue();
            WsTestClient.Refused full = catchThrowableOfType(WsTestClient.Refused.class,
                    () -> WsTestClient.to(url).connect().close());
            assertThat(full.status).isEqualTo(503);

            assertThat(reloadWith(listen + "connections: { max_per_ip: 1 }\n").ok()).isTrue();
            WsTestClient.Refused perIp = catchThrowableOfType(WsTestClient.Refused.class,
                    () -> WsTestClient.to(url).connect().close());
            assertThat(perIp.status).isEqualTo(429);
            echoes(open, "{\"type\":\"kept\"}");

            assertThat(reloadWith(listen + "connections: { max_total: 2, max_per_ip: 2 }\n").ok()).isTrue();
            try (WsTestClient second = WsTestClient.to(url).connect()) {
                echoes(second, "{\"type\":\"second\"}");
                WsTestClient.Refused third = catchThrowableOfType(WsTestClient.Refused.class,
                        () -> WsTestClient.to(url).connect().close());
                assertThat(third.status).isEqualTo(503);
            }
        }
    }

    @Test
    void pingIntervalFromAReloadAppliesToNewConnectionsNotOpenOnes() throws Exception {
        String listen = "listen: { host: 127.0.0.1, port: 0 }\n";
        policies(listen + "connections: { ping_interval: 0s }\n");
        gw = Gateway.start(dir, ENV);
        String url = "ws://127.0.0.1:" + gw.port() + "/echo";
        try (WsTestClient open = WsTestClient.to(url).connect()) {
            assertThat(reloadWith(listen + "connections: { ping_interval: 100ms }\n").ok()).isTrue();
            try (WsTestClient fresh = WsTestClient.to(url).connect()) {
                WsTestClient.Frame ping = fresh.next(Duration.ofSeconds(3));
                assertThat(ping).isNotNull();
                assertThat(ping.type()).isEqualTo(WsTestClient.Type.PING);
            }
            // the open socket keeps the settings it was accepted with: no ping, its echo comes first
            Thread.sleep(400);
            assertThat(open.poll()).isNull();
            echoes(open, "{\"type\":\"no-ping\"}");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static void tcpConnect(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        }
    }
}
