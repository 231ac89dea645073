package io.wsgate.e2e;

import io.wsgate.interop.NodeProcess;
import io.wsgate.testing.RawHttp;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The admin console in a real headless Chromium (Debian's {@code chromium}, driven by {@code playwright-core} from
 * {@code src-test/node/console-e2e.js}): after known traffic through a real gateway, the page shows the open count
 * and the refusal counts by reason; revoking a row's user closes that live socket with 4401 and the row goes;
 * a wrong token is refused; the page carries the CSP and logs no error. Screenshots go to
 * {@code target/console-screenshots/} ({@code -Dwsgate.console.docs=true} also copies two to {@code docs/}).
 *
 * <p>Without chromium (or node and {@code npm ci}) the test is skipped with a message, or fails when {@code CI} is set.
 */
@Tag("interop")
@Tag("browser")
class ConsoleBrowserE2eTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long SCRIPT_TIMEOUT_S = 120;
    // no whitespace or comma: such a sub is an invalid token (header-safe user values); markup is still allowed
    private static final String HTML_USER = "<b>mallory</b><img/src=x/onerror=alert(1)>";

    @TempDir
    Path tmp;

    @Test
    void consoleShowsTrafficAndRevokesARow() throws Exception {
        Path chromium = requireBrowser();
        try (OpsFixture fx = OpsFixture.in(tmp, """
                admin: { host: 127.0.0.1, port: 0, token_env: WSGATE_ADMIN_TOKEN, console: true }
                audit: { denials: audit.log }
                """)) {
            fx.route("chat.yaml", """
                    route:
                      path: /chat
                      upstream: { targets: ["%s"] }
                    protocol: { kind: json, event: type }
                    %s
                    events:
                      default: deny
                      rules:
                        hello: {}
                        admin-kick: { roles: [admin] }
                    """.formatted(fx.upstreamUrl("/echo"), OpsFixture.hs256Auth()));
            fx.start();
            try (WsTestClient alice = fx.connectAs("/chat", "alice");
                 WsTestClient bob = fx.connectAs("/chat", "bob");
                 WsTestClient carol = fx.connectAs("/chat", "carol");
                 WsTestClient html = fx.connectAs("/chat", HTML_USER)) {
                // known refusals: 2 unknown_event (bob), 1 forbidden (carol), 1 handshake 401 (no token)
                bob.sendText("{\"type\":\"nope\"}");
                bob.sendText("{\"type\":\"nope\"}");
                carol.sendText("{\"type\":\"admin-kick\"}");
                E2e.assertEchoes(alice, "{\"type\":\"hello\"}");
                assertThat(RawHttp.status(RawHttp.exchange(fx.gateway.port(), RawHttp.upgrade("/chat", "").getBytes(), 3000)))
                        .isEqualTo(401);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    JsonNode s = OpsFixture.json(adminGet(fx, "/admin/stats"));
                    assertThat(s.at("/connections/open").asInt()).isEqualTo(4);
                    assertThat(s.at("/refusals/by_reason/unknown_event").asInt()).isEqualTo(2);
                    assertThat(s.at("/refusals/by_reason/forbidden").asInt()).isEqualTo(1);
                    assertThat(s.at("/handshakes/refused_by_status/401").asInt()).isEqualTo(1);
                });

                String expect = OpsFixture.JSON.writeValueAsString(Map.of(
                        "open", 4,
                        "reasons", Map.of("unknown_event", 2, "forbidden", 1, "handshake 401", 1),
                        "revokeUser", "alice",
                        "htmlUser", HTML_USER));
                Path shots = Path.of(System.getProperty("wsgate.projectDir", "."), "target", "console-screenshots");
                // live traffic while the page is open (allowed messages only: the refusal counts stay as set up),
                // so the rate charts move and the table refreshes under the clicks
                ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
                traffic.scheduleAtFixedRate(() -> html.sendText("{\"type\":\"hello\"}"), 0, 50, TimeUnit.MILLISECONDS);
                Script run;
                try {
                    run = runScript(chromium, "http://127.0.0.1:" + fx.gateway.adminPort(), expect, shots);
                } finally {
                    traffic.shutdownNow();
                    assertThat(traffic.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(run.exit).as(run.describe()).isZero();
                assertThat(run.stdout).as(run.describe()).contains("\"ok\":true");

                // the click revoked alice: her live socket got 4401, the others are still served
                assertThat(alice.closeCode(Duration.ofSeconds(10))).isEqualTo(4401);
                E2e.assertEchoes(html, "{\"type\":\"hello\"}");
                assertThat(bob.awaitClosed(Duration.ZERO)).isFalse();
                assertThat(carol.awaitClosed(Duration.ZERO)).isFalse();
                assertThat(shots.resolve("console-overview.png")).isNotEmptyFile();
                assertThat(shots.resolve("console-after-revoke.png")).isNotEmptyFile();
                assertThat(shots.resolve("console-login-refused.png")).isNotEmptyFile();
                if (Boolean.getBoolean("wsgate.console.docs")) {
                    Path docs = Path.of(System.getProperty("wsgate.projectDir", "."), "docs");
                    Files.createDirectories(docs);
                    for (String name : List.of("console-overview.png", "console-after-revoke.png")) {
                        Files.copy(shots.resolve(name), docs.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    private static String adminGet(OpsFixture fx, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + fx.gateway.adminPort() + path))
                .header("Authorization", "Bearer " + OpsFixture.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private record Script(int exit, String stdout, String stderr) {
        String describe() {
            return "console-e2e.js exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** Runs the Playwright script to its end (bounded); the admin token travels in the environment, not argv. */
    private Script runScript(Path chromium, String url, String expect, Path shots) throws Exception {
        Path out = tmp.resolve("console-e2e.out");
        Path err = tmp.resolve("console-e2e.err");
        ProcessBuilder pb = new ProcessBuilder(NodeProcess.nodeBinary().toString(), "console-e2e.js",
                "--url", url, "--chromium", chromium.toString(), "--expect", expect, "--shots", shots.toString())
                .directory(NodeProcess.nodeDir().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("NODE_OPTIONS");
        pb.environment().put("WSGATE_ADMIN_TOKEN", OpsFixture.ADMIN_TOKEN);
        Process p = pb.start();
        boolean done = p.waitFor(SCRIPT_TIMEOUT_S, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return new Script(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * The {@code chromium} on PATH, with node and playwright-core installed; otherwise skips the test with a
     * message, or fails it when the environment variable {@code CI} is set (CI must run it).
     */
    static Path requireBrowser() {
        Optional<Path> chromium = onPath("chromium");
        String missing = null;
        if (chromium.isEmpty()) {
            missing = "`chromium` is not on PATH (apt-get install -y chromium)";
        } else if (onPath("node").isEmpty()) {
            missing = "`node` is not on PATH";
        } else if (!Files.isRegularFile(NodeProcess.nodeDir().resolve("node_modules/playwright-core/package.json"))) {
            missing = "playwright-core is missing: run `npm ci` in " + NodeProcess.nodeDir();
        }
        if (missing == null) {
            return chromium.get();
        }
        String msg = "CONSOLE BROWSER TEST NOT RUN: " + missing;
        if (System.getenv("CI") != null) {
            fail(msg + " (and CI is set)");
        }
        System.err.println("\n!!!!!!!!!! " + msg + " !!!!!!!!!!\n");
        abort(msg);
        return null;
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isBlank() ? "." : dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
