/**
 * The message-level policy engine (no Netty): strict JSON, the json / socketio / raw codecs, event rules,
 * roles, schemas, sanitizers, notices and in-message authentication.
 *
 * <p>Integration, per client connection (all calls on the connection's event loop):
 * <ol>
 * <li>Build one {@link io.wsgate.inspect.ConnectionInspector} after the handshake was accepted, passing
 *     {@code RateGate.of(limits.forSession(session))}, the audit log, a {@link io.wsgate.inspect.TokenCheck}
 *     bound to this connection, and {@code decision.pendingAuth()}.</li>
 * <li>Every complete client data message: {@code onClientMessage(binary, buf, off, len)}; every client
 *     ping/pong: {@code onClientControl()}. Act on the {@link io.wsgate.policy.Verdict}: FORWARD the
 *     original bytes, FORWARD_REWRITTEN {@code rewritten()}, DROP, or CLOSE with {@code closeCode()}; write
 *     {@code toClient()} (a text frame) to the client when non-null.</li>
 * <li>When {@code watchesUpstream()}, show every upstream data message to {@code onUpstreamMessage}
 *     before writing it to the client; write gateway frames only while {@code mayWriteToClient()}.</li>
 * <li>Pending auth: after a verdict, {@code authPending()} false and {@code session.identity()} non-null
 *     means the token verified (first_message: open the upstream now; socketio_auth: the upstream is
 *     already open and the CONNECT verdict carries the rewritten packet).</li>
 * </ol>
 */
package io.wsgate.inspect;
