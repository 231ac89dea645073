package io.wsgate.auth;

import io.wsgate.policy.HandshakeRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the token of an upgrade request in the route's {@code token_from} order. Pure. The first source that
 * is present decides (a present but empty or invalid token is still that source's token); when none of the
 * upgrade-request sources is present and a deferred source (first_message / socketio_auth) is configured,
 * the answer is {@link Result#pending}.
 */
public final class TokenExtractor {
    public static final String BEARER = "bearer";

    private TokenExtractor() {
    }

    /** {@code token} non-null: found in {@code source}; {@code pending} non-null: comes later; both null: missing. */
    public record Result(TokenSource source, String token, TokenSource pending) {
        static final Result MISSING = new Result(null, null, null);

        public boolean found() {
            return token != null;
        }
    }

    public static Result extract(HandshakeRequest req, List<TokenSource> sources) {
        TokenSource firstDeferred = null;
        for (TokenSource s : sources) {
            if (s.kind().deferred()) {
                if (firstDeferred == null) {
                    firstDeferred = s;
                }
                continue;
            }
            String t = switch (s.kind()) {
                case HEADER -> fromAuthorization(req);
                case QUERY -> queryParam(req.rawQuery(), s.name());
                case COOKIE -> cookie(req, s.name());
                case SUBPROTOCOL -> fromSubprotocol(offeredSubprotocols(req));
                default -> null;
            };
            if (t != null) {
                return new Result(s, t, null);
            }
        }
        return firstDeferred == null ? Result.MISSING : new Result(null, null, firstDeferred);
    }

    /** {@code Authorization: Bearer <t>}; another scheme (Basic) is not a token. */
    static String fromAuthorization(HandshakeRequest req) {
        String v = req.header("authorization");
        if (v == null) {
            return null;
        }
        v = v.trim();
        if (v.length() < 6 || !v.regionMatches(true, 0, "Bearer", 0, 6)) {
            return null;
        }
        if (v.length() == 6) {
            return "";
        }
        if (v.charAt(6) != ' ') {
            return null;
        }
        return v.substring(7).trim();
    }

    /** Every Sec-WebSocket-Protocol entry offered, in order, trimmed. */
    public static List<String> offeredSubprotocols(HandshakeRequest req) {
        List<String> out = new ArrayList<>();
        for (String h : req.headers("sec-websocket-protocol")) {
            for (String p : h.split(",")) {
                String t = p.trim();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /**
     * The entry after the first {@code bearer}; "" when that {@code bearer} is the last offer (present but empty).
     * A later {@code bearer} pair does not count (the first decides) and is never forwarded either.
     */
    static String fromSubprotocol(List<String> offers) {
        int i = bearerIndex(offers);
        if (i < 0) {
            return null;
        }
        return i + 1 < offers.size() ? offers.get(i + 1) : "";
    }

    /**
     * The offers without any {@code bearer} entry and without the entry after each one (the token), so that no
     * token reaches the upstream whatever the number of pairs or header lines: {@code bearer, bearer, T} loses all three.
     */
    static List<String> withoutBearer(List<String> offers) {
        List<String> out = new ArrayList<>(offers.size());
        boolean afterBearer = false;
        for (String o : offers) {
            boolean bearer = isBearer(o);
            if (!bearer && !afterBearer) {
                out.add(o);
            }
            afterBearer = bearer;
        }
        return out;
    }

    private static boolean isBearer(String offer) {
        return offer.equalsIgnoreCase(BEARER);
    }

    static int bearerIndex(List<String> offers) {
        for (int i = 0; i < offers.size(); i++) {
            if (isBearer(offers.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The first value of query parameter {@code name} (percent-decoded), "" when present without value, else null. */
    static String queryParam(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String part : rawQuery.split("&")) {
            int eq = part.indexOf('=');
            String k = decode(eq < 0 ? part : part.substring(0, eq));
            if (name.equals(k)) {
                return eq < 0 ? "" : decode(part.substring(eq + 1));
            }
        }
        return null;
    }

    static String cookie(HandshakeRequest req, String name) {
        for (String h : req.headers("cookie")) {
            for (String c : h.split(";")) {
                int eq = c.indexOf('=');
                if (eq > 0 && c.substring(0, eq).trim().equals(name)) {
                    String v = c.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    return v;
                }
            }
        }
        return null;
    }

    static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
