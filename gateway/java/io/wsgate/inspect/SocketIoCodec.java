package io.wsgate.inspect;

import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Identity;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Verdict;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * socketio routes: Engine.IO v4 frames over websocket carrying Socket.IO v5 packets. Binary frames are the
 * attachments of the BINARY_EVENT/BINARY_ACK packet before them and share its verdict. Anything the
 * reference parser (socket.io-parser) would reject, and a little more where its number coercion is lax,
 * closes the socket with 1008 and is never forwarded.
 */
final class SocketIoCodec extends ConnectionInspector.Codec {
    private static final FieldPath FIRST = FieldPath.parse("[0]");
    private static final FieldPath TOKEN = FieldPath.parse("[1].token");
    private static final String BAD_NUMBER = "number literal longer than " + NumberLiterals.MAX_LENGTH
            + " characters or with an exponent above " + NumberLiterals.MAX_EXPONENT;
    /** Number.MAX_SAFE_INTEGER. */
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private final SocketIoHeader header = new SocketIoHeader();
    private int pendingAttachments;
    private boolean dropAttachments;
    private long attachmentBudget = -1;
    private int pendingToClient;
    private String nsp;
    /** CONNECT tokens that failed verification on this connection (see {@link LateTokens#MAX_FAILED_CONNECTS}). */
    private int failedConnects;
    private final ConnectionInspector.NoticeBuilder notice =
            (r, code, event, retry) -> Notices.socketio(nsp, r.notifyEvent(), code, event, retry);

    SocketIoCodec(ConnectionInspector in) {
        super(in);
    }

    @Override
    Verdict onMessage(RoutePolicy rp, boolean binary, byte[] buf, int off, int len) {
        if (binary) {
            return attachment(rp, len);
        }
        if (pendingAttachments > 0) {
            return in.malformed(rp, "text frame while binary attachments are pending");
        }
        if (len == 0 || !StrictJson.utf8().valid(buf, off, len)) {
            return in.malformed(rp, "malformed Engine.IO packet");
        }
        switch (buf[off]) {
            case '4':
                break;
            case '2', '3':
                return in.control(rp);
            case '1', '5', '6':
                return in.engineIoMessage(rp); // a noop flood is not free
            default:
                return in.malformed(rp, "unexpected Engine.IO packet type");
        }
        RouteRules r = rp.rules();
        if (!header.parse(buf, off + 1, len - 1, r.maxAttachments())) {
            return in.malformed(rp, "malformed Socket.IO packet: " + header.error);
        }
        nsp = header.nsp;
        Verdict v = packet(rp, r, buf, off, len);
        if (header.binary() && v.kind() != Verdict.Kind.CLOSE) {
            pendingAttachments = header.attachments;
            dropAttachments = v.kind() == Verdict.Kind.DROP;
        }
        return v;
    }

    private Verdict attachment(RoutePolicy rp, int len) {
        if (pendingAttachments == 0) {
            return in.malformed(rp, "binary frame without a pending binary packet");
        }
        pendingAttachments--;
        if (dropAttachments) {
            return Verdict.CONSUMED;
        }
        if (attachmentBudget >= 0) {
            attachmentBudget -= len;
            if (attachmentBudget < 0) {
                in.audit(rp, null, Notices.INVALID);
                return Verdict.close(ConnectionInspector.CLOSE_TOO_BIG, "event larger than its max_bytes",
                        Notices.INVALID, null);
            }
        }
        return Verdict.FORWARD;
    }

    private Verdict packet(RoutePolicy rp, RouteRules r, byte[] buf, int off, int len) {
        int type = header.type;
        if (type == SocketIoHeader.CONNECT_ERROR) {
            return in.malformed(rp, "CONNECT_ERROR from a client");
        }
        if (in.pending == PendingAuth.SOCKETIO_AUTH && type != SocketIoHeader.CONNECT) {
            in.audit(rp, null, "unauthorized");
            return Verdict.close(ConnectionInspector.CLOSE_POLICY, "authentication required", "unauthorized", null);
        }
        attachmentBudget = -1;
        switch (type) {
            case SocketIoHeader.CONNECT:
                return connect(rp, r, buf);
            case SocketIoHeader.DISCONNECT:
                if (header.hasPayload() || header.ackId >= 0) {
                    return in.malformed(rp, "DISCONNECT with data");
                }
                return rate(rp, null, Verdict.FORWARD);
            case SocketIoHeader.ACK, SocketIoHeader.BINARY_ACK:
                return ack(rp, buf);
            default:
                return event(rp, r, buf, off, len);
        }
    }

