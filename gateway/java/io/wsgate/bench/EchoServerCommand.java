package io.wsgate.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "echo-server", mixinStandardHelpOptions = true,
        description = "Serve a WebSocket echo upstream (text and binary, byte-exact) until killed.")
public final class EchoServerCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "bind address (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", required = true, description = "port (0 = any free port)")
    int port;

    @Option(names = "--threads", defaultValue = "1", description = "event loop threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--max-frame", defaultValue = "1048576", description = "largest frame payload in bytes (default ${DEFAULT-VALUE})")
    int maxFrame;

    @Override
    public Integer call() throws InterruptedException {
        EchoServer started;
        try {
            started = EchoServer.start(host, port, threads, maxFrame);
        } catch (Exception e) {
            System.err.printf("wsgate bench echo-server: cannot listen on %s:%d: %s%n", host, port, e.getMessage());
            return 1;
        }
        try (EchoServer server = started) {
            System.out.printf("echo server listening on ws://%s:%d/ (%s, %d thread(s))%n",
                    host, server.port(), Transport.name(), threads);
            System.out.flush();
            server.awaitClose();
        }
        return 0;
    }
}
