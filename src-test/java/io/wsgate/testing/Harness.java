package io.wsgate.testing;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.proxy.InspectorFactory;
import io.wsgate.proxy.ProxyServer;
import io.wsgate.state.ConnectionRegistry;

import java.time.Duration;

/** A gateway on an ephemeral port in front of whatever the test started; closes it afterwards. */
public final class Harness implements AutoCloseable {
    public final PolicyHolder policies;
    public final TestGuard guard;
    public final ConnectionRegistry registry = new ConnectionRegistry();
    public final ProxyServer proxy;

    public Harness(Policy policy, TestGuard guard, InspectorFactory inspectors) throws Exception {
        this.policies = new PolicyHolder(policy);
        this.guard = guard;
        this.proxy = new ProxyServer(policies, guard, inspectors, registry).threads(1).start();
    }

    public Harness(Policy policy) throws Exception {
        this(policy, new TestGuard(), (s, p, r, d) -> new ScriptedInspector(s, p, r));
    }

    public String ws(String path) {
        return "ws://127.0.0.1:" + proxy.port() + path;
    }

    public int port() {
        return proxy.port();
    }

    public static DemoUpstream upstream() throws InterruptedException {
        return new DemoUpstream("127.0.0.1", 0).start();
    }

    public static String target(DemoUpstream up, String path) {
        return "ws://127.0.0.1:" + up.port() + path;
    }

    @Override
    public void close() {
        proxy.shutdown(Duration.ofMillis(500));
    }
}
