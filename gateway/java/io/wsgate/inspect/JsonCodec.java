package io.wsgate.inspect;

import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Identity;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Verdict;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * json routes: the event name sits at the route's field path. One streaming pass validates strictness and
 * finds the event; a tree is built only when the event's rule needs the payload (or for auth messages).
 */
final class JsonCodec extends ConnectionInspector.Codec {
    private static final FieldPath TOKEN = FieldPath.parse("token");
    private final ConnectionInspector.NoticeBuilder notice =
            (r, code, event, retry) -> Notices.json(r.eventPath(), r.notifyEvent(), code, event, retry);

    JsonCodec(ConnectionInspector in) {
        super(in);
    }

    @Override
    Verdict onMessage(RoutePolicy rp, boolean binary, byte[] buf, int off, int len) {
        RouteRules r = rp.rules();
        if (in.pending == PendingAuth.FIRST_MESSAGE) {
            return firstMessage(rp, r, buf, off, len);
        }
        if (!StrictJson.utf8().valid(buf, off, len) || startsWithBom(buf, off, len)) {
            return in.refuse(rp, Notices.INVALID, null, 0, notice);
        }
        JsonNode tree = null;
        int status;
        String event = RouteRules.DEFAULT_EVENT;
        if (r.treeFirst()) {
            try {
                tree = StrictJson.readTree(buf, off, len);
                status = tree.isMissingNode() ? StrictJson.Scanner.NOT_JSON
                        : StrictJson.hasProtoKey(tree) ? StrictJson.Scanner.INVALID : StrictJson.Scanner.OK;
            } catch (JacksonException e) {
                status = StrictJson.isStrictnessViolation(e) ? StrictJson.Scanner.INVALID : StrictJson.Scanner.NOT_JSON;
            }
            if (status == StrictJson.Scanner.OK) {
                JsonNode ev = r.eventPath().get(tree);
                if (ev != null && !ev.isMissingNode()) {
                    if (ev.isString()) {
                        event = ev.asString();
                    } else {
                        // {"type":["admin-kick"]}: a JS upstream doing handlers[msg.type] would run admin-kick
                        status = StrictJson.Scanner.INVALID;
                    }
                }
            } else {
                tree = null;
            }
        } else {
            status = StrictJson.scanner().scan(buf, off, len, r.eventPath());
            JsonToken found = StrictJson.scanner().valueToken();
            if (status == StrictJson.Scanner.OK && found == JsonToken.VALUE_STRING) {
                event = StrictJson.scanner().value();
            } else if (status == StrictJson.Scanner.OK && found != null) {
                status = StrictJson.Scanner.INVALID; // present but not a string, as above
            }
        }
        if (status == StrictJson.Scanner.INVALID || status == StrictJson.Scanner.BAD_NUMBER) {
            return in.refuse(rp, Notices.INVALID, null, 0, notice);
        }
        boolean json = status == StrictJson.Scanner.OK;

        if (json && r.refreshEvent() != null && r.refreshEvent().equals(event)) {
            return refresh(rp, buf, off, len);
        }
        EventPolicy rule = r.rule(event);
        if (rule == null) {
            String code = RouteRules.DEFAULT_EVENT.equals(event) ? Notices.INVALID : Notices.UNKNOWN_EVENT;
            return in.refuse(rp, code, event, 0, notice);
        }
        if (rule.maxBytes() > 0 && len > rule.maxBytes()) {
            return in.refuse(rp, Notices.INVALID, event, 0, notice);
        }
        if (!rule.allows(in.session.identity())) {
            return in.refuse(rp, Notices.FORBIDDEN, event, 0, notice);
        }
        long retry = in.rates.tryMessage(rp, event);
        if (retry > 0) {
            return in.refuse(rp, Notices.RATE_LIMITED, event, retry, notice);
        }
        if (!rule.needsPayload()) {
            return Verdict.FORWARD;
        }
        if (json && tree == null) {
            tree = StrictJson.readTree(buf, off, len);
        }
        int result = PayloadRules.apply(rule, tree);
        if (result == PayloadRules.INVALID) {
            return in.refuse(rp, Notices.INVALID, event, 0, notice);
        }
        if (result == PayloadRules.CHANGED) {
            byte[] out = StrictJson.MAPPER.writeValueAsBytes(tree);
            // escaping can make a sanitized message larger than the cap the client had to respect
            if (out.length > rp.config().route().maxMessageBytes()) {
                return in.refuse(rp, Notices.INVALID, event, 0, notice);
            }
            return Verdict.rewritten(out);
        }
        return Verdict.FORWARD;
    }

