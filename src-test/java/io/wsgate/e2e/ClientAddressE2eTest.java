package io.wsgate.e2e;

import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every per-IP rule keys on one spelling of the client address: an attacker behind a trusted proxy who writes
 * {@code ::ffff:10.9.0.1}, {@code 0:0:0:0:0:ffff:a09:1} or {@code [::FFFF:10.9.0.1]} instead of
 * {@code 10.9.0.1} in X-Forwarded-For is still one client for {@code max_per_ip}.
 */
class ClientAddressE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;

    @BeforeAll
    static void start() throws Exception {
        e2e = E2e.start(dir, """
                listen: { host: 127.0.0.1, port: 0, trusted_proxies: [127.0.0.1/32] }
                connections: { max_per_ip: 1 }
                """, List.of(), "chat.yaml", E2e.jsonRoute("/chat", "RS256", ""));
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
    }

    private static WsTestClient.Builder from(String xff, String user) {
        return WsTestClient.to(e2e.ws("/chat")).header("X-Forwarded-For", xff)
                .header("Authorization", "Bearer " + E2e.token("RS256", user));
    }

    @Test
    void ipv4MappedAndLongIpv6SpellingsAreTheSameClient() throws Exception {
        int before = e2e.upstream.handshakes().size();
        try (WsTestClient first = from("10.9.0.1", "alice").connect()) {
            E2e.assertEchoes(first, "{\"type\":\"x\"}");
            for (String spelling : List.of("::ffff:10.9.0.1", "0:0:0:0:0:ffff:a09:1", "[::FFFF:10.9.0.1]",
                    "192.0.2.7, ::ffff:10.9.0.1")) {
                e2e.refused(from(spelling, "mallory"), 429);
            }
            // a different client is still served while the first holds its one connection
            try (WsTestClient other = from("10.9.0.2", "bob").connect()) {
                E2e.assertEchoes(other, "{\"type\":\"y\"}");
            }
            assertThat(e2e.upstream.handshakes().size() - before).as("only alice's and bob's reached the upstream")
                    .isEqualTo(2);
        }
    }

    @Test
    void ipv6SpellingsOfOneAddressShareABucket() throws Exception {
        try (WsTestClient first = from("2001:db8::1", "carol").connect()) {
            E2e.assertEchoes(first, "{\"type\":\"x\"}");
            e2e.refused(from("2001:0DB8:0000:0000:0000:0000:0000:0001", "mallory"), 429);
            e2e.refused(from("[2001:db8:0::1]", "mallory"), 429);
        }
    }
}
