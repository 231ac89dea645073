package io.wsgate.e2e;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3 with the audit log on: handshake refusals, connect_roles and revoked tokens are audited, one JSON
 * line each, and no line holds a token, whatever source it came from.
 */
class AuthAuditE2eTest {
    @Test
    void refusalsAreAuditedWithoutTheToken(@TempDir Path dir) throws Exception {
        Path audit = dir.resolve("audit.log");
        try (E2e e2e = E2e.start(dir.resolve("p"), "audit: { denials: \"" + audit + "\" }\n", List.of(),
                "chat.yaml", E2e.jsonRoute("/chat", "RS256", "  connect_roles: [admin]"))) {
            JWK attacker = ATTACKER;
            String forged = sign(attacker, JWSAlgorithm.RS256, claims("mallory").build());
            String userOnly = E2e.token("RS256", "plain-user");
            String revoked = E2e.token("RS256", claims("revoked-admin").claim("roles", List.of("admin")).build());
            e2e.revoke("{\"token\":\"" + revoked + "\"}");
            List<String> tokens = List.of(forged, userOnly, revoked);

            e2e.refused(WsTestClient.to(e2e.ws("/chat")).header("Authorization", "Bearer " + forged), 401);
            e2e.refused(WsTestClient.to(e2e.ws("/chat?access_token=" + forged)), 401);
            e2e.refused(WsTestClient.to(e2e.ws("/chat")).header("Cookie", "access_token=" + forged), 401);
            e2e.refused(WsTestClient.to(e2e.ws("/chat")).subprotocols("bearer, " + forged), 401);
            WsTestClient.Refused role = e2e.refused(WsTestClient.to(e2e.ws("/chat"))
                    .header("Authorization", "Bearer " + userOnly), 403);
            assertThat(role.body).doesNotContain(userOnly);
            e2e.refused(WsTestClient.to(e2e.ws("/chat?access_token=" + revoked)), 403);
            String admin = E2e.token("RS256", claims("an-admin").claim("roles", List.of("admin")).build());
            try (WsTestClient c = e2e.connect("/chat", admin)) {
                E2e.assertEchoes(c, "{\"type\":\"x\"}");
            }

            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(audit)
                    && Files.readAllLines(audit).size() >= 6);
            List<String> lines = Files.readAllLines(audit);
            System.out.println("[e2e] audit sample: " + lines.get(0));
            assertThat(lines).allSatisfy(l -> {
                assertThat(l).startsWith("{").endsWith("}");
                for (String t : tokens) {
                    assertThat(l).doesNotContain(t).doesNotContain(t.split("\\.")[2]);
                }
            });
            assertThat(lines).anyMatch(l -> l.contains("401")).anyMatch(l -> l.contains("403"));
        }
    }
}
