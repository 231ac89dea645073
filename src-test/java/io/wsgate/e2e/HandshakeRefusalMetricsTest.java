package io.wsgate.e2e;

import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Refused handshakes carry the matched route's path in {@code wsgate_handshakes_total}; "none" only without a match. */
class HandshakeRefusalMetricsTest {
    @TempDir
    Path tmp;

    private static int refusedStatus(OpsFixture fx, String path, String origin, String token) {
        WsTestClient.Builder b = WsTestClient.to(fx.wsUrl(path));
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        WsTestClient.Refused r = catchThrowableOfType(WsTestClient.Refused.class, () -> b.connect().close());
        assertThat(r).as("refused: %s", path).isNotNull();
        return r.status;
    }

    @Test
    void refusalsAfterTheRouteMatchedAreLabelledWithTheRoute() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp, "connections: { max_per_ip: 2 }\n")) {
            fx.route("chat.yaml", """
                    route:
                      path: /chat
                      upstream: { targets: ["%s"] }
                      allowed_origins: ["https://app.example"]
                      allow_no_origin: true
                    protocol: { kind: json, event: type }
                    %s""".formatted(fx.upstreamUrl("/echo"), OpsFixture.hs256Auth()));
            fx.route("open.yaml", """
                    route:
                      path: /open/
                      upstream: { targets: ["%s"] }
                    protocol: { kind: raw }
                    """.formatted(fx.upstreamUrl("/echo")));
            fx.start();

            assertThat(refusedStatus(fx, "/chat", null, null)).isEqualTo(401);
            assertThat(refusedStatus(fx, "/chat", null, "not.a.jwt")).isEqualTo(401);
            assertThat(refusedStatus(fx, "/chat", "https://evil.example", null)).isEqualTo(403);
            assertThat(refusedStatus(fx, "/nowhere", null, null)).isEqualTo(404);
            try (WsTestClient a = WsTestClient.to(fx.wsUrl("/open/a")).connect();
                 WsTestClient b = WsTestClient.to(fx.wsUrl("/open/b")).connect()) {
                assertThat(refusedStatus(fx, "/open/c", null, null)).isEqualTo(429);
            }

            OpsFixture.Scrape m = fx.scrape();
            String name = "wsgate_handshakes_total";
            assertThat(m.count(name, "route=/chat", "outcome=refused", "status=401")).isEqualTo(2);
            assertThat(m.count(name, "route=/chat", "outcome=refused", "status=403")).isEqualTo(1);
            // a prefix route is labelled with its configured path, not the request path
            assertThat(m.count(name, "route=/open/", "outcome=refused", "status=429")).isEqualTo(1);
            assertThat(m.count(name, "route=/open/", "outcome=accepted", "status=101")).isEqualTo(2);
            assertThat(m.count(name, "route=none", "outcome=refused", "status=404")).isEqualTo(1);
            assertThat(m.count(name, "route=none", "outcome=refused", "status=401")).isZero();
            assertThat(m.count(name, "route=none", "outcome=refused", "status=403")).isZero();
            assertThat(m.count(name, "route=none", "outcome=refused", "status=429")).isZero();
            assertThat(m.text()).doesNotContain("route=\"/open/c\"", "route=\"/nowhere\"");
        }
    }
}