    private Verdict ack(RoutePolicy rp, byte[] buf) {
        if (header.ackId < 0 || !header.hasPayload()) {
            return in.malformed(rp, "ACK without id or data");
        }
        int status = StrictJson.scanner().scan(buf, header.payloadOff, header.payloadLen, null);
        if (status == StrictJson.Scanner.BAD_NUMBER) {
            return in.malformed(rp, BAD_NUMBER);
        }
        if (status == StrictJson.Scanner.NOT_JSON || StrictJson.scanner().root() != JsonToken.START_ARRAY) {
            return in.malformed(rp, "ACK data is not an array");
        }
        if (status == StrictJson.Scanner.INVALID) {
            return in.refuse(rp, Notices.INVALID, null, 0, notice);
        }
        if (header.binary() && !placeholdersValid(StrictJson.readTree(buf, header.payloadOff, header.payloadLen))) {
            return in.malformed(rp, "illegal attachment placeholder");
        }
        return rate(rp, null, Verdict.FORWARD);
    }

    private Verdict event(RoutePolicy rp, RouteRules r, byte[] buf, int off, int len) {
        if (!header.hasPayload()) {
            return in.malformed(rp, "EVENT without data");
        }
        int status = StrictJson.scanner().scan(buf, header.payloadOff, header.payloadLen, FIRST);
        if (status == StrictJson.Scanner.BAD_NUMBER) {
            return in.malformed(rp, BAD_NUMBER);
        }
        if (status == StrictJson.Scanner.NOT_JSON || StrictJson.scanner().root() != JsonToken.START_ARRAY) {
            return in.malformed(rp, "EVENT data is not an array");
        }
        JsonToken nameToken = StrictJson.scanner().valueToken();
        String event;
        if (nameToken == JsonToken.VALUE_STRING) {
            event = StrictJson.scanner().value();
            if (RouteRules.RESERVED_SOCKETIO.contains(event)) {
                return in.malformed(rp, "reserved event name");
            }
        } else if (nameToken != null && nameToken.isNumeric()) {
            event = numericName(StrictJson.scanner().value());
            if (event == null) {
                return in.malformed(rp, "numeric event name is not a safe integer as JavaScript prints it");
            }
        } else {
            return in.malformed(rp, "event name is not a string or number");
        }
        if (status == StrictJson.Scanner.INVALID) {
            return in.refuse(rp, Notices.INVALID, event, 0, notice);
        }
        JsonNode tree = null;
        if (header.binary()) {
            tree = StrictJson.readTree(buf, header.payloadOff, header.payloadLen);
            if (!placeholdersValid(tree)) {
                return in.malformed(rp, "illegal attachment placeholder");
            }
        }
        if (header.type == SocketIoHeader.EVENT && r.refreshEvent() != null && r.refreshEvent().equals(event)) {
            JsonNode t = TOKEN.get(StrictJson.readTree(buf, header.payloadOff, header.payloadLen));
            return JsonCodec.applyRefresh(in, rp, t != null && t.isString() ? t.asString() : null);
        }
        Identity id = in.session.identity();
        if (r.namespaces() != null) {
            List<String> roles = r.namespaces().get(nsp);
            if (roles == null || !(roles.isEmpty() || (id != null && id.hasAnyRole(roles)))) {
                return in.refuse(rp, Notices.FORBIDDEN, event, 0, null);
            }
        }
        EventPolicy rule = r.rule(event);
        if (rule == null) {
            return in.refuse(rp, Notices.UNKNOWN_EVENT, event, 0, notice);
        }
        if (rule.maxBytes() > 0 && len > rule.maxBytes()) {
            return in.refuse(rp, Notices.INVALID, event, 0, notice);
        }
        if (!rule.allows(id)) {
            return in.refuse(rp, Notices.FORBIDDEN, event, 0, notice);
        }
        long retry = in.rates.tryMessage(rp, event);
        if (retry > 0) {
            return in.refuse(rp, Notices.RATE_LIMITED, event, retry, notice);
        }
        if (rule.maxBytes() > 0 && header.binary()) {
            attachmentBudget = rule.maxBytes() - len;
        }
        if (!rule.needsPayload()) {
            return Verdict.FORWARD;
        }
        if (tree == null) {
            tree = StrictJson.readTree(buf, header.payloadOff, header.payloadLen);
        }
        ArrayNode args = StrictJson.MAPPER.createArrayNode();
        for (int i = 1; i < tree.size(); i++) {
            args.add(tree.get(i));
        }
        int result = PayloadRules.apply(rule, args);
        if (result == PayloadRules.INVALID) {
            return in.refuse(rp, Notices.INVALID, event, 0, notice);
        }
        if (result == PayloadRules.UNCHANGED) {
            return Verdict.FORWARD;
        }
        ArrayNode out = StrictJson.MAPPER.createArrayNode();
        out.add(tree.get(0));
        out.addAll(args);
        byte[] bytes = withPrefix(buf, off, header.payloadOff, StrictJson.MAPPER.writeValueAsBytes(out));
        // escaping can make a sanitized message larger than the cap the client had to respect
        if (bytes.length > rp.config().route().maxMessageBytes()) {
            return in.refuse(rp, Notices.INVALID, event, 0, notice);
        }
        return Verdict.rewritten(bytes);
    }

