package io.wsgate.inspect;

import java.nio.charset.StandardCharsets;

/**
 * The header of one Socket.IO v5 packet as socket.io-parser reads it:
 * {@code <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]}, parsed in place from the bytes
 * after Engine.IO's {@code 4}. Stricter than the parser where its JavaScript number coercion is lax
 * ({@code Number(" ") == " "}): attachment counts and ack ids are ASCII digits only, and a payload may not
 * start with whitespace. One mutable instance per connection.
 */
final class SocketIoHeader {
    static final int CONNECT = 0;
    static final int DISCONNECT = 1;
    static final int EVENT = 2;
    static final int ACK = 3;
    static final int CONNECT_ERROR = 4;
    static final int BINARY_EVENT = 5;
    static final int BINARY_ACK = 6;
    static final String ROOT = "/";
    /** Largest ack id accepted (counters in every client start at 0). */
    static final long MAX_ACK_ID = Integer.MAX_VALUE;

    int type;
    int attachments;
    String nsp;
    /** Offset (in the frame) of the namespace text, or -1 for "/". Lets rewrites copy the prefix as sent. */
    int nspOff;
    int nspLen;
    long ackId;
    int payloadOff;
    int payloadLen;
    String error;

    /** Parses {@code len} bytes at {@code off} (the Socket.IO packet, without Engine.IO's 4). */
    boolean parse(byte[] b, int off, int len, int maxAttachments) {
        type = -1;
        attachments = 0;
        nsp = ROOT;
        nspOff = -1;
        nspLen = 0;
        ackId = -1;
        payloadOff = off + len;
        payloadLen = 0;
        error = null;
        int end = off + len;
        if (len < 1) {
            return fail("empty packet");
        }
        int t = b[off] - '0';
        if (t < CONNECT || t > BINARY_ACK) {
            return fail("unknown packet type");
        }
        type = t;
        int i = off + 1;
        if (t == BINARY_EVENT || t == BINARY_ACK) {
            int start = i;
            long n = 0;
            while (i < end && isDigit(b[i]) && i - start < 5) {
                n = n * 10 + (b[i] - '0');
                i++;
            }
            if (i == start || i >= end || b[i] != '-') {
                return fail("illegal attachments");
            }
            if (n < 1 || n > maxAttachments) {
                return fail("attachment count out of range");
            }
            attachments = (int) n;
            i++;
        }
        if (i < end && b[i] == '/') {
            int start = i;
            while (i < end && b[i] != ',') {
                i++;
            }
            nspOff = start;
            nspLen = i - start;
            nsp = new String(b, start, nspLen, StandardCharsets.UTF_8);
            if (i < end) {
                i++;
            }
        }
        if (i < end && isDigit(b[i])) {
            int start = i;
            long id = 0;
            while (i < end && isDigit(b[i])) {
                if (i - start >= 10) {
                    return fail("ack id too long");
                }
                id = id * 10 + (b[i] - '0');
                i++;
            }
            if (id > MAX_ACK_ID) {
                return fail("ack id out of range");
            }
            ackId = id;
        }
        if (i < end && isJsWhitespace(b[i])) {
            return fail("whitespace before payload");
        }
        payloadOff = i;
        payloadLen = end - i;
        return true;
    }

    boolean hasPayload() {
        return payloadLen > 0;
    }

    boolean binary() {
        return type == BINARY_EVENT || type == BINARY_ACK;
    }

    private boolean fail(String why) {
        error = why;
        return false;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isJsWhitespace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c < 0;
    }

    /** Attachment count announced by an upstream text frame ({@code 45N-}/{@code 46N-}), else 0. Header only. */
    static int upstreamAttachments(byte[] b, int off, int len) {
        if (len < 4 || b[off] != '4' || (b[off + 1] != '5' && b[off + 1] != '6')) {
            return 0;
        }
        int n = 0;
        int end = off + len;
        for (int i = off + 2; i < end && i < off + 9; i++) {
            if (b[i] == '-') {
                return n;
            }
            if (!isDigit(b[i])) {
                return 0;
            }
            n = n * 10 + (b[i] - '0');
        }
        return 0;
    }

    /** An Engine.IO message frame {@code 4<type>[/nsp,]<json>}. */
    static byte[] encode(char type, String nsp, byte[] json) {
        byte[] ns = nsp == null || ROOT.equals(nsp) ? new byte[0] : (nsp + ",").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[2 + ns.length + json.length];
        out[0] = '4';
        out[1] = (byte) type;
        System.arraycopy(ns, 0, out, 2, ns.length);
        System.arraycopy(json, 0, out, 2 + ns.length, json.length);
        return out;
    }
}
