package io.wsgate.inspect;

import io.wsgate.limits.SessionLimits;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.policy.Verdict;

/**
 * Judges every message of one connection (event-loop confined, stateful: Socket.IO attachments in flight,
 * namespaces connected, pending auth). Looks the session's route up in the current snapshot on each message,
 * keeping the last one it saw when the route was removed by a reload.
 */
public class ConnectionInspector {
    protected final Session session;
    protected final PolicyHolder policies;
    protected final SessionLimits limits;
    private RoutePolicy last;

    public ConnectionInspector(Session session, PolicyHolder policies, RoutePolicy acceptedOn, SessionLimits limits) {
        this.session = session;
        this.policies = policies;
        this.limits = limits;
        this.last = acceptedOn;
    }

    protected RoutePolicy route() {
        RoutePolicy r = policies.get().route(session.routePath());
        if (r != null) {
            last = r;
        }
        return last;
    }

    /** One complete client message (fragments already aggregated). */
    public Verdict onClientMessage(boolean binary, byte[] buf, int off, int len) {
        return Verdict.FORWARD;
    }

    /** A client ping/pong frame: counts only against per_ip.messages. */
    public Verdict onClientControl() {
        return Verdict.FORWARD;
    }

    /** True when the proxy must show upstream messages to {@link #onUpstreamMessage} (Socket.IO only). */
    public boolean watchesUpstream() {
        return false;
    }

    /** An upstream message on its way to the client; only the header is parsed. */
    public void onUpstreamMessage(boolean binary, byte[] buf, int off, int len) {
    }

    /** Whether a gateway-originated frame (notice) may be written to the client now. */
    public boolean mayWriteToClient() {
        return true;
    }
}
