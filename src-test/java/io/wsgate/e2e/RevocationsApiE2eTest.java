package io.wsgate.e2e;

import io.wsgate.auth.CompactJws;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /admin/revocations}: what is revoked, token revocations as their digest, gone once lifted. */
class RevocationsApiE2eTest {
    @TempDir
    Path tmp;

    @Test
    void listsWhatIsRevokedAndForgetsWhatIsLifted() throws Exception {
        try (OpsFixture fx = OpsFixture.in(tmp)) {
            fx.route("chat.yaml", """
                    route:
                      path: /chat
                      upstream: { targets: ["%s"] }
                    %s
                    """.formatted(fx.upstreamUrl("/echo"), OpsFixture.hs256Auth())).start();
            String token = fx.tokens.token("carol", "user");
            assertThat(fx.admin("POST", "/admin/revoke", "{\"sub\":\"mallory\",\"ttl\":\"1h\"}").statusCode()).isEqualTo(200);
            assertThat(fx.admin("POST", "/admin/revoke", "{\"jti\":\"j-42\"}").statusCode()).isEqualTo(200);
            assertThat(fx.admin("POST", "/admin/revoke", "{\"token\":\"" + token + "\"}").statusCode()).isEqualTo(200);

            var res = fx.admin("GET", "/admin/revocations");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).doesNotContain(token.split("\\.")[1]);
            List<String> entries = new ArrayList<>();
            for (JsonNode n : OpsFixture.json(res.body())) {
                entries.add(n.path("kind").asString() + "=" + n.path("value").asString());
                Instant until = Instant.parse(n.path("until").asString());
                assertThat(until).isAfter(Instant.now());
            }
            assertThat(entries).containsExactlyInAnyOrder("sub=mallory", "jti=j-42",
                    "token=" + CompactJws.revocationDigest(token));

            assertThat(fx.admin("DELETE", "/admin/revoke", "{\"jti\":\"j-42\"}").statusCode()).isEqualTo(200);
            List<String> after = new ArrayList<>();
            for (JsonNode n : OpsFixture.json(fx.admin("GET", "/admin/revocations").body())) {
                after.add(n.path("kind").asString() + "=" + n.path("value").asString());
            }
            assertThat(after).containsExactlyInAnyOrder("sub=mallory", "token=" + CompactJws.revocationDigest(token));
            assertThat(fx.admin("POST", "/admin/revocations").statusCode()).isEqualTo(405);
        }
    }
}
