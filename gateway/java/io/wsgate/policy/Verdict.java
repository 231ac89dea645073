package io.wsgate.policy;

/**
 * What to do with one client message. Most messages get the shared {@link #FORWARD} instance so the
 * message path allocates nothing. {@code toClient} is a text frame payload the gateway writes to the
 * client itself (a notice, a Socket.IO CONNECT_ERROR); null for none. {@code refusal}/{@code event}
 * feed audit and metrics when the message was refused.
 */
public final class Verdict {
    public enum Kind {
        /** Forward the original bytes untouched. */
        FORWARD,
        /** Forward {@code rewritten} instead (sanitized fields, identity written into a CONNECT). */
        FORWARD_REWRITTEN,
        /** Forward nothing; the gateway consumed it (refresh token, first-message auth) or refused it. */
        DROP,
        /** Forward nothing and close the client with {@code closeCode}. */
        CLOSE
    }

    public static final Verdict FORWARD = new Verdict(Kind.FORWARD, null, null, 0, null, null, null, false);
    public static final Verdict CONSUMED = new Verdict(Kind.DROP, null, null, 0, null, null, null, false);

    private final Kind kind;
    private final byte[] rewritten;
    private final byte[] toClient;
    private final int closeCode;
    private final String closeReason;
    private final String refusal;
    private final String event;
    private final boolean toClientBinary;

    private Verdict(Kind kind, byte[] rewritten, byte[] toClient, int closeCode, String closeReason, String refusal,
                    String event, boolean toClientBinary) {
        this.kind = kind;
        this.rewritten = rewritten;
        this.toClient = toClient;
        this.closeCode = closeCode;
        this.closeReason = closeReason;
        this.refusal = refusal;
        this.event = event;
        this.toClientBinary = toClientBinary;
    }

    public static Verdict rewritten(byte[] payload) {
        return new Verdict(Kind.FORWARD_REWRITTEN, payload, null, 0, null, null, null, false);
    }

    /** Refused and dropped; {@code notice} (may be null) goes to the client. */
    public static Verdict drop(String refusal, String event, byte[] notice) {
        return new Verdict(Kind.DROP, null, notice, 0, null, refusal, event, false);
    }

    /** Not forwarded; the gateway answers the client itself (e.g. {@code 44{"message":"Invalid token"}}). */
    public static Verdict reply(byte[] answer, String refusal, String event) {
        return new Verdict(Kind.DROP, null, answer, 0, null, refusal, event, false);
    }

    /** Forward {@code payload} (null: the original bytes) and write {@code answer} to the client. */
    public static Verdict forwardAndReply(byte[] payload, byte[] answer) {
        return new Verdict(payload == null ? Kind.FORWARD : Kind.FORWARD_REWRITTEN, payload, answer, 0, null, null,
                null, false);
    }

    public static Verdict close(int code, String reason, String refusal, String event) {
        return new Verdict(Kind.CLOSE, null, null, code, reason, refusal, event, false);
    }

    /** Close after writing {@code answer} to the client first. */
    public static Verdict close(int code, String reason, String refusal, String event, byte[] answer) {
        return new Verdict(Kind.CLOSE, null, answer, code, reason, refusal, event, false);
    }

    public Kind kind() { return kind; }

    public byte[] rewritten() { return rewritten; }

    public byte[] toClient() { return toClient; }

    public int closeCode() { return closeCode; }

    public String closeReason() { return closeReason; }

    /** Null when nothing was refused; else forbidden, unknown_event, invalid, rate_limited, unauthorized... */
    public String refusal() { return refusal; }

    public String event() { return event; }

    public boolean toClientBinary() { return toClientBinary; }

    @Override
    public String toString() {
        return "Verdict{" + kind + (refusal != null ? " " + refusal : "") + (event != null ? " event=" + event : "")
                + (closeCode != 0 ? " close=" + closeCode : "") + "}";
    }
}
