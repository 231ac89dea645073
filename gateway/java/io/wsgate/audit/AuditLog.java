package io.wsgate.audit;

/** One JSON line per refusal (handshake or message) or admin action; never a token. Sampled under a flood. */
public interface AuditLog {
    AuditLog OFF = new AuditLog() {
        @Override
        public void handshakeRefused(String ip, String route, int status, String reason) {
        }

        @Override
        public void messageRefused(long connectionId, String ip, String user, String route, String event, String reason) {
        }
    };

    void handshakeRefused(String ip, String route, int status, String reason);

    void messageRefused(long connectionId, String ip, String user, String route, String event, String reason);

    /** A refusal after the token verified (revoked, role, sessions): the line names the user. */
    default void handshakeRefused(String ip, String user, String route, int status, String reason) {
        handshakeRefused(ip, route, status, reason);
    }

    /** An admin API action ({@code reload}, {@code revoke}, {@code lift}, {@code drain}, {@code close}, {@code unauthorized}). */
    default void adminAction(String ip, String action, String detail, int status) {
    }
}
