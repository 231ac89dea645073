package io.wsgate.interop;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Node peer server from {@code src-test/node} ({@code node <script> 0 ...}), started on an ephemeral
 * 127.0.0.1 port and killed on {@link #close()}.
 *
 * <p>The script must print {@code LISTENING <port>} as its first stdout line. The child also gets
 * {@code --stdin-watch} (it exits when this JVM dies and its stdin closes) and {@code --ttl} as a last
 * resort, so no test run leaves a server behind.
 */
public final class NodeProcess implements AutoCloseable {
    /** Set to {@code true} (e.g. in CI) to fail instead of skipping when Node or node_modules is missing. */
    public static final String REQUIRED_PROPERTY = "wsgate.interop.required";

    static final long START_TIMEOUT_MS = 20_000;
    private static final int MAX_KEPT_LINES = 2_000;
    private static final int SERVER_TTL_SECONDS = 1_800;

    private final String script;
    private final Process process;
    private final Deque<String> stdout = new ArrayDeque<>();
    private final Deque<String> stderr = new ArrayDeque<>();
    private final CompletableFuture<Integer> listening = new CompletableFuture<>();
    private final int port;

    private NodeProcess(String script, Process process) {
        this.script = script;
        this.process = process;
        pump(process.getInputStream(), stdout, true);
        pump(process.getErrorStream(), stderr, false);
        process.onExit().thenRun(() -> listening.completeExceptionally(
                new IllegalStateException("exited with code " + process.exitValue())));
        try {
            this.port = listening.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException(script + ": no LISTENING line within " + START_TIMEOUT_MS + " ms; stderr: " + stderr());
        } catch (Exception e) {
            process.destroyForcibly();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(script + " did not start: " + cause.getMessage() + "; stderr: " + stderr(), e);
        }
    }

    /** Starts {@code node <script> 0 --stdin-watch --ttl N <args...>} in the Node folder and waits for its port. */
    public static NodeProcess startServer(String script, String... args) {
        assumeNodeReady();
        List<String> cmd = new ArrayList<>(List.of(nodeBinary().toString(), script, "0", "--stdin-watch",
                "--ttl", String.valueOf(SERVER_TTL_SECONDS)));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(nodeDir().toFile());
        pb.environment().remove("NODE_OPTIONS");
        try {
            return new NodeProcess(script, pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node " + script + ": " + e.getMessage(), e);
        }
    }

    /** The chosen port (from the {@code LISTENING} line). */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>} — socket.io-client URLs and the record endpoint. */
    public URI httpUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** {@code ws://127.0.0.1:<port><path>}. */
    public URI wsUri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /** The record of everything this server received ({@code GET /__received}). */
    public UpstreamRecord record() {
        return new UpstreamRecord(httpUri());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stdout lines after the LISTENING line (the last {@value #MAX_KEPT_LINES}). */
    public List<String> stdoutLines() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    /** Stderr so far (the last {@value #MAX_KEPT_LINES} lines), for failure messages. */
    public String stderr() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    /** SIGTERM, then SIGKILL after 5 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "node " + script + " on port " + (listening.isDone() && !listening.isCompletedExceptionally() ? port : "?");
    }

    private void pump(InputStream in, Deque<String> sink, boolean watchListening) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (watchListening && !listening.isDone()) {
                        if (line.startsWith("LISTENING ")) {
                            listening.complete(Integer.parseInt(line.substring("LISTENING ".length()).trim()));
                        } else {
                            listening.completeExceptionally(new IllegalStateException("first line was not LISTENING: " + line));
                        }
                        continue;
                    }
                    synchronized (sink) {
                        if (sink.size() == MAX_KEPT_LINES) sink.removeFirst();
                        sink.addLast(line);
                    }
                }
            } catch (IOException | RuntimeException e) {
                listening.completeExceptionally(e);
            }
        }, "node-" + script + (watchListening ? "-out" : "-err"));
        t.setDaemon(true);
        t.start();
    }

    // ---- environment --------------------------------------------------------------------------

    /** {@code src-test/node}: {@code -Dwsgate.nodeDir}, else under {@code -Dwsgate.projectDir} (set by surefire), else the working dir. */
    public static Path nodeDir() {
        String explicit = System.getProperty("wsgate.nodeDir", System.getenv("WSGATE_NODE_DIR"));
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit).toAbsolutePath();
        String project = System.getProperty("wsgate.projectDir", System.getProperty("user.dir"));
        return Path.of(project, "src-test", "node").toAbsolutePath();
    }

    /** The node executable: {@code -Dwsgate.node}, else the first {@code node} on PATH. */
    public static Path nodeBinary() {
        return findNode().orElseThrow(() -> new IllegalStateException("node not found on PATH"));
    }

    static Optional<Path> findNode() {
        String explicit = System.getProperty("wsgate.node");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) continue;
            Path p = Path.of(dir, "node");
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * Skips the calling test (loudly, on stderr) when {@code node} is not on PATH or
     * {@code src-test/node/node_modules} is missing; with {@code -Dwsgate.interop.required=true} fails instead.
     */
    public static void assumeNodeReady() {
        String reason = null;
        Path dir = nodeDir();
        if (findNode().isEmpty()) {
            reason = "`node` is not on PATH (or -Dwsgate.node is wrong)";
        } else {
            for (String pkg : List.of("socket.io", "socket.io-client", "ws")) {
                if (!Files.isRegularFile(dir.resolve("node_modules").resolve(pkg).resolve("package.json"))) {
                    reason = dir.resolve("node_modules").resolve(pkg) + " is missing: run `npm ci` in " + dir;
                    break;
                }
            }
        }
        if (reason == null) return;
        String msg = "INTEROP TESTS NOT RUN: " + reason;
        if (Boolean.getBoolean(REQUIRED_PROPERTY)) {
            throw new IllegalStateException(msg + " (and -D" + REQUIRED_PROPERTY + "=true)");
        }
        System.err.println("\n!!!!!!!!!! " + msg + " !!!!!!!!!!\n");
        Assumptions.abort(msg);
    }
}
