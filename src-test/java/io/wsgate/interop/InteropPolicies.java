package io.wsgate.interop;

/** Policy files for running the Node peers behind the gateway (contract: shared/policy-format.md). */
public final class InteropPolicies {
    public static final String ADMIN_TOKEN_ENV = "WSGATE_ADMIN_TOKEN";
    /** Size cap of both routes; ws-client.js gets it as {@code --max-bytes}. */
    public static final int MAX_MESSAGE_BYTES = 65536;
    /** The json route whose token is the first message. */
    public static final String FIRST_MESSAGE_PATH = "/chat-login";

    private InteropPolicies() {
    }

    public static String gateway(int listenPort, int adminPort) {
        return """
                listen:
                  host: 127.0.0.1
                  port: %d
                admin: { host: 127.0.0.1, port: %d, token_env: %s }
                state: { store: memory }
                reload: { watch: false }
                audit: { denials: stdout }
                shutdown: { drain_delay: 0s }   # the tests stop the process with SIGTERM
                """.formatted(listenPort, adminPort, ADMIN_TOKEN_ENV);
    }

    private static String jwt() {
        return """
                  jwt:
                    algorithms: [HS256]
                    hmac_secret_env: %s
                    issuer: %s
                    audience: %s
                """.formatted(TestTokens.SECRET_ENV, TestTokens.ISSUER, TestTokens.AUDIENCE);
    }

    /** Route /socket.io/ to socketio-server.js; the client's token in CONNECT (or ?access_token=, or Authorization). */
    public static String socketIo(int upstreamPort) {
        return """
                route:
                  path: /socket.io/
                  upstream:
                    targets: [ws://127.0.0.1:%d/socket.io/]
                  max_message_bytes: %d
                protocol:
                  kind: socketio
                  namespaces:
                    "/":      { roles: [] }
                    "/admin": { roles: [admin] }
                  max_attachments: 10
                auth:
                  required: true
                %s  token_from: [socketio_auth:token, query:access_token, header]
                  auth_timeout: 5s
                forward:
                  socketio_auth: { user: user, roles: roles }
                  strip_token: true
                events:
                  default: deny
                  on_deny: drop
                  notify: true
                  notify_event: error
                  rules:
                    join-room:       { roles: [user, admin] }
                    send-message:
                      roles: [user, admin]
                      sanitize: { "[0].message": text }
                    private-message: { roles: [user, admin], sanitize: { "[0].message": text } }
                    typing:          {}
                    ping-ack:        {}
                    upload:          {}
                    admin-kick:      { roles: [admin] }
                """.formatted(upstreamPort, MAX_MESSAGE_BYTES, jwt());
    }

    /** Route /chat to ws-chat-server.js (JSON, event field {@code type}). */
    public static String wsJson(int upstreamPort) {
        return wsJson("/chat", upstreamPort, "[header, query:access_token, subprotocol]");
    }

    /** Route {@value #FIRST_MESSAGE_PATH} to ws-chat-server.js's /chat; the token is the first message {@code {"type":"auth","token":..}}. */
    public static String wsJsonFirstMessage(int upstreamPort) {
        return wsJson(FIRST_MESSAGE_PATH, upstreamPort, "[first_message:token]\n  auth_timeout: 3s");
    }

    /** {@code tokenFrom} may continue with more {@code auth:} keys on the following lines. */
    private static String wsJson(String path, int upstreamPort, String tokenFrom) {
        return """
                route:
                  path: %s
                  upstream:
                    targets: [ws://127.0.0.1:%d/chat]
                  max_message_bytes: %d
                protocol:
                  kind: json
                  event: type
                auth:
                  required: true
                %s  token_from: %s
                forward:
                  headers: { user: X-User-Id, roles: X-User-Roles, client_ip: X-Forwarded-For }
                  strip_token: true
                events:
                  default: deny
                  on_deny: drop
                  notify: true
                  notify_event: error
                  rules:
                    join-room:       { roles: [user, admin], max_bytes: 512 }
                    send-message:    { roles: [user, admin], sanitize: { message: text } }
                    private-message: { roles: [user, admin], sanitize: { message: text } }
                    typing:          {}
                    admin-kick:      { roles: [admin] }
                """.formatted(path, upstreamPort, MAX_MESSAGE_BYTES, jwt(), tokenFrom);
    }
}
