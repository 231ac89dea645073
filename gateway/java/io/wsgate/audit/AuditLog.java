package io.wsgate.audit;

/** One JSON line per refusal (handshake or message); never a token. Sampled under a flood. */
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
}
