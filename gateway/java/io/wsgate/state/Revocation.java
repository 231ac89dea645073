package io.wsgate.state;

/**
 * One revocation request. Exactly one of jti, subject, tokenDigest is set. {@code tokenDigest}: the token's
 * header+payload digest ({@code io.wsgate.auth.CompactJws#revocationDigest}, the same value as
 * {@code Identity.tokenDigest}), so every signature of those claims is covered. {@code untilEpochSeconds}: when
 * it may be forgotten (the token's own exp, or now + ttl). {@code atEpochSeconds}: for subject revocations,
 * tokens with iat at or before it are refused (a token without iat counts as issued at 0, so always).
 */
public record Revocation(String jti, String subject, String tokenDigest, long atEpochSeconds, long untilEpochSeconds) {
    /** {@code jti}, {@code sub} or {@code token}: which of the three is set. */
    public String kind() {
        return jti != null ? "jti" : subject != null ? "sub" : "token";
    }

    /** The jti, the subject or the token digest, whichever is set. */
    public String value() {
        return jti != null ? jti : subject != null ? subject : tokenDigest;
    }
}
