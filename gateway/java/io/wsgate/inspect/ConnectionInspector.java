package io.wsgate.inspect;

import io.wsgate.audit.AuditLog;
import io.wsgate.config.RouteConfig.Kind;
import io.wsgate.limits.SessionLimits;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.policy.Verdict;

import java.util.function.LongSupplier;

/**
 * Judges every message of one connection (event-loop confined, stateful: Socket.IO attachments in flight,
 * namespaces connected, pending auth). Looks the session's route up in the current snapshot on each message,
 * keeping the last one it saw when the route was removed by a reload. The codec (json, socketio, raw) is
 * chosen once, from the route the socket was accepted on.
 */
public class ConnectionInspector {
    public static final int CLOSE_POLICY = 1008;
    public static final int CLOSE_TOO_BIG = 1009;
    public static final int CLOSE_INTERNAL = 1011;
    public static final int CLOSE_UNAUTHORIZED = 4401;
    public static final int CLOSE_RATE = 4429;
    /** Client-chosen event names are cut to this length in audit lines. */
    static final int MAX_AUDIT_EVENT = 128;

    protected final Session session;
    protected final PolicyHolder policies;
    protected final SessionLimits limits;
    final RateGate rates;
    private RoutePolicy last;
    private final Kind kind;
    final AuditLog audit;
    final TokenCheck tokens;
    final Notices notices;
    private final Codec codec;
    /** Set while a token is still expected inside a message (first_message / socketio_auth). */
    PendingAuth pending;

    public ConnectionInspector(Session session, PolicyHolder policies, RoutePolicy acceptedOn, SessionLimits limits) {
        this(session, policies, acceptedOn, limits, AuditLog.OFF, TokenCheck.NONE, PendingAuth.NONE,
                System::currentTimeMillis);
    }

    /**
     * @param pending     from the handshake decision: whether the token still has to arrive in a message
     * @param clockMillis time source of notice throttling
     */
    public ConnectionInspector(Session session, PolicyHolder policies, RoutePolicy acceptedOn, SessionLimits limits,
                               AuditLog audit, TokenCheck tokens, PendingAuth pending, LongSupplier clockMillis) {
        this(session, policies, acceptedOn, limits, RateGate.of(limits), audit, tokens, pending, clockMillis);
    }

    /** As above with the rate limits behind a {@link RateGate} (tests, or another limits implementation). */
    public ConnectionInspector(Session session, PolicyHolder policies, RoutePolicy acceptedOn, RateGate rates,
                               AuditLog audit, TokenCheck tokens, PendingAuth pending, LongSupplier clockMillis) {
        this(session, policies, acceptedOn, null, rates, audit, tokens, pending, clockMillis);
    }

    private ConnectionInspector(Session session, PolicyHolder policies, RoutePolicy acceptedOn, SessionLimits limits,
                                RateGate rates, AuditLog audit, TokenCheck tokens, PendingAuth pending,
                                LongSupplier clockMillis) {
        this.session = session;
        this.policies = policies;
        this.limits = limits;
        this.rates = rates;
        this.last = acceptedOn;
        this.kind = acceptedOn.rules().kind();
        this.audit = audit == null ? AuditLog.OFF : audit;
        this.tokens = tokens == null ? TokenCheck.NONE : tokens;
        this.pending = pending == null ? PendingAuth.NONE : pending;
        this.notices = new Notices(clockMillis);
        this.codec = switch (kind) {
            case JSON -> new JsonCodec(this);
            case SOCKETIO -> new SocketIoCodec(this);
            case RAW -> new RawCodec(this);
        };
    }

    /** The route in force: the current snapshot's, else the last seen (a reload never changes a socket's codec). */
    protected RoutePolicy route() {
        RoutePolicy r = policies.get().route(session.routePath());
        if (r != null && r.rules().kind() == kind) {
            last = r;
        }
        return last;
    }

    /** One complete client message (fragments already aggregated). */
    public Verdict onClientMessage(boolean binary, byte[] buf, int off, int len) {
        RoutePolicy rp = route();
        try {
            return codec.onMessage(rp, binary, buf, off, len);
        } catch (RuntimeException e) {
            // a bug must never let a message through: refuse and close
            audit(rp, null, "internal_error");
            return Verdict.close(CLOSE_INTERNAL, "internal error", "internal_error", null);
        }
    }

