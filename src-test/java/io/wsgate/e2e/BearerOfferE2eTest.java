package io.wsgate.e2e;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Finding 6: what the upstream is offered in Sec-WebSocket-Protocol never holds a bearer entry or a token. */
class BearerOfferE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;

    @BeforeAll
    static void start() throws Exception {
        e2e = E2e.start(dir, "", List.of("chat.v1"), "sp.yaml", E2e.jsonRoute("/sp", "RS256", ""));
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
    }

    @Test
    void twoBearerPairsTheFirstDecidesAndNeitherGoesUpstream() throws Exception {
        String t1 = E2e.token("RS256", "two-pairs");
        String t2 = E2e.token("RS256", "second-pair");
        Result r = upgrade("Sec-WebSocket-Protocol: bearer, " + t1 + ", bearer, " + t2 + "\r\n");
        assertThat(r.head.toLowerCase(java.util.Locale.ROOT)).contains("sec-websocket-protocol: bearer\r\n");
        assertThat(r.head).doesNotContain(t1).doesNotContain(t2);
        assertThat(r.upstream.headers().get("X-User-Id")).isEqualTo("two-pairs");
        assertThat(r.upstream.headers().get("Sec-WebSocket-Protocol")).isNull();
        assertNoToken(r.upstream, t1, t2);
    }

    @Test
    void pairsOnSeveralHeaderLinesBesideARealSubprotocol() throws Exception {
        String t1 = E2e.token("RS256", "lines");
        String t2 = E2e.token("RS256", "lines-2");
        Result r = upgrade("Sec-WebSocket-Protocol: bearer, " + t1 + "\r\n"
                + "Sec-WebSocket-Protocol: chat.v1, bearer, " + t2 + "\r\n");
        assertThat(r.upstream.headers().get("X-User-Id")).isEqualTo("lines");
        assertThat(r.upstream.headers().getAll("Sec-WebSocket-Protocol")).containsExactly("chat.v1");
        assertThat(r.upstream.subprotocol()).isEqualTo("chat.v1");
        assertNoToken(r.upstream, t1, t2);
    }

    @Test
    void aHeaderTokenDecidesAndASubprotocolTokenIsStillRemoved() throws Exception {
        String good = E2e.token("RS256", "by-header");
        String leaked = E2e.token("RS256", "not-forwarded");
        Result r = upgrade("Authorization: Bearer " + good + "\r\n"
                + "Sec-WebSocket-Protocol: bearer, bearer, " + leaked + ", chat.v1, BEARER, x" + leaked + "\r\n");
        assertThat(r.upstream.headers().get("X-User-Id")).isEqualTo("by-header");
        assertThat(r.upstream.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v1");
        assertNoToken(r.upstream, good, leaked);
    }

    private static void assertNoToken(DemoUpstream.Handshake hs, String... tokens) {
        for (Map.Entry<String, String> e : hs.headers()) {
            assertThat(e.getValue()).as(e.getKey()).doesNotContainIgnoringCase("bearer");
            for (String t : tokens) {
                assertThat(e.getValue()).as(e.getKey()).doesNotContain(t);
            }
        }
        assertThat(hs.uri()).isEqualTo("/echo");
    }

    record Result(String head, DemoUpstream.Handshake upstream) {}

    private static Result upgrade(String headers) throws Exception {
        int before = e2e.upstream.handshakes().size();
        try (Socket s = new Socket("127.0.0.1", e2e.gateway.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(RawHttp.upgrade("/sp", headers).getBytes(StandardCharsets.ISO_8859_1));
            String head = PathSpellingE2eTest.readHead(s.getInputStream());
            assertThat(RawHttp.status(head)).as(head).isEqualTo(101);
            await().atMost(Duration.ofSeconds(5)).until(() -> e2e.upstream.handshakes().size() > before);
            List<DemoUpstream.Handshake> all = e2e.upstream.handshakes();
            return new Result(head, all.get(all.size() - 1));
        }
    }
}
