package io.wsgate.state;

/**
 * One revocation request. Exactly one of jti, subject, tokenDigest is set. {@code untilEpochSeconds}: when it
 * may be forgotten (the token's own exp, or now + ttl). {@code atEpochSeconds}: for subject revocations,
 * tokens with iat at or before it are refused.
 */
public record Revocation(String jti, String subject, String tokenDigest, long atEpochSeconds, long untilEpochSeconds) {}
