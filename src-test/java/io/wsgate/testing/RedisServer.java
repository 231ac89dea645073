package io.wsgate.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real redis-server on 127.0.0.1 for one test class: found on PATH, started on a free port without persistence.
 * Without the binary the test is skipped on a workstation and FAILS under CI ({@code CI} set), so a CI machine
 * that lost its redis-server cannot pass the shared-state tests by skipping them.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private Process process;

    private RedisServer(int port) throws Exception {
        this.port = port;
        this.process = launch(port);
    }

    /** Starts one on a free port (skips or fails as above when there is no binary). */
    public static RedisServer start() throws Exception {
        binary();
        return new RedisServer(freePort());
    }

    /** Starts one on {@code port}, e.g. a port a store was told about while nothing listened there. */
    public static RedisServer startOn(int port) throws Exception {
        binary();
        return new RedisServer(port);
    }

    /** The redis-server on PATH; skipped locally, an assertion failure under CI, when there is none. */
    public static String binary() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin");
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        String why = "no redis-server on PATH (apt-get install -y redis-server)";
        if (System.getenv("CI") != null) {
            throw new AssertionError(why + "; CI is set, so this test may not be skipped");
        }
        Assumptions.abort(why);
        return null;
    }

    public static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process launch(int port) throws Exception {
        Process p = new ProcessBuilder(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError("redis-server exited with " + p.exitValue() + " on port " + port);
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        return p;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server (a store outage); {@link #restart} brings it back on the same port, empty. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    public void restart() throws Exception {
        kill();
        process = launch(port);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
