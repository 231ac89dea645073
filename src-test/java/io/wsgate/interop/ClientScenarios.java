package io.wsgate.interop;

import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a client scenario script from {@code src-test/node} against a URL and returns its parsed
 * result lines. Tokens travel in the environment (never on the command line, where {@code ps} shows them).
 *
 * <pre>{@code
 * ScenarioResults r = ClientScenarios.socketIo(gatewayHttpUrl)
 *         .tokens(userToken, user2Token, adminToken)
 *         .scenarios("connect", "room", "denied-event")
 *         .run();
 * r.assertAllOk();
 * }</pre>
 */
public final class ClientScenarios {
    private static final int DEFAULT_TIMEOUT_MS = 5_000;

    private final String script;
    private final String url;
    private final List<String> scenarios = new ArrayList<>();
    private final List<String> extraArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean direct;
    private int timeoutMs = DEFAULT_TIMEOUT_MS;

    private ClientScenarios(String script, String url) {
        this.script = script;
        this.url = url;
    }

    /** socketio-client.js; url is the HTTP base ({@code http://127.0.0.1:PORT}), path {@code /socket.io/}. */
    public static ClientScenarios socketIo(String url) {
        return new ClientScenarios("socketio-client.js", url);
    }

    /** ws-client.js; url is the full WebSocket URL ({@code ws://127.0.0.1:PORT/chat}). */
    public static ClientScenarios ws(String url) {
        return new ClientScenarios("ws-client.js", url);
    }

    /** Talk to the upstream itself, sending the identity the gateway would forward instead of tokens. */
    public ClientScenarios direct() {
        this.direct = true;
        return this;
    }

    /** Which scenarios, in order (default: every scenario of the script, or the direct ones with {@link #direct()}). */
    public ClientScenarios scenarios(String... names) {
        scenarios.addAll(List.of(names));
        return this;
    }

    public ClientScenarios timeoutMs(int perScenario) {
        this.timeoutMs = perScenario;
        return this;
    }

    /** Tokens of the principals {@code user}, {@code user2} (role user) and {@code admin} (role admin). */
    public ClientScenarios tokens(String user, String user2, String admin) {
        putIfSet("WSGATE_TOKEN_USER", user);
        putIfSet("WSGATE_TOKEN_USER2", user2);
        putIfSet("WSGATE_TOKEN_ADMIN", admin);
        return this;
    }

    /** A token the gateway must refuse (bad signature, expired, ...). */
    public ClientScenarios badToken(String token) {
        putIfSet("WSGATE_BAD_TOKEN", token);
        return this;
    }

    /** The subjects of the three tokens (defaults alice, bob, root). */
    public ClientScenarios userIds(String user, String user2, String admin) {
        putIfSet("WSGATE_USER_ID", user);
        putIfSet("WSGATE_USER2_ID", user2);
        putIfSet("WSGATE_ADMIN_ID", admin);
        return this;
    }

    /** Any other script option, e.g. {@code arg("--token-via", "query")} or {@code arg("--max-bytes", "1024")}. */
    public ClientScenarios arg(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    private void putIfSet(String key, String value) {
        if (value != null) env.put(key, value);
    }

    /** Runs the script to its end (bounded: per-scenario timeout times count, plus start-up margin). */
    public ScenarioResults run() {
        NodeProcess.assumeNodeReady();
        List<String> cmd = new ArrayList<>(List.of(NodeProcess.nodeBinary().toString(), script, "--url", url,
                "--timeout-ms", String.valueOf(timeoutMs)));
        if (direct) cmd.add("--direct");
        if (!scenarios.isEmpty()) cmd.addAll(List.of("--scenarios", String.join(",", scenarios)));
        cmd.addAll(extraArgs);

        int count = scenarios.isEmpty() ? 16 : scenarios.size();
        long boundMs = (long) count * (timeoutMs + 1_500) + 3_000 + NodeProcess.START_TIMEOUT_MS;
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("wsgate-interop-", ".out");
            err = Files.createTempFile("wsgate-interop-", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(NodeProcess.nodeDir().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().remove("NODE_OPTIONS");
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean finished = p.waitFor(boundMs, TimeUnit.MILLISECONDS);
            if (!finished) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            return parse(script, lines, stderr, finished ? p.exitValue() : -1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    static ScenarioResults parse(String script, List<String> lines, String stderr, int exitCode) {
        List<ScenarioResult> results = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("{")) {
                other.add(line);
                continue;
            }
            try {
                JsonNode n = UpstreamRecord.JSON.readTree(line);
                results.add(new ScenarioResult(n.path("scenario").asString(""), n.path("ok").asBoolean(false),
                        n.path("ms").asLong(), n.path("details")));
            } catch (RuntimeException notJson) {
                other.add(line);
            }
        }
        return new ScenarioResults(script, results, other, stderr, exitCode);
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
