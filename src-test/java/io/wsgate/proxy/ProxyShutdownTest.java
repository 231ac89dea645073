package io.wsgate.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ProxyShutdownTest {
    @Test
    void shutdownSends1001ToEveryClientAndStopsAccepting() throws Exception {
        try (DemoUpstream up = Harness.upstream()) {
            Harness gw = new Harness(TestPolicy.gateway().route("/echo", Harness.target(up, "/echo")).build());
            int port = gw.port();
            WsTestClient a = WsTestClient.to(gw.ws("/echo")).connect();
            WsTestClient b = WsTestClient.to(gw.ws("/echo")).connect();
            a.sendText("a");
            b.sendText("b");
            a.next();
            b.next();
            long t0 = System.nanoTime();
            gw.proxy.shutdown(Duration.ofSeconds(3));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
            assertThat(a.closeCode()).isEqualTo(1001);
            assertThat(b.closeCode()).isEqualTo(1001);
            await().atMost(Duration.ofSeconds(5)).until(() -> up.closeCodes().size() == 2);
            assertThat(up.closeCodes()).containsOnly(1001);
            assertThat(gw.registry.total()).isZero();
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
            a.close();
            b.close();
        }
    }

    @Test
    void permessageDeflateWhenTheRouteAllowsIt() throws Exception {
        try (DemoUpstream up = Harness.upstream();
             Harness gw = new Harness(TestPolicy.gateway()
                     .route("/echo", Harness.target(up, "/echo")).permessageDeflate(true).maxMessageBytes(64 * 1024).and()
                     .route("/plain", Harness.target(up, "/echo")).build())) {
            try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).deflate().connect()) {
                String text = "compress me ".repeat(500);
                c.sendText(text);
                assertThat(c.next().text()).isEqualTo(text);
                assertThat(up.received().get(0).text()).isEqualTo(text);
                // a deflate bomb: 1 MiB of zeros compresses to ~1 KiB but inflates past max_message_bytes
                c.send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[1 << 20])));
                assertThat(c.closeCode()).isEqualTo(1009);
            }
            assertThat(up.received()).hasSize(1);
            // a route without permessage_deflate answers without the extension; random data still relays
            try (WsTestClient c = WsTestClient.to(gw.ws("/plain")).deflate().connect()) {
                byte[] data = new byte[3000];
                new Random(1).nextBytes(data);
                c.sendBinary(data);
                assertThat(c.next().data()).isEqualTo(data);
            }
        }
    }
}
