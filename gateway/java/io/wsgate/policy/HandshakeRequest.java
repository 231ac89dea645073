package io.wsgate.policy;

import java.util.List;
import java.util.Map;

/**
 * A WebSocket upgrade request as the policy core sees it. Header names are lower-case.
 * {@code clientIp} is the address per-IP rules use (PROXY protocol / trusted X-Forwarded-For already applied);
 * {@code peerIp} is the TCP peer.
 */
public record HandshakeRequest(String path, String rawQuery, Map<String, List<String>> headers, String clientIp,
                               String peerIp, boolean secure) {
    public String header(String lowerName) {
        List<String> v = headers.get(lowerName);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public List<String> headers(String lowerName) {
        List<String> v = headers.get(lowerName);
        return v == null ? List.of() : v;
    }
}
