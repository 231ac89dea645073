package io.wsgate.proxy;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.RawHttp;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** PROXY protocol v1/v2 and X-Forwarded-For: believed only from trusted_proxies. */
class ProxyProtocolHeaderTest {
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

    private void start(boolean proxyProtocol, String... trusted) throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().proxyProtocol(proxyProtocol).trustedProxies(trusted)
                .route("/echo", Harness.target(up, "/echo")).build());
    }

    static byte[] v1(String src) {
        return ("PROXY TCP4 " + src + " 10.0.0.1 56324 443\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] v2(int a, int b, int c, int d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(0x21); // v2, PROXY
        out.write(0x11); // TCP over IPv4
        out.write(0);
        out.write(12);
        out.writeBytes(new byte[]{(byte) a, (byte) b, (byte) c, (byte) d, 10, 0, 0, 1});
        out.writeBytes(new byte[]{(byte) 0xDC, 0x04, 0x01, (byte) 0xBB});
        return out.toByteArray();
    }

    @Test
    void v1HeaderFromTrustedPeerNamesTheClient() throws Exception {
        start(true, "127.0.0.1/32");
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).prefix(v1("203.0.113.7")).connect()) {
            c.sendText("x");
            c.next();
        }
        assertThat(gw.guard.seen.get(0).clientIp()).isEqualTo("203.0.113.7");
        assertThat(gw.guard.seen.get(0).peerIp()).isEqualTo("127.0.0.1");
        assertThat(up.handshakes().get(0).headers().get("X-Forwarded-For")).isEqualTo("203.0.113.7");
    }

    @Test
    void v2HeaderFromTrustedPeerNamesTheClient() throws Exception {
        start(true, "127.0.0.0/8");
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).prefix(v2(198, 51, 100, 9)).connect()) {
            c.sendText("x");
            c.next();
        }
        assertThat(gw.guard.seen.get(0).clientIp()).isEqualTo("198.51.100.9");
    }

    @Test
    void headerFromUntrustedPeerIsCutUnread() throws Exception {
        start(true, "10.0.0.0/8");
        byte[] v1 = v1("203.0.113.7");
        byte[] req = RawHttp.upgrade("/echo", "").getBytes(StandardCharsets.US_ASCII);
        byte[] both = new byte[v1.length + req.length];
        System.arraycopy(v1, 0, both, 0, v1.length);
        System.arraycopy(req, 0, both, v1.length, req.length);
        String res;
        try {
            res = RawHttp.exchange(gw.port(), both, 3000);
        } catch (java.net.SocketException reset) {
            res = ""; // closed with our bytes unread: a reset
        }
        assertThat(res).isEmpty();
        assertThat(gw.guard.seen).isEmpty();
        assertThat(up.handshakes()).isEmpty();
    }

    @Test
    void missingHeaderWhenRequiredIsRefused() throws Exception {
        start(true, "127.0.0.1/32");
        String res = RawHttp.exchange(gw.port(), RawHttp.upgrade("/echo", "").getBytes(), 3000);
        assertThat(res).doesNotContain("101");
        assertThat(gw.guard.seen).isEmpty();
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedPeers() throws Exception {
        start(false, "127.0.0.1/32", "10.0.0.0/8");
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo"))
                .header("X-Forwarded-For", "198.51.100.1, 203.0.113.50, 10.1.2.3").connect()) {
            c.sendText("x");
            c.next();
        }
        // the right-most hop that is not a trusted proxy
        assertThat(gw.guard.seen.get(0).clientIp()).isEqualTo("203.0.113.50");
        gw.close();
        up.close();

        start(false, "10.0.0.0/8");
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).header("X-Forwarded-For", "203.0.113.50").connect()) {
            c.sendText("x");
            c.next();
        }
        assertThat(gw.guard.seen.get(0).clientIp()).isEqualTo("127.0.0.1");
    }
}