    private Verdict connect(RoutePolicy rp, RouteRules r, byte[] buf) {
        if (header.ackId >= 0) {
            return in.malformed(rp, "CONNECT with an ack id");
        }
        ObjectNode auth = null;
        if (header.hasPayload()) {
            int status = StrictJson.scanner().scan(buf, header.payloadOff, header.payloadLen, null);
            if (status != StrictJson.Scanner.OK || StrictJson.scanner().root() != JsonToken.START_OBJECT) {
                return in.malformed(rp, "CONNECT data is not an object");
            }
            auth = (ObjectNode) StrictJson.readTree(buf, header.payloadOff, header.payloadLen);
        }
        // a refused CONNECT spends per_ip/per_user.messages too, and a rate-limited one is never verified
        long retry = in.rates.tryMessage(rp, null);
        if (retry > 0) {
            return in.refuse(rp, Notices.RATE_LIMITED, null, retry, null);
        }
        String key = r.socketioAuthKey();
        if (in.pending == PendingAuth.SOCKETIO_AUTH) {
            if (failedConnects >= LateTokens.MAX_FAILED_CONNECTS) {
                return LateTokens.tooManyFailedConnects(in, rp);
            }
            JsonNode t = auth == null || key == null ? null : auth.get(key);
            TokenCheck.Result res = t == null || !t.isString() || t.asString().isEmpty()
                    ? TokenCheck.Result.fail(TokenCheck.Failure.MISSING) : in.tokens.check(t.asString());
            if (res.identity() == null) {
                if (res.failure() == TokenCheck.Failure.OVER_BUDGET) {
                    return LateTokens.overBudget(in, rp, null);
                }
                if (LateTokens.verificationFailed(res.failure())) {
                    failedConnects++;
                }
                String message = switch (res.failure()) {
                    case MISSING -> "Authentication required";
                    case FORBIDDEN_ROLE -> "Forbidden";
                    case TOO_MANY_SESSIONS -> "Too many sessions";
                    default -> "Invalid token";
                };
                in.audit(rp, null, "unauthorized");
                return Verdict.reply(Notices.connectError(nsp, message), "unauthorized", null);
            }
            in.session.identity(res.identity());
            in.pending = PendingAuth.NONE;
        }
        Identity id = in.session.identity();
        if (r.namespaces() != null) {
            List<String> roles = r.namespaces().get(nsp);
            if (roles == null) {
                in.audit(rp, null, "invalid_namespace");
                return Verdict.reply(Notices.connectError(nsp, "Invalid namespace"), "invalid_namespace", null);
            }
            if (!roles.isEmpty() && (id == null || !id.hasAnyRole(roles))) {
                in.audit(rp, null, Notices.FORBIDDEN);
                return Verdict.reply(Notices.connectError(nsp, "Forbidden"), Notices.FORBIDDEN, null);
            }
        }
        boolean changed = false;
        String userKey = r.forwardUserKey();
        String rolesKey = r.forwardRolesKey();
        if (key != null && r.stripToken() && auth != null && auth.has(key)) {
            auth.remove(key);
            changed = true;
        }
        if (userKey != null || rolesKey != null) {
            if (auth == null) {
                auth = StrictJson.MAPPER.createObjectNode();
            }
            changed |= auth.remove(userKey) != null | auth.remove(rolesKey) != null;
            if (id != null) {
                if (userKey != null) {
                    auth.put(userKey, id.subject());
                }
                if (rolesKey != null) {
                    ArrayNode roles = auth.putArray(rolesKey);
                    id.roles().forEach(roles::add);
                }
                changed = true;
            }
        }
        if (!changed) {
            return Verdict.FORWARD;
        }
        return Verdict.rewritten(SocketIoHeader.encode('0', nsp, StrictJson.MAPPER.writeValueAsBytes(auth)));
    }

