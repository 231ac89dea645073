package io.wsgate.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One proxied connection as the policy core sees it. Owned by the connection's event loop; fields
 * other code reads from other threads (admin listing, revocation sweep) are volatile.
 */
public final class Session {
    /** Implemented by the proxy: closes the client socket with a WebSocket close code, from any thread. */
    public interface Closer {
        void close(int code, String reason);
    }

    private final long id;
    private final String clientIp;
    private final String routePath;
    private final long sinceMillis;
    private volatile Identity identity;
    private volatile Closer closer;
    /** Written by the event loop with release stores (no fence per message), read with acquire loads. */
    private long messagesIn;
    private long messagesOut;
    private static final VarHandle IN;
    private static final VarHandle OUT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            IN = l.findVarHandle(Session.class, "messagesIn", long.class);
            OUT = l.findVarHandle(Session.class, "messagesOut", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public Session(long id, String clientIp, String routePath, long sinceMillis) {
        this.id = id;
        this.clientIp = clientIp;
        this.routePath = routePath;
        this.sinceMillis = sinceMillis;
    }

    public long id() { return id; }

    public String clientIp() { return clientIp; }

    /** The {@code route.path} the socket was accepted on; it keeps it across reloads. */
    public String routePath() { return routePath; }

    public long sinceMillis() { return sinceMillis; }

    /** Null until a token verified (public route, or socketio_auth/first_message still pending). */
    public Identity identity() { return identity; }

    public void identity(Identity identity) { this.identity = identity; }

    public String user() {
        Identity i = identity;
        return i == null ? null : i.subject();
    }

    public void closer(Closer closer) { this.closer = closer; }

    public void close(int code, String reason) {
        Closer c = closer;
        if (c != null) {
            c.close(code, reason);
        }
    }

    // Written only by the session's event loop; other threads (admin) read them with acquire loads.
    public long messagesIn() { return (long) IN.getAcquire(this); }

    public long messagesOut() { return (long) OUT.getAcquire(this); }

    public void countIn() { IN.setRelease(this, messagesIn + 1); }

    public void countOut() { OUT.setRelease(this, messagesOut + 1); }
}
