package io.wsgate.cli;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.policy.Policy;
import io.wsgate.proxy.ProxyServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Self-contained demo: a built-in chat/echo upstream on 127.0.0.1:9000 plus the gateway.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--policies", defaultValue = "policies", description = "policy directory (default: ${DEFAULT-VALUE})")
    Path policies;

    @Option(names = "--upstream-port", defaultValue = "9000", description = "demo upstream port (default: ${DEFAULT-VALUE})")
    int upstreamPort;

    @Override
    public Integer call() throws Exception {
        DemoUpstream upstream = new DemoUpstream("127.0.0.1", upstreamPort).start();
        Policy policy = RunCommand.load(policies);
        if (policy == null) {
            upstream.close();
            return 1;
        }
        ProxyServer server = RunCommand.start(policy);
        Runtime.getRuntime().addShutdownHook(new Thread(upstream::close, "wsgate-demo-upstream"));
        String host = policy.gateway().listen().host();
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        String scheme = policy.gateway().listen().tls() != null ? "wss" : "ws";
        System.out.println("demo upstream: ws://127.0.0.1:" + upstream.port() + " (/chat, /echo)");
        for (var route : policy.routes()) {
            System.out.println("gateway:       " + scheme + "://" + shown + ":" + server.port() + route.path());
        }
        System.out.flush();
        RunCommand.awaitSignal(server);
        return 0;
    }
}
