package io.wsgate.proxy;

import io.wsgate.policy.Session;

/**
 * What the proxy reports for metrics. Called on event loops: implementations must be cheap (counters),
 * never block. {@link #messageIn}/{@link #messageOut} are per message.
 */
public interface ProxyMetrics {
    ProxyMetrics NONE = new ProxyMetrics() {
    };

    default void handshakeRefused(String route, int status, String error) {
    }

    /** A refused handshake; {@code nanos}: from the upgrade request's arrival to the refusal. Route null: none matched. */
    default void handshakeRefused(String route, int status, String error, long nanos) {
        handshakeRefused(route, status, error);
    }

    /** The client's 101 went out, {@code nanos} after its upgrade request arrived (upstream connect included). */
    default void handshakeAccepted(Session session, long nanos) {
    }

    default void connectionOpened(Session session) {
    }

    default void connectionClosed(Session session, int clientCloseCode) {
    }

    default void messageIn(Session session, int bytes) {
    }

    default void messageOut(Session session, int bytes) {
    }

    default void messageRefused(Session session, String refusal, String event) {
    }

    default void upstreamConnectFailed(String route, String target) {
    }
}