    /** A client ping/pong frame: counts only against per_ip.messages. */
    public Verdict onClientControl() {
        return control(route());
    }

    /** True when the proxy must show upstream messages to {@link #onUpstreamMessage} (Socket.IO only). */
    public boolean watchesUpstream() {
        return kind == Kind.SOCKETIO;
    }

    /** An upstream message on its way to the client; only the header is parsed. */
    public void onUpstreamMessage(boolean binary, byte[] buf, int off, int len) {
        codec.onUpstream(binary, buf, off, len);
    }

    /** Whether a gateway-originated frame (notice) may be written to the client now. */
    public boolean mayWriteToClient() {
        return codec.mayWriteToClient();
    }

    /** True while the socket still waits for its token (first_message / socketio_auth). */
    public boolean authPending() {
        return pending != PendingAuth.NONE;
    }

    public Session session() {
        return session;
    }

    Verdict control(RoutePolicy rp) {
        return limited(rp, rates.tryControl(rp));
    }

    /** Engine.IO noop, upgrade and close after the handshake: they spend the message budget (contract). */
    Verdict engineIoMessage(RoutePolicy rp) {
        return limited(rp, rates.tryMessage(rp, null));
    }

    private Verdict limited(RoutePolicy rp, long retry) {
        if (retry > 0) {
            audit(rp, null, Notices.RATE_LIMITED);
            if (rp.rules().rateClose() || rates.dropped(rp)) {
                return Verdict.close(CLOSE_RATE, "rate limit exceeded", Notices.RATE_LIMITED, null);
            }
            return Verdict.drop(Notices.RATE_LIMITED, null, null);
        }
        return Verdict.FORWARD;
    }

    /**
     * A refused message: rate limits follow rate_limits.on_exceed and close_after; the rest follow
     * events.on_deny. {@code notice} builds the notice bytes (null when none can be sent).
     */
    Verdict refuse(RoutePolicy rp, String code, String event, long retryAfterMs, NoticeBuilder notice) {
        RouteRules r = rp.rules();
        audit(rp, event, code);
        boolean rate = Notices.RATE_LIMITED.equals(code);
        if (rate) {
            if (r.rateClose() || rates.dropped(rp)) {
                return Verdict.close(CLOSE_RATE, "rate limit exceeded", code, event);
            }
        } else {
            // a refusal costs the client's message budget like a forwarded message (contract): refusals are not
            // a free flood; the verdict stays this refusal, and close_after keeps counting rate-limit drops only
            rates.tryMessage(rp, null);
            if (r.onDenyClose()) {
                return Verdict.close(CLOSE_POLICY, "policy violation", code, event);
            }
        }
        byte[] bytes = null;
        boolean notify = rate ? r.rateNotify() : r.eventNotify();
        if (notify && notice != null && codec.mayWriteToClient() && notices.take(code)) {
            bytes = notice.build(r, code, event, retryAfterMs);
        }
        return Verdict.drop(code, event, bytes);
    }

    Verdict malformed(RoutePolicy rp, String why) {
        audit(rp, null, "malformed");
        return Verdict.close(CLOSE_POLICY, why, "malformed", null);
    }

    void audit(RoutePolicy rp, String event, String reason) {
        String e = event != null && event.length() > MAX_AUDIT_EVENT ? event.substring(0, MAX_AUDIT_EVENT) + "…" : event;
        audit.messageRefused(session.id(), session.clientIp(), session.user(), rp.path(), e, reason);
    }

    @FunctionalInterface
    interface NoticeBuilder {
        byte[] build(RouteRules rules, String code, String event, long retryAfterMs);
    }

    /** One protocol's per-connection state and logic. */
    abstract static class Codec {
        final ConnectionInspector in;

        Codec(ConnectionInspector in) {
            this.in = in;
        }

        abstract Verdict onMessage(RoutePolicy rp, boolean binary, byte[] buf, int off, int len);

        void onUpstream(boolean binary, byte[] buf, int off, int len) {
        }

        boolean mayWriteToClient() {
            return true;
        }
    }
}