    private Verdict firstMessage(RoutePolicy rp, RouteRules r, byte[] buf, int off, int len) {
        String token = null;
        if (r.firstMessagePath() != null && StrictJson.utf8().valid(buf, off, len) && !startsWithBom(buf, off, len)
                && StrictJson.scanner().scan(buf, off, len, r.firstMessagePath()) == StrictJson.Scanner.OK
                && StrictJson.scanner().valueToken() == JsonToken.VALUE_STRING) {
            token = StrictJson.scanner().value();
        }
        TokenCheck.Result res = token == null || token.isEmpty()
                ? TokenCheck.Result.fail(TokenCheck.Failure.MISSING) : in.tokens.check(token);
        if (res.identity() == null) {
            return res.failure() == TokenCheck.Failure.OVER_BUDGET ? LateTokens.overBudget(in, rp, null)
                    : authFailed(rp, res.failure());
        }
        in.session.identity(res.identity());
        in.pending = PendingAuth.NONE;
        return Verdict.CONSUMED;
    }

    /**
     * A UTF-8 byte-order mark: Jackson skips it, Node's JSON.parse fails on it, so such a message is invalid
     * whatever $default allows (never forwarded as "not JSON").
     */
    static boolean startsWithBom(byte[] buf, int off, int len) {
        return len >= 3 && buf[off] == (byte) 0xEF && buf[off + 1] == (byte) 0xBB && buf[off + 2] == (byte) 0xBF;
    }

    private Verdict refresh(RoutePolicy rp, byte[] buf, int off, int len) {
        String token = null;
        try {
            JsonNode v = TOKEN.get(StrictJson.readTree(buf, off, len));
            if (v != null && v.isString()) {
                token = v.asString();
            }
        } catch (JacksonException e) {
            token = null;
        }
        return applyRefresh(in, rp, token);
    }

    /** Shared by both codecs: a valid token for the same subject replaces the identity; else close 4401. */
    static Verdict applyRefresh(ConnectionInspector in, RoutePolicy rp, String token) {
        Identity old = in.session.identity();
        TokenCheck.Result res = token == null || token.isEmpty()
                ? TokenCheck.Result.fail(TokenCheck.Failure.MISSING) : in.tokens.refresh(token);
        if (res.failure() == TokenCheck.Failure.OVER_BUDGET) {
            return LateTokens.overBudget(in, rp, rp.rules().refreshEvent());
        }
        if (res.identity() == null || old == null || !old.subject().equals(res.identity().subject())) {
            in.audit(rp, rp.rules().refreshEvent(), "unauthorized");
            return Verdict.close(ConnectionInspector.CLOSE_UNAUTHORIZED, "token refresh refused", "unauthorized",
                    rp.rules().refreshEvent());
        }
        in.session.identity(res.identity());
        return Verdict.CONSUMED;
    }

    private Verdict authFailed(RoutePolicy rp, TokenCheck.Failure f) {
        String reason = f == TokenCheck.Failure.FORBIDDEN_ROLE ? "forbidden"
                : f == TokenCheck.Failure.TOO_MANY_SESSIONS ? "too_many_sessions"
                : f == TokenCheck.Failure.INVALID || f == TokenCheck.Failure.REVOKED ? "invalid_token" : "unauthorized";
        in.audit(rp, null, reason);
        // contract: a missing, late or refused first-message token closes 4401, whatever the cause
        return Verdict.close(ConnectionInspector.CLOSE_UNAUTHORIZED,
                f == TokenCheck.Failure.MISSING ? "token missing" : reason.replace('_', ' '), reason, null);
    }
}
