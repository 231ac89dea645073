package io.wsgate.cli;

import io.wsgate.auth.HandshakeGuard;
import io.wsgate.config.ConfigProblem;
import io.wsgate.config.PolicyException;
import io.wsgate.config.PolicyLoader;
import io.wsgate.inspect.ConnectionInspector;
import io.wsgate.limits.Limits;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.proxy.ProxyServer;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.Revocation;
import io.wsgate.state.RevocationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve the policies in DIR until SIGTERM/SIGINT.")
public final class RunCommand implements Callable<Integer> {
    /** How long open sockets get to close after the 1001 on shutdown. */
    static final Duration DRAIN = Duration.ofSeconds(10);

    @Parameters(index = "0", arity = "0..1", defaultValue = "policies", paramLabel = "DIR",
            description = "policy directory (default: ${DEFAULT-VALUE})")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Policy policy = load(dir);
        if (policy == null) {
            return 1;
        }
        ProxyServer server = start(policy);
        awaitSignal(server);
        return 0;
    }

    /** Loads DIR, printing every problem as {@code file:line: key: problem}; null when it cannot be served. */
    static Policy load(Path dir) {
        PolicyLoader loader = new PolicyLoader();
        try {
            Policy p = loader.load(dir, 1);
            for (ConfigProblem w : loader.warnings()) {
                System.err.println("warning: " + w);
            }
            return p;
        } catch (PolicyException e) {
            for (ConfigProblem p : e.problems()) {
                System.err.println(p);
            }
            return null;
        }
    }

    /** Wires the guard, inspectors, limits and registry around the proxy and binds it. */
    static ProxyServer start(Policy policy) throws Exception {
        PolicyHolder holder = new PolicyHolder(policy);
        ConnectionRegistry registry = new ConnectionRegistry();
        Limits limits = new Limits();
        HandshakeGuard guard = new HandshakeGuard(registry, NO_REVOCATIONS, limits);
        return new ProxyServer(holder, guard::check,
                (session, policies, route) -> new ConnectionInspector(session, policies, route, limits.forSession(session)),
                registry).start();
    }

    /** Blocks until SIGTERM/SIGINT; the shutdown hook stops accepting, sends 1001 and drains. */
    static void awaitSignal(ProxyServer server) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown(DRAIN);
            done.countDown();
        }, "wsgate-shutdown"));
        done.await();
    }

    // Integration seam: the state package's RevocationStore (memory/Redis) replaces this when merged.
    private static final RevocationStore NO_REVOCATIONS = new RevocationStore() {
        @Override
        public boolean isRevoked(Identity identity) {
            return false;
        }

        @Override
        public int revoke(Revocation revocation) {
            return 0;
        }

        @Override
        public void lift(Revocation revocation) {
        }
    };
}
