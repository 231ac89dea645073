package io.wsgate.proxy;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.SelfSignedCert;
import io.wsgate.testing.TestCa;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

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

    /**
     * The hostname check, not the trust setup: one CA (trusted through the route's {@code ca_file}) signs a
     * certificate for {@code wrong.example} and one for {@code 127.0.0.1}; both upstreams listen. The wrong name
     * gets 502 and the upstream records a failed TLS handshake and no WebSocket handshake; the right name, same CA,
     * gets 101 (the positive control below).
     */
    @Test
    void wssUpstreamWithWrongHostNameIsRefused() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        TestCa.Leaf wrong = ca.issue("wrong", "wrong.example");
        RecordingTls upTls = RecordingTls.server(wrong);
        up = new DemoUpstream("127.0.0.1", 0, List.of(), upTls).start();
        gw = new Harness(TestPolicy.gateway()
                .route("/echo", "wss://127.0.0.1:" + up.port() + "/echo").caFile(ca.caFile()).build());
        WsTestClient.Refused r = catchThrowableOfType(WsTestClient.Refused.class,
                () -> WsTestClient.to(gw.ws("/echo")).connect());
        assertThat(r).as("the gateway must refuse an upstream certificate for another name").isNotNull();
        assertThat(r.status).isEqualTo(502);
        // the upstream was reachable and its TLS handshake ended (failed) before any HTTP could follow on it
        await().atMost(Duration.ofSeconds(10)).until(() -> !upTls.outcomes.isEmpty());
        assertThat(up.accepted()).isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> upTls.outcomes.size() == up.accepted());
        assertThat(upTls.outcomes).allSatisfy(o -> assertThat(o).as("upstream TLS handshake").isNotEqualTo("ok"));
        assertThat(up.handshakes()).as("no WebSocket handshake reached the upstream").isEmpty();
        assertThat(up.received()).isEmpty();
    }

    @Test
    void wssUpstreamWithTheRightNameFromTheSameCaIsAccepted() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        RecordingTls upTls = RecordingTls.server(ca.issue("right", "127.0.0.1"));
        up = new DemoUpstream("127.0.0.1", 0, List.of(), upTls).start();
        gw = new Harness(TestPolicy.gateway()
                .route("/echo", "wss://127.0.0.1:" + up.port() + "/echo").caFile(ca.caFile()).build());
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendText("named right");
            assertThat(c.next().text()).isEqualTo("named right");
        }
        assertThat(upTls.outcomes).containsExactly("ok");
        assertThat(up.handshakes()).hasSize(1);
    }

    /** A server SslContext that records each TLS handshake's outcome ("ok", or the failure) on the upstream side. */
    static final class RecordingTls extends DelegatingSslContext {
        final List<String> outcomes = new CopyOnWriteArrayList<>();

        RecordingTls(SslContext ctx) {
            super(ctx);
        }

        static RecordingTls server(TestCa.Leaf leaf) throws Exception {
            return new RecordingTls(SslContextBuilder.forServer(leaf.certFile().toFile(), leaf.keyFile().toFile()).build());
        }

        @Override
        protected void initEngine(SSLEngine engine) {
        }

        @Override
        protected void initHandler(SslHandler handler) {
            handler.handshakeFuture().addListener(f -> outcomes.add(f.isSuccess() ? "ok" : String.valueOf(f.cause())));
        }
    }
}
