package io.wsgate.auth;

import com.nimbusds.jwt.JWTClaimsSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * User and role values as they leave a token: they become forwarded headers ({@code X-User-Id},
 * {@code X-User-Roles: a,b}), so a value with a comma would add a role upstream and one with CR/LF would break
 * the header. Such a value makes the token invalid rather than being cleaned.
 */
final class ClaimValues {
    private ClaimValues() {
    }

    /** Non-empty, and no comma, whitespace (any Unicode space or line separator) or control character. */
    static boolean headerSafe(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The roles at the claim path: a list of strings (other elements and empty strings ignored), or one string split on spaces.
     * Empty when the path is empty or absent.
     *
     * @throws TokenException when a role is not {@link #headerSafe}
     */
    static List<String> roles(JWTClaimsSet claims, String[] path) throws TokenException {
        if (path.length == 0) {
            return List.of();
        }
        Object node = claims.getClaim(path[0]);
        for (int i = 1; i < path.length && node != null; i++) {
            node = node instanceof Map<?, ?> m ? m.get(path[i]) : null;
        }
        List<String> out = new ArrayList<>();
        if (node instanceof String s) {
            // Split on the space only: "x\ny" stays one (invalid) role, never two.
            for (String r : s.split(" ")) {
                if (!r.isEmpty()) {
                    out.add(check(r));
                }
            }
        } else if (node instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s && !s.isEmpty()) {
                    out.add(check(s));
                }
            }
        }
        return List.copyOf(out);
    }

    private static String check(String role) throws TokenException {
        if (!headerSafe(role)) {
            throw new TokenException("invalid_token", "a role contains a comma, whitespace or a control character");
        }
        return role;
    }
}
