package io.wsgate.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway as operators run it — {@code wsgate run DIR} (io.wsgate.cli.Main) in a child JVM on the
 * test classpath — ready once {@code GET /healthz} on its listen port answers 200.
 */
public final class WsgateProcess implements AutoCloseable {
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final int MAX_KEPT_LINES = 5_000;

    private final Process process;
    private final int port;
    private final Deque<String> output = new ArrayDeque<>();

    private WsgateProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        pump(process.getInputStream());
    }

    /** Starts {@code wsgate run policyDir}; {@code port} must be the {@code listen.port} of its gateway.yaml. */
    public static WsgateProcess start(Path policyDir, int port, Map<String, String> env) {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // surefire hides the real classpath behind a manifest-only jar
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx512m", "-cp", cp, "io.wsgate.cli.Main", "run", policyDir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            WsgateProcess g = new WsgateProcess(pb.start(), port);
            g.awaitReady();
            return g;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the gateway: " + e.getMessage(), e);
        }
    }

    /** A port that was free a moment ago on 127.0.0.1 (for listen.port / admin.port). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code gateway.yaml} and each route file ({@code name -> yaml}) into a new temp folder. */
    public static Path writePolicies(String gatewayYaml, Map<String, String> routes) {
        try {
            Path dir = Files.createTempDirectory("wsgate-interop-policies-");
            Files.writeString(dir.resolve("gateway.yaml"), gatewayYaml);
            for (Map.Entry<String, String> r : routes.entrySet()) Files.writeString(dir.resolve(r.getKey()), r.getValue());
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("wsgate exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new IllegalStateException("wsgate not ready on port " + port + " within " + READY_TIMEOUT_MS + " ms:\n" + output());
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>} (socket.io-client URLs). */
    public String httpUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String wsUrl(String path) {
        return "ws://127.0.0.1:" + port + path;
    }

    /** stdout+stderr lines so far (audit lines included), the last {@value #MAX_KEPT_LINES}. */
    public List<String> outputLines() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    public String output() {
        return String.join("\n", outputLines());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void pump(InputStream in) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        if (output.size() == MAX_KEPT_LINES) output.removeFirst();
                        output.addLast(line);
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "wsgate-out");
        t.setDaemon(true);
        t.start();
    }
}