    private Verdict rate(RoutePolicy rp, String event, Verdict ok) {
        long retry = in.rates.tryMessage(rp, event);
        return retry > 0 ? in.refuse(rp, Notices.RATE_LIMITED, event, retry, notice) : ok;
    }

    /** Every {"_placeholder":true,...} must carry an integer num below the attachment count. */
    private boolean placeholdersValid(JsonNode n) {
        if (n.isObject()) {
            JsonNode ph = n.get("_placeholder");
            if (ph != null && ph.isBoolean() && ph.booleanValue()) {
                JsonNode num = n.get("num");
                return num != null && num.isIntegralNumber() && num.canConvertToInt()
                        && num.intValue() >= 0 && num.intValue() < header.attachments;
            }
            for (var e : n.properties()) {
                if (!placeholdersValid(e.getValue())) {
                    return false;
                }
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) {
                if (!placeholdersValid(c)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A numeric event name, judged by its text (never converted). socket.io-parser hands the JSON.parse'd number
     * to an EventEmitter, which names it String(n). Only literals that JavaScript prints back identically are
     * accepted: {@code -?(0|[1-9][0-9]*)} of at most 16 digits, magnitude at most Number.MAX_SAFE_INTEGER
     * (2^53-1, every such integer is exact and prints as its digits), and not {@code -0} (prints "0"). Anything
     * else ({@code 1.0}, {@code 1e2}, {@code -0}, 2^53+1) would be renamed by JavaScript: null, refused as
     * malformed rather than risk a name differential.
     */
    static String numericName(String text) {
        int n = text.length();
        int start = n > 0 && text.charAt(0) == '-' ? 1 : 0;
        int digits = n - start;
        if (digits < 1 || digits > 16 || (text.charAt(start) == '0' && (digits > 1 || start == 1))) {
            return null;
        }
        for (int i = start; i < n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return digits < 16 || Long.parseLong(text, start, n, 10) <= MAX_SAFE_INTEGER ? text : null;
    }

    private static byte[] withPrefix(byte[] buf, int off, int payloadOff, byte[] payload) {
        int prefix = payloadOff - off;
        byte[] out = new byte[prefix + payload.length];
        System.arraycopy(buf, off, out, 0, prefix);
        System.arraycopy(payload, 0, out, prefix, payload.length);
        return out;
    }

    @Override
    void onUpstream(boolean binary, byte[] buf, int off, int len) {
        if (binary) {
            if (pendingToClient > 0) {
                pendingToClient--;
            }
        } else {
            pendingToClient = SocketIoHeader.upstreamAttachments(buf, off, len);
        }
    }

    @Override
    boolean mayWriteToClient() {
        return pendingToClient == 0;
    }
}
