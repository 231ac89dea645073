package io.wsgate.policy;

import java.util.List;

/**
 * Who a verified token names. Times are epoch seconds ({@code issuedAt} 0 when the token has no iat).
 * {@code tokenDigest} is a SHA-256 hex of the token's header and payload (not its signature): revocation by whole
 * token matches it, audit never sees the token.
 */
public record Identity(String subject, List<String> roles, String jti, long issuedAt, long expiresAt,
                       String tokenDigest) {
    public boolean hasAnyRole(List<String> wanted) {
        if (wanted == null || wanted.isEmpty()) {
            return true;
        }
        for (String r : wanted) {
            if (roles.contains(r)) {
                return true;
            }
        }
        return false;
    }
}
