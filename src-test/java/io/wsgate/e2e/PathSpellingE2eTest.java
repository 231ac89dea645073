package io.wsgate.e2e;

import io.wsgate.auth.AuthFixtures;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Finding 2: a path has one spelling. {@code /pre/} is public, {@code /pre/admin/} needs the admin role; no
 * spelling of an admin path may match {@code /pre/}, and an accepted path reaches the upstream byte for byte.
 */
class PathSpellingE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;

    @BeforeAll
    static void start() throws Exception {
        e2e = E2e.start(dir, "", List.of(),
                "pre.yaml", """
                        route:
                          path: /pre/
                          upstream: { targets: ["${UP}/up/"], connect_timeout: 2s }
                        """,
                "admin.yaml", E2e.jsonRoute("/pre/admin/", "RS256", "  connect_roles: [admin]")
                        .replace("${UP}/echo", "${UP}/up/admin/"));
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/pre//admin/x", "/pre/%61dmin/x", "/pre/%2e%2e/admin", "/pre/a%2fb", "/pre/%5cadmin",
            "/pre/%u002e", "/pre/%zz", "/pre/%4", "/pre/./admin/x", "/pre/x/../admin/x", "/pre/a\\b", "/pre/%2E%2E/",
            "/pre/admin;x/y", "/pre/x?a=%zz", "/pre/x?a={}", "/pre/a#admin", "/pre/%00"})
    void everyOtherSpellingIs400AndOpensNoUpstreamConnection(String path) throws Exception {
        int before = e2e.upstream.accepted();
        String res = RawHttp.exchange(e2e.gateway.port(), RawHttp.upgrade(path, "").getBytes(StandardCharsets.ISO_8859_1), 5000);
        assertThat(RawHttp.status(res)).as(path + " -> " + res).isEqualTo(400);
        assertThat(RawHttp.body(res)).contains("bad_path");
        assertThat(e2e.upstream.accepted()).isEqualTo(before);
    }

    @Test
    void theAdminRouteIsReachedOnlyThroughItsOwnSpelling() throws Exception {
        int before = e2e.upstream.accepted();
        String res = RawHttp.exchange(e2e.gateway.port(), RawHttp.upgrade("/pre/admin/x", "").getBytes(StandardCharsets.ISO_8859_1), 5000);
        assertThat(RawHttp.status(res)).isEqualTo(401);
        String user = E2e.token("RS256", "plain-user");
        res = RawHttp.exchange(e2e.gateway.port(), RawHttp.upgrade("/pre/admin/x", "Authorization: Bearer " + user + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), 5000);
        assertThat(RawHttp.status(res)).isEqualTo(403);
        assertThat(e2e.upstream.accepted()).isEqualTo(before);
        String admin = E2e.token("RS256", AuthFixtures.claims("root").claim("roles", List.of("admin")).build());
        assertThat(upgradeAndRecord("/pre/admin/x?y=1", "Authorization: Bearer " + admin + "\r\n")).isEqualTo("/up/admin/x?y=1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/pre/", "/pre/a", "/pre/a/", "/pre/a/b/c/", "/pre/a?x=1&y=%2F&z=%61", "/pre/?EIO=4&t=a[]",
            "/pre/caf%C3%A9/%20x", "/pre/a:b@c!$&'()*+,=", "/pre/..a/b.", "/pre/x?"})
    void anAcceptedPathReachesTheUpstreamByteForByte(String path) throws Exception {
        String expected = "/up/" + path.substring("/pre/".length());
        // Netty's client drops an empty query ("?" alone): nothing of the path is changed
        assertThat(upgradeAndRecord(path, "")).isEqualTo(expected.endsWith("?") ? expected.substring(0, expected.length() - 1) : expected);
    }

    /** Upgrades through the gateway with a raw request line and returns the URI the upstream's handshake had. */
    private static String upgradeAndRecord(String path, String headers) throws Exception {
        int before = e2e.upstream.handshakes().size();
        try (Socket s = new Socket("127.0.0.1", e2e.gateway.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(RawHttp.upgrade(path, headers).getBytes(StandardCharsets.ISO_8859_1));
            String head = readHead(s.getInputStream());
            assertThat(RawHttp.status(head)).as(path + " -> " + head).isEqualTo(101);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> e2e.upstream.handshakes().size() > before);
        List<DemoUpstream.Handshake> all = e2e.upstream.handshakes();
        return all.get(all.size() - 1).uri();
    }

    /** Reads up to the end of the response head (the socket stays open after a 101). */
    static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
            if (out.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
