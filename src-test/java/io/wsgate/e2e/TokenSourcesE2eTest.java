package io.wsgate.e2e;

import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.auth.AuthFixtures;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3, valid tokens through the whole gateway: RS256, ES256, EdDSA and HS256 from every source; the
 * upstream never sees the token; the first present source decides; max_token_bytes is enforced at the edge.
 */
class TokenSourcesE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;

    @BeforeAll
    static void start() throws Exception {
        e2e = E2e.start(dir, "", List.of("chat.v1"),
                "asym.yaml", E2e.jsonRoute("/asym", "RS256, ES256, EdDSA", ""),
                "hs.yaml", """
                        route:
                          path: /hs
                          upstream: { targets: ["${UP}/echo"] }
                        protocol: { kind: json, event: type }
                        auth:
                          jwt: { algorithms: [HS256], hmac_secret_env: TEST_HMAC_SECRET, issuer: %s, audience: %s, clock_skew: 1s }
                        forward: { headers: { user: X-User-Id }, strip_token: true }
                        """.formatted(AuthFixtures.ISS, AuthFixtures.AUD),
                "order.yaml", E2e.jsonRoute("/order", "RS256", "  token_from: [query:t, header]"),
                "small.yaml", E2e.jsonRoute("/small", "RS256", "").replace("clock_skew: 1s",
                        "clock_skew: 1s\n    max_token_bytes: 2048"));
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
    }

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
            "RS256, header", "RS256, query", "RS256, cookie", "RS256, subprotocol",
            "ES256, header", "ES256, query", "ES256, cookie", "ES256, subprotocol",
            "EdDSA, header", "EdDSA, query", "EdDSA, cookie", "EdDSA, subprotocol",
            "HS256, header", "HS256, query", "HS256, cookie", "HS256, subprotocol"})
    void validTokenFromEverySourceIsAcceptedAndNotForwarded(String alg, String source) throws Exception {
        String sub = "u-" + alg + "-" + source;
        String token = E2e.token(alg, sub);
        String path = alg.equals("HS256") ? "/hs" : "/asym";
        WsTestClient.Builder b = switch (source) {
            case "header" -> WsTestClient.to(e2e.ws(path + "?keep=1")).header("Authorization", "Bearer " + token);
            case "query" -> WsTestClient.to(e2e.ws(path + "?keep=1&access_token=" + token));
            case "cookie" -> WsTestClient.to(e2e.ws(path + "?keep=1"))
                    .header("Cookie", "theme=dark; access_token=" + token + "; lang=en");
            default -> WsTestClient.to(e2e.ws(path + "?keep=1")).subprotocols("bearer, " + token);
        };
        int before = e2e.upstream.handshakes().size();
        try (WsTestClient c = b.connect()) {
            if (source.equals("subprotocol")) {
                assertThat(c.subprotocol()).isEqualTo("bearer");
            }
            E2e.assertEchoes(c, "{\"type\":\"hi\",\"from\":\"" + sub + "\"}");
            await().atMost(Duration.ofSeconds(3)).until(() -> e2e.upstream.handshakes().size() > before);
            DemoUpstream.Handshake hs = e2e.upstream.handshakes().stream()
                    .filter(h -> sub.equals(h.headers().get("X-User-Id"))).findFirst().orElseThrow();
            assertThat(hs.uri()).isEqualTo("/echo?keep=1").doesNotContain(token);
            HttpHeaders h = hs.headers();
            assertThat(h.get("Authorization")).isNull();
            assertThat(h.get("Sec-WebSocket-Protocol")).isNull();
            h.forEach(e -> assertThat(e.getValue()).as(e.getKey()).doesNotContain(token));
            if (source.equals("cookie")) {
                assertThat(h.get("Cookie")).doesNotContain("access_token").contains("theme=dark");
            }
        }
    }

    @Test
    void subprotocolBearerAlongsideARealSubprotocolSelectsTheRealOne() throws Exception {
        String token = E2e.token("ES256", "sp-user");
        try (WsTestClient c = WsTestClient.to(e2e.ws("/asym")).subprotocols("bearer, " + token + ", chat.v1").connect()) {
            assertThat(c.subprotocol()).isEqualTo("chat.v1");
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
            DemoUpstream.Handshake hs = e2e.upstream.handshakes().stream()
                    .filter(h -> "sp-user".equals(h.headers().get("X-User-Id"))).findFirst().orElseThrow();
            assertThat(hs.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v1");
        }
    }

    @Test
    void thePresentButInvalidFirstSourceIsRefusedNotSkipped() throws Exception {
        int before = e2e.upstream.accepted();
        // default order: header before query; an invalid header is not rescued by a valid query token
        e2e.refused(WsTestClient.to(e2e.ws("/asym?access_token=" + E2e.token("RS256", "p1")))
                .header("Authorization", "Bearer garbage"), 401);
        // header before cookie
        e2e.refused(WsTestClient.to(e2e.ws("/asym")).header("Authorization", "Bearer garbage")
                .header("Cookie", "access_token=" + E2e.token("RS256", "p1")), 401);
        assertThat(e2e.upstream.accepted()).isEqualTo(before);
        // a valid header with an invalid query token: the header decides
        try (WsTestClient c = WsTestClient.to(e2e.ws("/asym?access_token=garbage"))
                .header("Authorization", "Bearer " + E2e.token("RS256", "p2")).connect()) {
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
        }
    }

    @Test
    void theConfiguredOrderDecides() throws Exception {
        // token_from: [query:t, header]: the query comes first
        try (WsTestClient c = WsTestClient.to(e2e.ws("/order?t=" + E2e.token("RS256", "o1")))
                .header("Authorization", "Bearer garbage").connect()) {
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
        }
        e2e.refused(WsTestClient.to(e2e.ws("/order?t=garbage"))
                .header("Authorization", "Bearer " + E2e.token("RS256", "o2")), 401);
        // access_token is not a source on this route
        WsTestClient.Refused r = e2e.refused(WsTestClient.to(e2e.ws("/order?access_token=" + E2e.token("RS256", "o3"))), 401);
        assertThat(r.headers.get("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void maxTokenBytesIsEnforced() throws Exception {
        String small = E2e.token("RS256", AuthFixtures.claims("mt").claim("pad", "x".repeat(1000)).build());
        String big = E2e.token("RS256", AuthFixtures.claims("mt").claim("pad", "x".repeat(1600)).build());
        assertThat(small.length()).isLessThanOrEqualTo(2048);
        assertThat(big.length()).isGreaterThan(2048);
        try (WsTestClient c = e2e.connect("/small", small)) {
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
        }
        int before = e2e.upstream.accepted();
        WsTestClient.Refused r = e2e.refused(WsTestClient.to(e2e.ws("/small")).header("Authorization", "Bearer " + big), 401);
        assertThat(r.headers.get("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
        // the same token is fine on a route with the default 8192
        try (WsTestClient c = e2e.connect("/asym", big)) {
            E2e.assertEchoes(c, "{\"type\":\"x\"}");
        }
        assertThat(e2e.upstream.accepted()).isEqualTo(before + 1);
    }
}
