package io.wsgate.inspect;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Builds the notices a client receives for a refused message and throttles them: at most one per second per
 * socket and code. Notices are rare, so they are built with Jackson (escaping) rather than pre-rendered.
 */
final class Notices {
    static final String RATE_LIMITED = "rate_limited";
    static final String FORBIDDEN = "forbidden";
    static final String UNKNOWN_EVENT = "unknown_event";
    static final String INVALID = "invalid";
    private static final String[] CODES = {RATE_LIMITED, FORBIDDEN, UNKNOWN_EVENT, INVALID};
    private static final long INTERVAL_MS = 1000;

    private final LongSupplier clockMillis;
    /** Allocated on the first notice: most sockets never get one. Long.MIN_VALUE: never sent. */
    private long[] lastSent;

    Notices(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** True (and the slot is taken) when a notice with this code may go out now. */
    boolean take(String code) {
        int i = slot(code);
        if (i < 0) {
            return false;
        }
        if (lastSent == null) {
            lastSent = new long[CODES.length];
            Arrays.fill(lastSent, Long.MIN_VALUE);
        }
        long now = clockMillis.getAsLong();
        if (lastSent[i] != Long.MIN_VALUE && now - lastSent[i] < INTERVAL_MS) {
            return false;
        }
        lastSent[i] = now;
        return true;
    }

    private static int slot(String code) {
        for (int i = 0; i < CODES.length; i++) {
            if (CODES[i].equals(code)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code {"type":"error","code":..,"event":..,"retry_after_ms":..}} with the event field at the route's
     * path (nested for dotted paths); null for array paths, which cannot carry a notice.
     */
    static byte[] json(FieldPath eventPath, String notifyEvent, String code, String event, long retryAfterMs) {
        if (eventPath == null || eventPath.hasIndex()) {
            return null;
        }
        ObjectNode root = StrictJson.MAPPER.createObjectNode();
        ObjectNode cur = root;
        for (int i = 0; i < eventPath.size() - 1; i++) {
            cur = cur.putObject(eventPath.name(i));
        }
        cur.put(eventPath.name(eventPath.size() - 1), notifyEvent);
        putIfAbsent(root, "code", code);
        if (event != null) {
            putIfAbsent(root, "event", event);
        }
        if (retryAfterMs > 0 && !root.has("retry_after_ms")) {
            root.put("retry_after_ms", retryAfterMs);
        }
        return StrictJson.MAPPER.writeValueAsBytes(root);
    }

    /** {@code 42["error",{"code":..,"event":..}]}, or {@code 42/nsp,[...]} outside the main namespace. */
    static byte[] socketio(String nsp, String notifyEvent, String code, String event, long retryAfterMs) {
        ArrayNode arr = StrictJson.MAPPER.createArrayNode();
        arr.add(notifyEvent);
        ObjectNode body = arr.addObject();
        body.put("code", code);
        if (event != null) {
            body.put("event", event);
        }
        if (retryAfterMs > 0) {
            body.put("retry_after_ms", retryAfterMs);
        }
        return SocketIoHeader.encode('2', nsp, StrictJson.MAPPER.writeValueAsBytes(arr));
    }

    /** {@code 44{"message":..}} or {@code 44/nsp,{"message":..}}: what a Socket.IO middleware answers. */
    static byte[] connectError(String nsp, String message) {
        ObjectNode body = StrictJson.MAPPER.createObjectNode();
        body.put("message", message);
        return SocketIoHeader.encode('4', nsp, StrictJson.MAPPER.writeValueAsBytes(body));
    }

    private static void putIfAbsent(ObjectNode o, String k, String v) {
        if (!o.has(k)) {
            o.put(k, v);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
