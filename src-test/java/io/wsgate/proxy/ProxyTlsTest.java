package io.wsgate.proxy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.SelfSignedCert;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProxyTlsTest {
    @TempDir
    Path dir;
    private DemoUpstream up;
    private Harness gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (up != null) {
            up.close();
        }
    }

    @Test
    void tlsListenerServesWss() throws Exception {
        SelfSignedCert cert = SelfSignedCert.create(dir);
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().tls(cert.certFile(), cert.keyFile())
                .route("/echo", Harness.target(up, "/echo")).build());
        SslContext trust = SslContextBuilder.forClient().trustManager(cert.certificate()).build();
        try (WsTestClient c = WsTestClient.to("wss://127.0.0.1:" + gw.port() + "/echo").tls(trust).connect()) {
            c.sendText("over tls");
            assertThat(c.next().text()).isEqualTo("over tls");
        }
        assertThat(gw.guard.seen.get(0).secure()).isTrue();
    }

    @Test
    void wssUpstreamVerifiedWithCaFile() throws Exception {
        Path upDir = Files.createDirectories(dir.resolve("up"));
        SelfSignedCert cert = SelfSignedCert.create(upDir);
        SslContext upTls = SslContextBuilder.forServer(cert.certFile().toFile(), cert.keyFile().toFile()).build();
        up = new DemoUpstream("127.0.0.1", 0, List.of(), upTls).start();
        gw = new Harness(TestPolicy.gateway()
                .route("/echo", "wss://127.0.0.1:" + up.port() + "/echo").caFile(cert.certFile()).and()
                .route("/untrusted", "wss://127.0.0.1:" + up.port() + "/echo").and()
                .build());
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendBinary(new byte[]{1, 2, 3});
            assertThat(c.next().data()).containsExactly(1, 2, 3);
        }
        // without ca_file the system trust store does not know the self-signed upstream: 502
        WsTestClient.Refused r = catchThrowableOfType(WsTestClient.Refused.class,
                () -> WsTestClient.to(gw.ws("/untrusted")).connect());
        assertThat(r.status).isEqualTo(502);
        assertThat(up.received()).hasSize(1);
    }

    @Test
    void wssUpstreamWithWrongHostNameIsRefused() throws Exception {
        Path upDir = Files.createDirectories(dir.resolve("up2"));
        SelfSignedCert cert = SelfSignedCert.create(upDir);
        SslContext upTls = SslContextBuilder.forServer(cert.certFile().toFile(), cert.keyFile().toFile()).build();
        up = new DemoUpstream("127.0.0.1", 0, List.of(), upTls).start();
        // the certificate names localhost and 127.0.0.1, not 127.0.0.2
        gw = new Harness(TestPolicy.gateway()
                .route("/echo", "wss://127.0.0.2:" + up.port() + "/echo").caFile(cert.certFile()).build());
        WsTestClient.Refused r = catchThrowableOfType(WsTestClient.Refused.class,
                () -> WsTestClient.to(gw.ws("/echo")).connect());
        assertThat(r.status).isEqualTo(502);
    }
}
