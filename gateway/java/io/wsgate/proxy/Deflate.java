package io.wsgate.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

import java.util.HashMap;
import java.util.Map;

/**
 * permessage-deflate toward the client, negotiated after the guard accepted (the route decides), with the
 * inflated size capped by max_message_bytes so a deflate bomb fails with 1009.
 */
final class Deflate {
    private Deflate() {
    }

    static WebSocketServerExtension negotiate(HttpRequest req, int maxInflated) {
        PerMessageDeflateServerExtensionHandshaker hs = new PerMessageDeflateServerExtensionHandshaker(6, false,
                15, false, false, WebSocketExtensionFilterProvider.DEFAULT, maxInflated);
        for (String header : req.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS)) {
            for (String ext : header.split(",")) {
                String[] parts = ext.split(";");
                String name = parts[0].trim();
                if (!name.equals("permessage-deflate")) {
                    continue;
                }
                Map<String, String> params = new HashMap<>();
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim();
                    int eq = p.indexOf('=');
                    if (eq < 0) {
                        params.put(p, null);
                    } else {
                        params.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim().replace("\"", ""));
                    }
                }
                WebSocketServerExtension accepted = hs.handshakeExtension(new WebSocketExtensionData(name, params));
                if (accepted != null) {
                    return accepted;
                }
            }
        }
        return null;
    }

    static String responseHeader(WebSocketServerExtension ext) {
        WebSocketExtensionData d = ext.newReponseData();
        StringBuilder b = new StringBuilder(d.name());
        for (Map.Entry<String, String> e : d.parameters().entrySet()) {
            b.append("; ").append(e.getKey());
            if (e.getValue() != null) {
                b.append('=').append(e.getValue());
            }
        }
        return b.toString();
    }
}
