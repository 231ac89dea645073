package io.wsgate.testing;

import io.wsgate.inspect.ConnectionInspector;
import io.wsgate.inspect.RateGate;
import io.wsgate.policy.Identity;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.policy.Verdict;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An inspector driven by the message text, to exercise every verdict the proxy must act on:
 * {@code auth:<user>[:<exp>]} verifies (consumed), {@code drop} is dropped with a notice, {@code close} closes
 * 1008 after a notice, {@code rewrite:<x>} forwards {@code <x>}; anything else is forwarded.
 */
public class ScriptedInspector extends ConnectionInspector {
    public ScriptedInspector(Session session, PolicyHolder policies, RoutePolicy acceptedOn) {
        super(session, policies, acceptedOn, RateGate.NONE, null, null, null, System::currentTimeMillis);
    }

    /** No rate limits here (the base class would consult its null SessionLimits). */
    @Override
    public Verdict onClientControl() {
        return Verdict.FORWARD;
    }

    @Override
    public Verdict onClientMessage(boolean binary, byte[] buf, int off, int len) {
        if (binary) {
            return Verdict.FORWARD;
        }
        String s = new String(buf, off, len, StandardCharsets.UTF_8);
        if (s.startsWith("auth:")) {
            String[] parts = s.split(":");
            long exp = parts.length > 2 ? Long.parseLong(parts[2]) : System.currentTimeMillis() / 1000 + 3600;
            session.identity(new Identity(parts[1], List.of("user"), null, 0, exp, "digest"));
            return Verdict.CONSUMED;
        }
        if (session.identity() == null && route().config().auth() != null) {
            return Verdict.close(4401, "authentication required", "unauthorized", null);
        }
        return switch (s.split(":")[0]) {
            case "drop" -> Verdict.drop("forbidden", "drop", "{\"type\":\"error\",\"code\":\"forbidden\"}"
                    .getBytes(StandardCharsets.UTF_8));
            case "close" -> Verdict.close(1008, "policy violation", "forbidden", "close",
                    "{\"type\":\"error\",\"code\":\"closing\"}".getBytes(StandardCharsets.UTF_8));
            case "rewrite" -> Verdict.rewritten(s.substring("rewrite:".length()).getBytes(StandardCharsets.UTF_8));
            default -> Verdict.FORWARD;
        };
    }
}
